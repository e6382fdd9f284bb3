import type { WebClient } from "@slack/web-api";
import type { Sql } from "postgres";
import type { Db } from "../../db/connect-database.ts";
import { ageingWip, computeFlowReport } from "../../flow/metrics/index.ts";
import { projectSignals, signalsOfWip } from "../../flow/metrics/signals.ts";
import type { FlowReport } from "../../flow/metrics/types.ts";
import { type ReportProject, statusOrder } from "../../flow/report-projects.ts";
import type { Logger } from "../../log/create-logger.ts";
import { describeSlackError } from "../views/block-kit.ts";
import { plural } from "../views/mrkdwn.ts";
import { type ChartFiles, type FlowViewMessage, flowViewMessage, reportIsEmpty } from "./flow-view-blocks.ts";
import { renderReportCharts, uploadCharts } from "./report-charts.ts";

/** The ageing chart draws at most this many dots (the oldest); more would only blur into a band. */
const AGEING_CHART_MAX_POINTS = 2000;

/** What the "Share to channel" button carries: enough to rebuild the same view without a database row. */
export type ShareValue = { p: number; d: number; t: number; a?: string; c?: string };

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
    return { p: v.p!, d: v.d!, t: v.t!, ...(a ? { a } : {}), ...(c ? { c } : {}) };
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
  opts: { at: Date; windowDays: number; shareable: boolean; files?: ChartFiles; sharedBy?: string },
): Promise<BuiltReport> {
  const report = await computeFlowReport(deps.sql, project.id, { now: opts.at, windowDays: opts.windowDays });
  if (reportIsEmpty(report)) {
    return { kind: "empty", message: emptyMessage(project, report) };
  }
  let files: ChartFiles = opts.files ?? {};
  let chartProblem: string | undefined;
  if (!opts.files) {
    try {
      // The report already holds every WIP task when there are no more than it lists (most projects);
      // only a bigger WIP is read again for the chart, which draws more dots than the list shows.
      const [wipItems, order, signals] = await Promise.all([
        report.ageingTotal <= report.ageing.length
          ? report.ageing
          : ageingWip(deps.sql, project.id, { now: opts.at }).then((w) => w.items),
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
  const shareValue = opts.shareable
    ? encodeShareValue({
        p: project.id,
        d: report.window.days,
        t: opts.at.getTime(),
        ...(files.ageing ? { a: files.ageing } : {}),
        ...(files.cycleTime ? { c: files.cycleTime } : {}),
      })
    : undefined;
  const message = flowViewMessage(report, {
    channelId: project.channelId,
    at: opts.at,
    charts: files,
    ...(shareValue ? { shareValue } : {}),
    ...(opts.sharedBy ? { sharedBy: opts.sharedBy } : {}),
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
