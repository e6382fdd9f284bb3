import { BarChart } from "echarts/charts";
import * as echarts from "echarts/core";
import { type ChartOption, type ChartSize, DEFAULT_CHART_SIZE, renderChartPng } from "./echarts-ssr.ts";

// Bars are registered here, where they are drawn; echarts.use is global and idempotent.
echarts.use([BarChart]);

/*
 * The forecast histogram (docs/flow-metrics.md §12.3–§12.4): how the trials' results spread, as the share
 * of trials per bin, with the 50/70/85/95% answers marked. Rendered with the Flow charts' server-side
 * stack (echarts SSR → resvg PNG).
 */

/** Bars at most: more would be too thin to read at Slack's width. */
const MAX_BINS = 60;

const LEVEL_COLORS = { 50: "#2e9e5b", 70: "#c9a227", 85: "#e07b24", 95: "#c0392b" } as const;

export type ForecastHistogramInput = {
  /** One result per trial: a total (how many) or a number of future days (when). */
  results: Int32Array;
  /** The level answers, in the results' unit. */
  levels: Record<50 | 70 | 85 | 95, number>;
  title: string;
  subtitle: string;
  /** The x axis name, e.g. "tasks finished" or "finished by". */
  axisName: string;
  /** How a result is labelled on the axis (a count, or a future day's date). */
  label: (value: number) => string;
  /** Results above this are one last bar "later" (the when forecast's horizon). */
  laterThan?: number;
  size?: ChartSize;
};

type Bin = { from: number; to: number; trials: number; later: boolean };

function binsOf(input: ForecastHistogramInput): { bins: Bin[]; width: number; min: number } {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let later = 0;
  for (const v of input.results) {
    if (input.laterThan !== undefined && v > input.laterThan) {
      later++;
      continue;
    }
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min > max) {
    min = 0;
    max = 0;
  }
  const width = Math.max(1, Math.ceil((max - min + 1) / MAX_BINS));
  const count = Math.floor((max - min) / width) + 1;
  const bins: Bin[] = Array.from({ length: count }, (_, i) => ({
    from: min + i * width,
    to: min + (i + 1) * width - 1,
    trials: 0,
    later: false,
  }));
  for (const v of input.results) {
    if (input.laterThan !== undefined && v > input.laterThan) continue;
    bins[Math.floor((v - min) / width)]!.trials++;
  }
  if (later > 0)
    bins.push({ from: input.laterThan! + 1, to: input.laterThan! + 1, trials: later, later: true });
  return { bins, width, min };
}

function histogramOption(input: ForecastHistogramInput): ChartOption {
  const { bins, width, min } = binsOf(input);
  const total = Math.max(1, input.results.length);
  const categories = bins.map((b) =>
    b.later ? "later" : b.from === b.to ? input.label(b.from) : `${input.label(b.from)}–${input.label(b.to)}`,
  );
  const binOf = (value: number) =>
    input.laterThan !== undefined && value > input.laterThan
      ? bins.length - 1
      : Math.min(bins.length - 1, Math.max(0, Math.floor((value - min) / width)));
  const marks = ([50, 70, 85, 95] as const).map((p) => ({
    xAxis: binOf(input.levels[p]),
    lineStyle: { color: LEVEL_COLORS[p], type: "dashed" as const, width: 1.5 },
    label: { formatter: `${p}%`, color: LEVEL_COLORS[p], position: "end" as const, fontSize: 12 },
  }));
  return {
    title: { text: input.title, subtext: input.subtitle, left: "center", textStyle: { fontSize: 18 } },
    grid: { left: 70, right: 40, top: 90, bottom: 80 },
    xAxis: {
      type: "category",
      data: categories,
      name: input.axisName,
      nameLocation: "middle",
      nameGap: 50,
      axisLabel: { fontSize: 11, rotate: categories.length > 20 ? 45 : 0 },
    },
    yAxis: {
      type: "value",
      name: "share of trials (%)",
      nameTextStyle: { fontSize: 12 },
      min: 0,
    },
    series: [
      {
        type: "bar",
        barCategoryGap: "10%",
        itemStyle: { color: "#4a6fd1" },
        data: bins.map((b) => Number(((b.trials / total) * 100).toFixed(2))),
        markLine: { symbol: "none", silent: true, data: marks },
      },
    ],
  };
}

/** The histogram as PNG (about 30–60 kB at the default size: far inside Slack's upload limits). */
export function renderForecastHistogram(input: ForecastHistogramInput): Buffer {
  return renderChartPng(histogramOption(input), input.size ?? DEFAULT_CHART_SIZE);
}
