import type { FlowStage } from "../stage-mapping.ts";
import { type ChartOption, type ChartSize, DEFAULT_CHART_SIZE, renderChartPng } from "./echarts-ssr.ts";

export type CfdChartInput = {
  /** Local dates YYYY-MM-DD, oldest first. */
  days: readonly string[];
  /** Bottom band first (docs/flow-metrics.md §13.1). */
  bands: readonly { label: string; stage: FlowStage; counts: readonly number[] }[];
  by: "stage" | "status";
  subtitle?: string;
  size?: ChartSize;
};

/** Stage colours; a status band takes a shade of its stage's colour. */
const STAGE_COLORS: Record<FlowStage, readonly string[]> = {
  done: ["#2e9e5b", "#5cb87f", "#8fd1a6"],
  blocked: ["#c0392b", "#d9675b", "#e9968d"],
  active: ["#4a6fd1", "#2aa1b3", "#8e6bd1", "#9db3ea", "#1f6f8b", "#b39ddb"],
  not_started: ["#9aa3ad", "#b9c0c7", "#d5dade"],
};

const STAGE_NAMES: Record<FlowStage, string> = {
  done: "done",
  blocked: "blocked",
  active: "active",
  not_started: "not started",
};

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "2026-03-05" → "5 Mar": the dates are local already, so no zone conversion. */
function dayLabel(day: string): string {
  const [, m, d] = day.split("-");
  return `${Number(d)} ${MONTHS[Number(m) - 1] ?? ""}`;
}

/** The cumulative flow diagram: one stacked area per stage or status, the last stage at the bottom. */
function cfdChartOption(input: CfdChartInput): ChartOption {
  const used = new Map<FlowStage, number>();
  const series = input.bands.map((band) => {
    const k = used.get(band.stage) ?? 0;
    used.set(band.stage, k + 1);
    const shades = STAGE_COLORS[band.stage];
    const color = shades[k % shades.length]!;
    return {
      type: "line",
      name: input.by === "stage" ? STAGE_NAMES[band.stage] : band.label,
      stack: "cfd",
      symbol: "none",
      // A single day has no area to draw: show it as a point.
      ...(input.days.length === 1 ? { symbol: "circle", symbolSize: 8 } : {}),
      lineStyle: { width: 0.5, color },
      itemStyle: { color },
      areaStyle: { color, opacity: 0.9 },
      data: [...band.counts],
    };
  });
  const total = input.days.map((_, i) => input.bands.reduce((sum, b) => sum + (b.counts[i] ?? 0), 0));
  const top = Math.max(1, ...total);
  return {
    title: {
      text: `Cumulative flow (${input.days.length} ${input.days.length === 1 ? "day" : "days"}, by ${input.by})`,
      subtext: input.subtitle ?? "",
      left: "center",
      textStyle: { fontSize: 18 },
    },
    legend: {
      top: 62,
      itemGap: 20,
      // The legend reads top to bottom like the bands.
      data: [...series].reverse().map((s) => s.name),
      textStyle: { fontSize: 12 },
      itemWidth: 14,
      itemHeight: 10,
    },
    grid: { left: 70, right: 40, top: 100, bottom: 50 },
    xAxis: {
      type: "category",
      boundaryGap: false,
      data: input.days.map(dayLabel),
      axisLabel: { fontSize: 12 },
    },
    yAxis: {
      type: "value",
      name: "tasks",
      min: 0,
      max: top <= 10 ? Math.ceil(top * 1.1) || 1 : undefined,
      minInterval: 1,
      nameTextStyle: { fontSize: 12 },
    },
    series,
  };
}

export function renderCfdChart(input: CfdChartInput): Buffer {
  return renderChartPng(cfdChartOption(input), input.size ?? DEFAULT_CHART_SIZE);
}
