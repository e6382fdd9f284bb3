import type { ActionsBlock, KnownBlock } from "@slack/types";
import type { WebClient } from "@slack/web-api";
import type { Sql } from "postgres";
import type { Db } from "../../db/connect-database.ts";
import { renderCfdChart } from "../../flow/charts/cfd-chart.ts";
import { renderCycleTimeChart } from "../../flow/charts/cycle-time-chart.ts";
import { renderCycleTimeHistogram } from "../../flow/charts/cycle-time-histogram-chart.ts";
import { type DotSignal, renderStatusAgeingChart } from "../../flow/charts/status-ageing-chart.ts";
import { renderThroughputRunChart } from "../../flow/charts/throughput-run-chart.ts";
import { computeCfd } from "../../flow/metrics/cfd.ts";
import { ageingWip } from "../../flow/metrics/compute-flow-report.ts";
import { cycleTimesOf } from "../../flow/metrics/cycle-histogram.ts";
import { cyclePercentiles, cycleScatter } from "../../flow/metrics/cycle-lead-time.ts";
import type { SegmentScope } from "../../flow/metrics/segments-scope.ts";
import { projectSignals } from "../../flow/metrics/signals.ts";
import { statusAgeing } from "../../flow/metrics/status-ageing.ts";
import { runSeries } from "../../flow/metrics/throughput-series.ts";
import { loadMetricsSettings, type MetricsSettings, windowOf } from "../../flow/metrics/window-settings.ts";
import { type ReportProject, statusOrder } from "../../flow/report-projects.ts";
import type { SegmentFilter } from "../../flow/segments/resolve-segment.ts";
import { button, clip } from "../views/block-kit.ts";
import { escapeMrkdwn, plural } from "../views/mrkdwn.ts";
import { uploadChartFile } from "./report-charts.ts";
import { segmentTitle } from "./segment-blocks.ts";

/* The chart picker of `/flow report` (docs/flow-metrics.md §13): one chart per reply, with buttons for the others. */

export const REPORT_CHARTS = ["cfd", "cfd-status", "throughput", "ageing", "cycle"] as const;
export type ReportChart = (typeof REPORT_CHARTS)[number];

/** `/flow report <name>`: the chart a first word names, if it names one. */
export function chartNamed(word: string | undefined): ReportChart | null {
  const w = (word ?? "").toLowerCase();
  return (REPORT_CHARTS as readonly string[]).includes(w) ? (w as ReportChart) : null;
}

/** The picker's buttons, one action id each (Slack wants them unique within a block). */
export const CHART_ACTION_IDS: Record<ReportChart, string> = {
  cfd: "flow_report_chart_cfd",
  "cfd-status": "flow_report_chart_cfd_status",
  throughput: "flow_report_chart_throughput",
  ageing: "flow_report_chart_ageing",
  cycle: "flow_report_chart_cycle",
};

const BUTTON_TEXT: Record<ReportChart, string> = {
  cfd: "CFD by stage",
  "cfd-status": "CFD by status",
  throughput: "Throughput",
  ageing: "Time in status",
  cycle: "Cycle time",
};

/**
 * What a picker button carries: the project (`p`), checked against the channel it is pressed in, the
 * window (`d`) and the filter as typed (`g`, `v`), resolved again. Nothing of it is trusted.
 */
export type PickerValue = { p: number; d: number; g?: string | null; v?: string };

const BUTTON_VALUE_LIMIT = 2000;
const MAX_WINDOW_DAYS = 730;

export function decodePickerValue(raw: string | undefined): PickerValue | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as Partial<PickerValue>;
    if (!Number.isSafeInteger(v.p) || !Number.isInteger(v.d) || v.d! < 1 || v.d! > MAX_WINDOW_DAYS)
      return null;
    const filter =
      typeof v.v === "string" && v.v !== "" && (v.g === undefined || v.g === null || typeof v.g === "string")
        ? { g: v.g ?? null, v: v.v }
        : {};
    return { p: v.p!, d: v.d!, ...filter };
  } catch {
    return null;
  }
}

/** The picker: a button per chart; none when the filter is too long to carry. */
export function chartPicker(
  projectId: number,
  days: number,
  filter: SegmentFilter | undefined,
): ActionsBlock | null {
  const value = JSON.stringify({
    p: projectId,
    d: days,
    ...(filter ? { g: filter.dimension, v: filter.value } : {}),
  } satisfies PickerValue);
  if (value.length > BUTTON_VALUE_LIMIT) return null;
  return {
    type: "actions",
    block_id: "flow_chart_picker",
    elements: REPORT_CHARTS.map((chart) =>
      button({ actionId: CHART_ACTION_IDS[chart], text: BUTTON_TEXT[chart], value }),
    ),
  };
}

