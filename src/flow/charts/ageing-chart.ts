import { type ChartOption, type ChartSize, DEFAULT_CHART_SIZE, renderChartPng } from "./echarts-ssr.ts";
import { axisMax, type PercentileLevels, percentileMarkLines, zoneColor } from "./percentile-lines.ts";

type AgeingChartPoint = {
  status: string;
  ageDays: number;
  /** Age rests on time-in-status estimates: drawn as a hollow dot. */
  estimated?: boolean;
};

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
 * coloured by the percentile zone it has reached, with the window's cycle-time percentiles as lines.
 */
export function ageingChartOption(input: AgeingChartInput): ChartOption {
  const columns = [...input.columns];
  for (const point of input.points) if (!columns.includes(point.status)) columns.push(point.status);
  const indexOf = new Map(columns.map((name, i) => [name, i]));
  const perColumn = new Map<number, number>();
  const data = input.points.map((point) => {
    const column = indexOf.get(point.status)!;
    const k = perColumn.get(column) ?? 0;
    perColumn.set(column, k + 1);
    const color = zoneColor(point.ageDays, input.percentiles);
    return {
      value: [column + jitter(k), point.ageDays],
      itemStyle: point.estimated
        ? { color: "rgba(255,255,255,0)", borderColor: color, borderWidth: 1.5 }
        : { color, opacity: 0.85 },
    };
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
    grid: { left: 70, right: 110, top: 80, bottom: columns.length > 6 ? 90 : 60 },
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
        symbolSize: input.points.length > 200 ? 6 : 9,
        data,
        markLine: { symbol: "none", silent: true, data: percentileMarkLines(input.percentiles, top) },
      },
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
