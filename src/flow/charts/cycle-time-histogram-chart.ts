import { formatDays } from "../format-days.ts";
import { type ChartOption, type ChartSize, DEFAULT_CHART_SIZE, renderChartPng } from "./echarts-ssr.ts";
import type { PercentileLevels } from "./percentile-lines.ts";

/** Bin widths tried in turn once the longest cycle time reaches 30 days (docs/flow-metrics.md §13.4). */
const WIDER_BINS = [2, 5, 7, 14, 30, 60, 90] as const;
const MAX_BINS = 30;

export type Histogram = { width: number; counts: number[] };

/**
 * Counts values in bins [k·w, (k+1)·w): w = 1 day while the longest is under 30 days, else the first width
 * giving at most 30 bins. From 0 up to the bin of the longest value; no values → no bins.
 */
export function histogramOf(values: readonly number[]): Histogram {
  if (values.length === 0) return { width: 1, counts: [] };
  let max = 0;
  for (const v of values) if (v > max) max = v;
  let width = 1;
  if (max >= MAX_BINS) {
    width = WIDER_BINS.find((w) => Math.floor(max / w) + 1 <= MAX_BINS) ?? Math.ceil((max + 1) / MAX_BINS);
  }
  const counts = new Array<number>(Math.floor(max / width) + 1).fill(0);
  for (const v of values) counts[Math.floor(Math.max(0, v) / width)]! += 1;
  return { width, counts };
}

export type CycleTimeHistogramInput = {
  cycleDays: readonly number[];
  percentiles: PercentileLevels;
  dayUnit?: string;
  subtitle?: string;
  size?: ChartSize;
};

const LINES = [
  { key: "p50", label: "50%", color: "#2e9e5b" },
  { key: "p70", label: "70%", color: "#c9a227" },
  { key: "p85", label: "85%", color: "#e07b24" },
  { key: "p95", label: "95%", color: "#c0392b" },
] as const;

/** The cycle-time histogram: how many finished tasks took each span of days, with the percentiles as lines. */
function cycleTimeHistogramOption(input: CycleTimeHistogramInput): ChartOption {
  const { width, counts } = histogramOf(input.cycleDays);
  const bins = Math.max(counts.length, 1);
  const xMax = Math.max(bins * width, ...LINES.map((l) => (input.percentiles[l.key] ?? 0) + width));
  const plotWidth = (input.size ?? DEFAULT_CHART_SIZE).width - 70 - 60;
  const barWidth = Math.max(1, Math.floor((plotWidth / (xMax / width)) * 0.85));
  const unit = input.dayUnit ?? "days";
  return {
    title: {
      text: `Cycle-time histogram (${input.cycleDays.length} finished ${input.cycleDays.length === 1 ? "task" : "tasks"})`,
      subtext: input.subtitle ?? `bins of ${width} ${width === 1 ? "day" : "days"}`,
      left: "center",
      textStyle: { fontSize: 18 },
    },
    grid: { left: 70, right: 60, top: 95, bottom: 60 },
    xAxis: {
      type: "value",
      min: 0,
      max: xMax,
      name: `cycle time (${unit})`,
      nameLocation: "middle",
      nameGap: 32,
      splitLine: { show: false },
      axisLabel: { fontSize: 12 },
    },
    yAxis: {
      type: "value",
      name: "tasks",
      min: 0,
      // Headroom above the tallest bar for the percentile labels.
      max: Math.max(2, Math.ceil(Math.max(0, ...counts) * 1.15)),
      minInterval: 1,
      nameTextStyle: { fontSize: 12 },
    },
    series: [
      {
        type: "bar",
        barWidth,
        itemStyle: { color: "#4a6fd1" },
        data: counts.map((n, k) => [k * width + width / 2, n]),
        markLine: {
          symbol: "none",
          silent: true,
          data: LINES.flatMap((line) => {
            const v = input.percentiles[line.key];
            return v === null
              ? []
              : [
                  {
                    xAxis: v,
                    lineStyle: { color: line.color, type: "dashed", width: 1.5 },
                    label: {
                      formatter: `${line.label} ${formatDays(v, { unit: "d" })}`,
                      color: line.color,
                      fontSize: 11,
                    },
                  },
                ];
          }),
        },
      },
    ],
  };
}

export function renderCycleTimeHistogram(input: CycleTimeHistogramInput): Buffer {
  return renderChartPng(cycleTimeHistogramOption(input), input.size ?? DEFAULT_CHART_SIZE);
}
