import type { WebClient } from "@slack/web-api";
import type { Sql } from "postgres";
import type { Db } from "../../db/connect-database.ts";
import { ageingWip, computeFlowReport } from "../../flow/metrics/index.ts";
import { loadSegmenter } from "../../flow/metrics/segments.ts";
import type { SegmentScope } from "../../flow/metrics/segments-scope.ts";
import { projectSignals, signalsOfWip } from "../../flow/metrics/signals.ts";
import type { FlowReport } from "../../flow/metrics/types.ts";
import { loadMetricsSettings } from "../../flow/metrics/window-settings.ts";
import { arrivalsAndDepartures, wipLimitCounts } from "../../flow/metrics/wip-limits.ts";
import { type ReportProject, statusOrder } from "../../flow/report-projects.ts";
import type { SegmentFilter } from "../../flow/segments/resolve-segment.ts";
import { projectGoalForecast } from "../../goals/project-goal-forecast.ts";
import type { Logger } from "../../log/create-logger.ts";
import { sentimentReportSection } from "../sentiment/sentiment-report-section.ts";
import { describeSlackError } from "../views/block-kit.ts";
import { escapeMrkdwn, plural } from "../views/mrkdwn.ts";
import { chartPicker } from "./chart-replies.ts";
import { type ChartFiles, type FlowViewMessage, flowViewMessage, reportIsEmpty } from "./flow-view-blocks.ts";
import { renderReportCharts, uploadCharts } from "./report-charts.ts";
import { reportExtras } from "./report-extras.ts";

/** Slack's limit on a button's value. */
const SHARE_VALUE_LIMIT = 2000;

/** The ageing chart draws at most this many dots (the oldest); more would only blur into a band. */
const AGEING_CHART_MAX_POINTS = 2000;

/**
 * What the "Share to channel" button carries: enough to rebuild the same view without a database row —
 * and for a filtered report, the filter as typed (`g`: dimension or null, `v`: value), resolved again.
 */
export type ShareValue = {
  p: number;
  d: number;
  t: number;
  a?: string;
  c?: string;
  g?: string | null;
  v?: string;
};

function encodeShareValue(value: ShareValue): string {
  return JSON.stringify(value);
}

export function decodeShareValue(raw: string | undefined): ShareValue | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as Partial<ShareValue>;
    if (!Number.isInteger(v.p) || !Number.isInteger(v.d) || !Number.isFinite(v.t)) return null;
    const file = (x: unknown) => (typeof x === "string" && /^F[A-Z0-9]+$/.test(x) ? x : undefined);
    const a = file(v.a);
    const c = file(v.c);
    const filter =
      typeof v.v === "string" && v.v !== "" && (v.g === undefined || v.g === null || typeof v.g === "string")
        ? { g: v.g ?? null, v: v.v }
        : {};
    return { p: v.p!, d: v.d!, t: v.t!, ...(a ? { a } : {}), ...(c ? { c } : {}), ...filter };
  } catch {
    return null;
  }
}

export type BuiltReport =
  | { kind: "empty"; message: FlowViewMessage }
  | { kind: "view"; report: FlowReport; files: ChartFiles; message: FlowViewMessage; chartProblem?: string };

/** `sql` for the metric queries, `db` for drizzle's. */
export type BuildReportDeps = { db: Db; sql: Sql; client: WebClient; logger: Logger };

/**
 * Computes a project's Flow view, renders and uploads its two charts, and returns the message. A chart
 * upload failure still returns the numbers, with a note instead of the images.
 */