export type ChartDeps = { db: Db; sql: Sql; client: WebClient };

type Drawn = { title: string; alt: string; png: Buffer; name: string };

const IMAGE_ALT_LIMIT = 2000;

/** At most this many dots in the per-status ageing chart (the longest in their status). */
const AGEING_DOTS = 2000;

/**
 * Computes, renders and uploads one chart of a project over `days` days up to `at` (one segment with
 * `segment`), and returns the reply: a line saying what it shows, the image(s), and the picker.
 */
export async function buildChartReply(
  deps: ChartDeps,
  project: ReportProject,
  opts: {
    chart: ReportChart;
    at: Date;
    days: number;
    segment?: { scope: SegmentScope; filter: SegmentFilter };
  },
): Promise<{ text: string; blocks: KnownBlock[] }> {
  const settings = await loadMetricsSettings(deps.sql, project.id);
  const s: MetricsSettings = opts.segment ? { ...settings, scope: opts.segment.scope } : settings;
  const { from, to } = windowOf(opts.at, opts.days);
  const which = opts.segment
    ? ` (${segmentTitle({ title: opts.segment.scope.segmenter.title, value: opts.segment.scope.value })})`
    : "";
  const unit = s.clock === "working" ? "working days" : "days";
  const drawn = await draw(deps, s, opts.chart, { from, to, unit, days: opts.days });
  const stamp = `${project.channelId}-${opts.at.getTime()}`;
  const files = await Promise.all(
    drawn.charts.map((c) => uploadChartFile(deps.client, c.png, `${c.name}-${stamp}`, c.title, c.alt)),
  );
  const text = `${drawn.summary} — <#${project.channelId}>${escapeMrkdwn(which)}, last ${plural(opts.days, "day")}.`;
  const picker = chartPicker(project.id, opts.days, opts.segment?.filter);
  const blocks: KnownBlock[] = [
    { type: "section", text: { type: "mrkdwn", text } },
    ...drawn.charts.map(
      (c, i): KnownBlock => ({
        type: "image",
        slack_file: { id: files[i]! },
        // Slack caps alt text at 2,000 characters; a long window's weeks would pass it.
        alt_text: clip(c.alt, IMAGE_ALT_LIMIT),
        title: { type: "plain_text", text: c.title },
      }),
    ),
    { type: "context", elements: [{ type: "mrkdwn", text: drawn.note }] },
    ...(picker ? [picker] : []),
  ];
  return { text, blocks };
}

