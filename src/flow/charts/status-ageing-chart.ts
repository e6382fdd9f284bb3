import { formatDays } from "../format-days.ts";
import { type ChartOption, type ChartSize, DEFAULT_CHART_SIZE, renderChartPng } from "./echarts-ssr.ts";
import type { PercentileLevels } from "./percentile-lines.ts";

/** The signal a dot is coloured by: the first it carries of stuck, over SLE, stalled (§13.3). */
export type DotSignal = "stuck" | "over_sle" | "stalled" | null;

type StatusAgeingColumn = {
  status: string;
  /** The status's percentiles of finished cases' time in it, or null with too few (§13.3). */
  bands: PercentileLevels | null;
  /** How many finished cases the bands come from. */
  n: number;
};

export type StatusAgeingInput = {
  /** Left to right, in workflow order. Statuses of points not listed are appended. */
  columns: readonly StatusAgeingColumn[];
  points: readonly { status: string; days: number; estimated?: boolean; signal: DotSignal }[];
  /** Every task in progress, when only the longest in their status are drawn. */
  total?: number;
  dayUnit?: string;
  subtitle?: string;
  size?: ChartSize;
};

const SIGNAL_STYLE: { signal: DotSignal; name: string; color: string }[] = [
  { signal: "stuck", name: "stuck in status", color: "#7d3c98" },
  { signal: "over_sle", name: "over SLE", color: "#c0392b" },
  { signal: "stalled", name: "stalled", color: "#34495e" },
  { signal: null, name: "no signal", color: "#5b7bd5" },
];

/** Health zones between the percentiles: up to p50, p50–p70, p70–p85, p85–p95. */
const ZONES = [
  { from: null, to: "p50", color: "rgba(46,158,91,0.16)" },
  { from: "p50", to: "p70", color: "rgba(201,162,39,0.16)" },
  { from: "p70", to: "p85", color: "rgba(224,123,36,0.18)" },
  { from: "p85", to: "p95", color: "rgba(192,57,43,0.16)" },
] as const;

const LABEL_MAX = 16;

/**
 * Per-status ageing (docs/flow-metrics.md §13.3): one column per status, each WIP task a dot at its time
 * in its current status, coloured by signal, over that status's own percentile bands.
 */
function statusAgeingChartOption(input: StatusAgeingInput): ChartOption {
  const columns = [...input.columns];
  for (const p of input.points) {
    if (!columns.some((c) => c.status === p.status)) columns.push({ status: p.status, bands: null, n: 0 });
  }
  const index = new Map(columns.map((c, i) => [c.status, i]));
  const perColumn = new Map<number, number>();
  const dotSize = input.points.length > 200 ? 6 : 9;
  let top = 1;
  for (const p of input.points) top = Math.max(top, p.days);
  for (const c of columns)
    if (c.bands?.p95 !== null && c.bands?.p95 !== undefined) top = Math.max(top, c.bands.p95);
  top = top * 1.08 <= 10 ? Math.ceil(top * 1.08) : Math.ceil((top * 1.08) / 5) * 5;

  const dots = SIGNAL_STYLE.flatMap((style) => {
    const data = input.points.flatMap((p) => {
      if (p.signal !== style.signal) return [];
      const column = index.get(p.status)!;
      const k = perColumn.get(column) ?? 0;
      perColumn.set(column, k + 1);
      return [
        {
          value: [column + jitter(k), p.days],
          itemStyle: p.estimated
            ? { color: "rgba(255,255,255,0)", borderColor: style.color, borderWidth: 1.5 }
            : { color: style.color, opacity: 0.85 },
        },
      ];
    });
    if (data.length === 0) return [];
    return [
      {
        type: "scatter",
        name: style.name,
        xAxisIndex: 1,
        symbolSize: dotSize,
        itemStyle: { color: style.color },
        data,
      },
    ];
  });
  // The bands are drawn by a series of their own (no dots), one rectangle per zone and column.
  const areas = columns.flatMap((c, i) => {
    const bands = c.bands;
    if (!bands) return [];
    return ZONES.flatMap((zone) => {
      const low = zone.from === null ? 0 : bands[zone.from];
      const high = bands[zone.to];
      if (low === null || high === null || high <= low) return [];
      return [
        [
          { xAxis: i - 0.45, yAxis: low, itemStyle: { color: zone.color } },
          { xAxis: i + 0.45, yAxis: high },
        ],
      ];
    });
  });
  const ticks = columns.flatMap((c, i) => {
    const p85 = c.bands?.p85;
    return p85 === null || p85 === undefined
      ? []
      : [
          {
            value: [i + 0.45, p85],
            label: {
              show: true,
              formatter: `85% ${formatDays(p85, { unit: "d" })}`,
              position: "right",
              fontSize: 10,
              color: "#a04000",
            },
          },
        ];
  });
  const unit = input.dayUnit ?? "days";
  return {
    title: {
      text: `Time in status of work in progress (${
        input.total !== undefined && input.total > input.points.length
          ? `the ${input.points.length} longest of ${input.total} tasks`
          : `${input.points.length} ${input.points.length === 1 ? "task" : "tasks"}`
      })`,
      subtext: input.subtitle ?? "",
      left: "center",
      textStyle: { fontSize: 18 },
    },
    legend: { top: 62, itemGap: 24, data: dots.map((d) => d.name), textStyle: { fontSize: 12 } },
    grid: { left: 70, right: 60, top: 100, bottom: columns.length > 6 ? 90 : 60 },
    xAxis: [
      {
        type: "category",
        data: columns.map((c) => {
          const name = c.status.length > LABEL_MAX ? `${c.status.slice(0, LABEL_MAX - 1)}…` : c.status;
          return c.bands ? name : `${name}\n(too few finished)`;
        }),
        boundaryGap: true,
        axisTick: { show: false },
        axisLabel: { interval: 0, rotate: columns.length > 6 ? 30 : 0, fontSize: 12 },
      },
      { type: "value", show: false, min: -0.5, max: Math.max(columns.length - 0.5, 0.5) },
    ],
    yAxis: {
      type: "value",
      name: `time in status (${unit})`,
      nameTextStyle: { fontSize: 12 },
      min: 0,
      max: top,
      axisLine: { onZero: false },
    },
    series: [
      {
        type: "scatter",
        name: "bands",
        xAxisIndex: 1,
        symbolSize: 0,
        silent: true,
        data: ticks,
        markArea: { silent: true, data: areas },
      },
      ...dots,
    ],
  };
}

export function renderStatusAgeingChart(input: StatusAgeingInput): Buffer {
  return renderChartPng(statusAgeingChartOption(input), input.size ?? DEFAULT_CHART_SIZE);
}

/** Deterministic spread within a column (golden-ratio sequence), as the ageing chart spreads its dots. */
function jitter(k: number): number {
  return (((k * 0.6180339887) % 1) - 0.5) * 0.7;
}