export async function buildReport(
  deps: BuildReportDeps,
  project: ReportProject,
  opts: {
    at: Date;
    windowDays: number;
    shareable: boolean;
    files?: ChartFiles;
    sharedBy?: string;
    /** The chart picker's buttons (docs/flow-metrics.md §13), for a reply in the project channel or the app's DM. */
    picker?: boolean;
    /** One segment only (docs/flow-metrics.md §7), and the filter as typed, for the share button. */
    segment?: { scope: SegmentScope; filter: SegmentFilter };
  },
): Promise<BuiltReport> {
  const scope = opts.segment?.scope;
  // A whole-project report of a segmented project shows the per-segment section (§7).
  const breakdown = scope ? null : await loadSegmenter(deps.sql, project.id);
  const report = await computeFlowReport(deps.sql, project.id, {
    now: opts.at,
    windowDays: opts.windowDays,
    ...(scope ? { scope } : {}),
    ...(breakdown ? { breakdown } : {}),
  });
  if (reportIsEmpty(report)) {
    return { kind: "empty", message: emptyMessage(project, report) };
  }
  // Limits and arrivals count the whole project's cases (docs/flow-metrics.md §10): not in a segment's report.
  const limits = scope
    ? undefined
    : await Promise.all([
        wipLimitCounts(deps.sql, project.id),
        arrivalsAndDepartures(
          deps.sql,
          project.id,
          report.window.timeZone,
          report.window.from,
          report.window.to,
        ),
      ]).then(([counts, weeks]) => ({ counts, weeks }));
  const extra = await reportExtras(deps.sql, project, report, {
    at: opts.at,
    breakdown,
    scope,
    forecast: projectGoalForecast(deps.sql),
  });
  let files: ChartFiles = opts.files ?? {};
  let chartProblem: string | undefined;
  if (!opts.files) {
    try {
      // The report already holds every WIP task when there are no more than it lists (most projects);
      // only a bigger WIP is read again for the chart, which draws more dots than the list shows.
      const [wipItems, order, signals] = await Promise.all([
        report.ageingTotal <= report.ageing.length
          ? report.ageing
          : loadMetricsSettings(deps.sql, project.id)
              .then((settings) =>
                ageingWip(deps.sql, project.id, { now: opts.at, settings: { ...settings, scope } }),
              )
              .then((w) => w.items),
        statusOrder(deps.db, project.id),
        // The ageing signals each dot carries (docs/flow-metrics.md §8.5), over the view's window.
        projectSignals(deps.sql, project.id, {
          now: opts.at,
          from: report.window.from,
          to: report.window.to,
        }),
      ]);
      const drawn = wipItems.slice(0, AGEING_CHART_MAX_POINTS);
      const images = renderReportCharts(report, drawn, order, signalsOfWip(drawn, signals));
      files = await uploadCharts(deps.client, images, `${project.channelId}-${opts.at.getTime()}`);
    } catch (err) {
      deps.logger.warn(
        { err, projectId: project.id },
        "flow report charts could not be rendered or uploaded",
      );
      chartProblem = describeSlackError(err);
    }
  }
  const encoded = opts.shareable
    ? encodeShareValue({
        p: project.id,
        d: report.window.days,
        t: opts.at.getTime(),
        ...(files.ageing ? { a: files.ageing } : {}),
        ...(files.cycleTime ? { c: files.cycleTime } : {}),
        ...(opts.segment ? { g: opts.segment.filter.dimension, v: opts.segment.filter.value } : {}),
      })
    : undefined;
  // Slack caps a button's value; a filter too long to carry leaves the private copy without the button.
  const shareValue = encoded && encoded.length <= SHARE_VALUE_LIMIT ? encoded : undefined;
  const picker = opts.picker ? chartPicker(project.id, report.window.days, opts.segment?.filter) : null;
  // Comment sentiment (docs/flow-metrics.md §14.3), for the whole project's view only.
  const sentiment = scope
    ? []
    : await sentimentReportSection(deps.sql, project.id, {
        now: opts.at,
        from: report.window.from,
        to: report.window.to,
        wip: report.ageing,
      });
  const sections = [...extra, ...sentiment];
  const message = flowViewMessage(report, {
    channelId: project.channelId,
    ...(picker ? { picker } : {}),
    at: opts.at,
    charts: files,
    ...(shareValue ? { shareValue } : {}),
    ...(opts.sharedBy ? { sharedBy: opts.sharedBy } : {}),
    ...(limits ? { limits } : {}),
    ...(sections.length > 0 ? { extra: sections } : {}),
    ...(chartProblem
      ? {
          note: `:warning: The charts could not be attached (Slack said \`${chartProblem}\`); the numbers are complete.`,
        }
      : {}),
  });
  return { kind: "view", report, files, message, ...(chartProblem ? { chartProblem } : {}) };
}

function emptyMessage(project: ReportProject, report: FlowReport): FlowViewMessage {
  const window = report.window.days;
  if (report.segment) {
    const text = `:seedling: No task whose ${escapeMrkdwn(report.segment.title)} is *${escapeMrkdwn(report.segment.value)}* finished in <#${project.channelId}> in the last ${plural(window, "day")}, and none is in progress.${window < 365 ? ` Try a longer window, e.g. \`/flow report ${Math.min(window * 4, 365)}d\`.` : ""}`;
    return { text, blocks: [{ type: "section", text: { type: "mrkdwn", text } }] };
  }
  const text = [
    `:seedling: No flow data in <#${project.channelId}> for the last ${plural(window, "day")} yet: nothing finished and nothing in progress.`,
    "• If the binding is new, its backfill may still be running — `/flow bindings` shows its progress; `/flow backfill` starts one.",
    "• Tasks count once they move into an active status (e.g. _in progress_) in the bound ClickUp lists.",
    window < 365
      ? `• Older history? Try a longer window, e.g. \`/flow report ${Math.min(window * 4, 365)}d\`.`
      : "",
  ]
    .filter(Boolean)
    .join("\n");
  return { text, blocks: [{ type: "section", text: { type: "mrkdwn", text } }] };
}