async function draw(
  deps: ChartDeps,
  s: MetricsSettings,
  chart: ReportChart,
  w: { from: Date; to: Date; unit: string; days: number },
): Promise<{ summary: string; note: string; charts: Drawn[] }> {
  const { from, to } = w;
  if (chart === "cfd" || chart === "cfd-status") {
    const by = chart === "cfd" ? "stage" : "status";
    const cfd = await computeCfd(deps.sql, s, { now: to, days: w.days, by });
    const last = cfd.bands.reduce((n, b) => n + (b.counts.at(-1) ?? 0), 0);
    return {
      summary: `*Cumulative flow* by ${by}: ${plural(last, "task")} counted today`,
      note: `Each task is counted where its timeline had it at each day's end (${s.timeZone}); tasks finished before the window began are left out, so done grows from the window's start. A reopen or flow-back moves a task back. docs/flow-metrics.md §13.1`,
      charts: [
        {
          name: "cfd",
          title: `Cumulative flow by ${by}`,
          alt: `Cumulative flow diagram by ${by} over ${w.days} days: ${cfd.bands.map((b) => `${b.label} ${b.counts.at(-1) ?? 0}`).join(", ")} at the end.`,
          png: renderCfdChart({ days: cfd.days, bands: cfd.bands, by }),
        },
      ],
    };
  }
  if (chart === "throughput") {
    const series = await runSeries(deps.sql, s, from, to);
    const finished = series.weeks.reduce((n, x) => n + x.departures, 0);
    return {
      summary: `*Throughput*: ${plural(finished, "task")} finished in ${plural(series.weeks.length, "ISO week")}${series.median === null ? "" : `, median ${series.median} a week`}`,
      note: "Bars: tasks finished per ISO week (the current week so far, paler); line: tasks started; dashed: the median of the whole weeks. docs/flow-metrics.md §13.2",
      charts: [
        {
          name: "throughput",
          title: "Throughput per week",
          alt: `Throughput run chart: ${series.weeks.map((x) => `${x.label} ${x.departures} finished, ${x.arrivals} started`).join("; ")}.`,
          png: renderThroughputRunChart({
            weeks: series.weeks,
            median: series.median,
            subtitle:
              series.median === null
                ? "no whole week yet: no median"
                : `median of the whole weeks: ${series.median}`,
          }),
        },
      ],
    };
  }
  if (chart === "ageing") {
    const [ageing, order, found, wip] = await Promise.all([
      statusAgeing(deps.sql, s, { now: to, from, to, limit: AGEING_DOTS }),
      statusOrder(deps.db, s.projectId),
      projectSignals(deps.sql, s.projectId, { now: to, from, to }),
      ageingWip(deps.sql, s.projectId, { now: to, settings: s }),
    ]);
    const overSle = new Set(
      found.overSleOn ? wip.items.filter((i) => i.overThreshold).map((i) => i.caseId) : [],
    );
    const signalOf = (caseId: number): DotSignal =>
      found.found.stuck.has(caseId)
        ? "stuck"
        : overSle.has(caseId)
          ? "over_sle"
          : found.found.stalled.has(caseId)
            ? "stalled"
            : null;
    const orderOf = (status: string) => order.get(status) ?? Number.MAX_SAFE_INTEGER;
    const columns = [...ageing.columns].sort(
      (a, b) => orderOf(a.status) - orderOf(b.status) || a.status.localeCompare(b.status),
    );
    const shown = ageing.points.length < ageing.wip ? ` (the ${ageing.points.length} longest shown)` : "";
    return {
      summary: `*Time in status* of ${plural(ageing.wip, "task")} in progress${shown}`,
      note: "One column per status: each task in progress at its time in its current status (earlier visits included), over that status's 50/70/85/95% bands from the window's finished tasks; colour: stuck, over SLE, stalled. docs/flow-metrics.md §13.3",
      charts: [
        {
          name: "time-in-status",
          title: "Time in status of work in progress",
          alt: `Per-status ageing: ${columns.map((c) => `${c.status} (${c.bands ? `85% ${c.bands.p85.toFixed(1)} d` : "too few finished"})`).join(", ")}.`,
          png: renderStatusAgeingChart({
            columns: columns.map((c) => ({ status: c.status, n: c.n, bands: c.bands })),
            points: ageing.points.map((p) => ({
              status: p.status,
              days: p.days,
              estimated: p.estimated,
              signal: signalOf(p.caseId),
            })),
            dayUnit: w.unit,
            total: ageing.wip,
          }),
        },
      ],
    };
  }
  const [times, levels, scatter] = await Promise.all([
    cycleTimesOf(deps.sql, s, from, to),
    cyclePercentiles(deps.sql, s, from, to),
    cycleScatter(deps.sql, s, from, to, 2000),
  ]);
  const percentiles = { p50: levels.p50, p70: levels.p70, p85: levels.p85, p95: levels.p95 };
  return {
    summary: `*Cycle time* of ${plural(times.length, "finished task")}${levels.p85 === null ? "" : `: 85% within ${levels.p85.toFixed(1)} ${w.unit}`}`,
    note: "Histogram: finished tasks per span of cycle time; scatterplot: each finished task by its finish date; dashed: the 50/70/85/95% percentiles. docs/flow-metrics.md §13.4",
    charts: [
      {
        name: "cycle-time-histogram",
        title: "Cycle-time histogram",
        alt: `Cycle-time histogram of ${plural(times.length, "finished task")} with percentile lines.`,
        png: renderCycleTimeHistogram({ cycleDays: times, percentiles, dayUnit: w.unit }),
      },
      {
        name: "cycle-time",
        title: "Cycle time",
        alt: `Cycle time scatterplot of ${plural(scatter.length, "finished task")} by finish date.`,
        png: renderCycleTimeChart({
          points: scatter.map((p) => ({
            finishedAt: p.finishedAt,
            cycleDays: p.cycleDays,
            estimated: p.estimated,
          })),
          percentiles,
          from,
          to,
          timeZone: s.timeZone,
          dayUnit: w.unit,
        }),
      },
    ],
  };
}
