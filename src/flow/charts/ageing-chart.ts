import { type ChartOption, type ChartSize, DEFAULT_CHART_SIZE, renderChartPng } from "./echarts-ssr.ts";
import { axisMax, type PercentileLevels, percentileMarkLines, zoneColor } from "./percentile-lines.ts";

/** The ageing signals a dot can carry (docs/flow-metrics.md §8). */
type ChartSignal = "over_sle" | "stuck" | "stalled";

type AgeingChartPoint = {
  status: string;
  ageDays: number;
  /** Age rests on time-in-status estimates: drawn as a hollow dot. */
  estimated?: boolean;
  /** The signals the task carries, each drawn as an outline of its own around the dot. */
  signals?: readonly ChartSignal[];
};

/**
 * How each signal is marked: an outline of its own shape and colour around the dot, nested by size so a
 * dot carrying several shows each (docs/flow-metrics.md §8.5); the legend names them.
 */
const SIGNAL_MARKS: readonly {
  signal: ChartSignal;
  name: string;
  symbol: string;
  grow: number;
  color: string;
}[] = [
  { signal: "over_sle", name: "over SLE", symbol: "circle", grow: 6, color: "#c0392b" },
  { signal: "stuck", name: "stuck in status", symbol: "diamond", grow: 11, color: "#7d3c98" },
  { signal: "stalled", name: "stalled", symbol: "rect", grow: 15, color: "#34495e" },
];

export type AgeingChartInput = {
  /** Workflow status columns, left to right (ClickUp's order). Statuses of points not listed are appended. */
  columns: readonly string[];
  points: readonly AgeingChartPoint[];
  /** Cycle-time percentiles of the window, drawn as horizontal lines. */
  percentiles: PercentileLevels;
  /** e.g. "calendar days" or "working days". */
  dayUnit?: string;
  /** Shown under the title, e.g. the window the percentiles come from. */
  subtitle?: string;
  size?: ChartSize;
};

const LABEL_MAX = 16;

/**
 * The ageing-WIP chart: one column per workflow status, a dot per task in progress at the height of its age,
 * coloured by the percentile zone it has reached, with the window's cycle-time percentiles as lines and an
 * outline around the dot for each ageing signal it carries (named in the legend).
 */
export function ageingChartOption(input: AgeingChartInput): ChartOption {
  const columns = [...input.columns];
  for (const point of input.points) if (!columns.includes(point.status)) columns.push(point.status);
  const indexOf = new Map(columns.map((name, i) => [name, i]));
  const perColumn = new Map<number, number>();
  const positions = input.points.map((point) => {
    const column = indexOf.get(point.status)!;
    const k = perColumn.get(column) ?? 0;
    perColumn.set(column, k + 1);
    return [column + jitter(k), point.ageDays];
  });
  const data = input.points.map((point, i) => {
    const color = zoneColor(point.ageDays, input.percentiles);
    return {
      value: positions[i]!,
      itemStyle: point.estimated
        ? { color: "rgba(255,255,255,0)", borderColor: color, borderWidth: 1.5 }
        : { color, opacity: 0.85 },
    };
  });
  const dotSize = input.points.length > 200 ? 6 : 9;
  // One outline series per signal some task carries, at the dots' own positions.
  const marks = SIGNAL_MARKS.flatMap((mark) => {
    const at = positions.filter((_, i) => input.points[i]!.signals?.includes(mark.signal));
    if (at.length === 0) return [];
    return [
      {
        type: "scatter",
        name: mark.name,
        xAxisIndex: 1,
        symbol: mark.symbol,
        symbolSize: dotSize + mark.grow,
        silent: true,
        itemStyle: { color: "rgba(255,255,255,0)", borderColor: mark.color, borderWidth: 1.5 },
        data: at,
      },
    ];
  });
  const unit = input.dayUnit ?? "days";
  const top = axisMax(
    input.points.map((p) => p.ageDays),
    input.percentiles,
  );
  return {
    title: {
      text: `Ageing work in progress (${input.points.length} ${input.points.length === 1 ? "task" : "tasks"})`,
      subtext: input.subtitle ?? "",
      left: "center",
      textStyle: { fontSize: 18 },
    },
    ...(marks.length
      ? {
          legend: {
            top: 70,
            itemGap: 18,
            right: 110,
            data: marks.map((m) => m.name),
            itemWidth: 14,
            itemHeight: 14,
            textStyle: { fontSize: 12 },
          },
        }
      : {}),
    grid: { left: 70, right: 110, top: marks.length ? 105 : 80, bottom: columns.length > 6 ? 90 : 60 },
    // A category axis draws the column names; the data lives on a hidden value axis over the same span,
    // so dots can spread sideways within their column.
    xAxis: [
      {
        type: "category",
        data: columns.map((name) => (name.length > LABEL_MAX ? `${name.slice(0, LABEL_MAX - 1)}…` : name)),
        boundaryGap: true,
        axisTick: { show: false },
        axisLabel: { interval: 0, rotate: columns.length > 6 ? 30 : 0, fontSize: 12 },
      },
      { type: "value", show: false, min: -0.5, max: Math.max(columns.length - 0.5, 0.5) },
    ],
    yAxis: {
      type: "value",
      axisLine: { onZero: false },
      name: `age (${unit})`,
      nameTextStyle: { fontSize: 12 },
      min: 0,
      max: axisMax(
        input.points.map((p) => p.ageDays),
        input.percentiles,
      ),
    },
    series: [
      {
        type: "scatter",
        xAxisIndex: 1,
        symbolSize: dotSize,
        data,
        markLine: { symbol: "none", silent: true, data: percentileMarkLines(input.percentiles, top) },
      },
      ...marks,
    ],
  };
}

export function renderAgeingChart(input: AgeingChartInput): Buffer {
  return renderChartPng(ageingChartOption(input), input.size ?? DEFAULT_CHART_SIZE);
}

/** Deterministic spread of the dots within a column (golden-ratio sequence), so the same data draws the same. */
function jitter(k: number): number {
  return (((k * 0.6180339887) % 1) - 0.5) * 0.7;
}
