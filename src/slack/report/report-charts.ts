import type { WebClient } from "@slack/web-api";
import { renderAgeingChart, renderCycleTimeChart } from "../../flow/charts/index.ts";
import type { SignalKind } from "../../flow/metrics/signals.ts";
import type { AgeingItem, FlowReport } from "../../flow/metrics/types.ts";
import type { ChartFiles } from "./flow-view-blocks.ts";

export type ChartImages = { ageing: Buffer; cycleTime: Buffer | null };

/**
 * Renders the report's two charts. `wip` is every task in progress (the report's own ageing list is capped);
 * columns follow the workflow order of the statuses; `signals` marks the ageing signals each task carries.
 */
export function renderReportCharts(
  report: FlowReport,
  wip: readonly AgeingItem[],
  order: ReadonlyMap<string, number>,
  signals: ReadonlyMap<number, readonly SignalKind[]> = new Map(),
): ChartImages {
  const levels = {
    p50: report.cycleTime.p50,
    p70: report.cycleTime.p70,
    p85: report.cycleTime.p85,
    p95: report.cycleTime.p95,
  };
  const unit = report.window.clock === "working" ? "working days" : "days";
  const columns = [...new Set(wip.map((item) => item.status))].sort(
    (a, b) =>
      (order.get(a) ?? Number.MAX_SAFE_INTEGER) - (order.get(b) ?? Number.MAX_SAFE_INTEGER) ||
      a.localeCompare(b),
  );
  const ageing = renderAgeingChart({
    columns,
    points: wip.map((item) => ({
      status: item.status,
      ageDays: item.ageDays,
      estimated: item.estimated,
      signals: signals.get(item.caseId) ?? [],
    })),
    percentiles: levels,
    dayUnit: unit,
    subtitle: `dashed lines: cycle-time percentiles of the last ${report.window.days} days · hollow dots: estimated${
      wip.some((item) => signals.has(item.caseId)) ? " · outlines: ageing signals" : ""
    }`,
  });
  const cycleTime =
    report.cycleScatter.length === 0
      ? null
      : renderCycleTimeChart({
          points: report.cycleScatter.map((p) => ({
            finishedAt: p.finishedAt,
            cycleDays: p.cycleDays,
            estimated: p.estimated,
          })),
          percentiles: levels,
          from: report.window.from,
          to: report.window.to,
          timeZone: report.window.timeZone,
          dayUnit: unit,
          subtitle: `tasks finished in the last ${report.window.days} days · hollow dots: estimated`,
        });
  return { ageing, cycleTime };
}

/**
 * Uploads the charts with Slack's external upload flow (files.getUploadURLExternal → POST → files.completeUploadExternal)
 * without sharing them anywhere; messages show them through image blocks that name the file id.
 */
export async function uploadCharts(
  client: WebClient,
  images: ChartImages,
  stamp: string,
): Promise<ChartFiles> {
  const upload = (file: Buffer, name: string, title: string, alt: string) =>
    uploadChartFile(client, file, `${name}-${stamp}`, title, alt);
  const [ageing, cycleTime] = await Promise.all([
    upload(images.ageing, "ageing-wip", "Ageing work in progress", "Ageing work in progress chart"),
    images.cycleTime
      ? upload(images.cycleTime, "cycle-time", "Cycle time", "Cycle time scatterplot")
      : Promise.resolve(undefined),
  ]);
  return { ageing, ...(cycleTime ? { cycleTime } : {}) };
}

/** Uploads one PNG without sharing it anywhere and returns its file id, for an image block. */
export async function uploadChartFile(
  client: WebClient,
  file: Buffer,
  name: string,
  title: string,
  alt: string,
): Promise<string> {
  const result = await client.filesUploadV2({ file, filename: `${name}.png`, title, alt_text: alt });
  const id = result.files[0]?.files?.[0]?.id;
  if (!id) throw new Error(`Slack did not return a file id for ${name}`);
  return id;
}
