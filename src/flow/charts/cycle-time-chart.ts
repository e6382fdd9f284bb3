import { type ChartOption, type ChartSize, DEFAULT_CHART_SIZE, renderChartPng } from "./echarts-ssr.ts";
import { axisMax, type PercentileLevels, percentileMarkLines, zoneColor } from "./percentile-lines.ts";

type CycleTimeChartPoint = {
  finishedAt: Date;
  cycleDays: number;
  /** Cycle time rests on time-in-status estimates: drawn as a hollow dot. */
  estimated?: boolean;
};

export type CycleTimeChartInput = {
  points: readonly CycleTimeChartPoint[];
  percentiles: PercentileLevels;
  /** The window the points come from; the x axis spans it. */
  from: Date;
  to: Date;
  /** IANA zone the date labels are written in. */
  timeZone: string;
  dayUnit?: string;
  subtitle?: string;
  size?: ChartSize;
};

/** The cycle-time scatterplot: a dot per finished task (finish date × cycle time) with percentile lines. */
function cycleTimeChartOption(input: CycleTimeChartInput): ChartOption {
  const dateLabel = new Intl.DateTimeFormat("en-US", {
    day: "numeric",
    month: "short",
    timeZone: input.timeZone,
  });
  const data = input.points.map((point) => {
    const color = zoneColor(point.cycleDays, input.percentiles);
    return {
      value: [point.finishedAt.getTime(), point.cycleDays],
      itemStyle: point.estimated
        ? { color: "rgba(255,255,255,0)", borderColor: color, borderWidth: 1.5 }
        : { color, opacity: 0.85 },
    };
  });
  const unit = input.dayUnit ?? "days";
  const top = axisMax(
    input.points.map((p) => p.cycleDays),
    input.percentiles,
  );
  return {
    title: {
      text: `Cycle time (${input.points.length} finished ${input.points.length === 1 ? "task" : "tasks"})`,
      subtext: input.subtitle ?? "",
      left: "center",
      textStyle: { fontSize: 18 },
    },
    grid: { left: 70, right: 110, top: 80, bottom: 60 },
    xAxis: {
      type: "value",
      name: "finished",
      nameLocation: "middle",
      nameGap: 32,
      min: input.from.getTime(),
      max: input.to.getTime(),
      splitNumber: 6,
      axisLine: { onZero: false },
      splitLine: { show: false },
      axisLabel: {
        fontSize: 12,
        showMaxLabel: false,
        formatter: (value: number) => dateLabel.format(new Date(value)),
      },
    },
    yAxis: {
      type: "value",
      axisLine: { onZero: false },
      name: `cycle time (${unit})`,
      nameTextStyle: { fontSize: 12 },
      min: 0,
      max: axisMax(
        input.points.map((p) => p.cycleDays),
        input.percentiles,
      ),
    },
    series: [
      {
        type: "scatter",
        symbolSize: input.points.length > 200 ? 6 : 9,
        data,
        markLine: { symbol: "none", silent: true, data: percentileMarkLines(input.percentiles, top) },
      },
    ],
  };
}

export function renderCycleTimeChart(input: CycleTimeChartInput): Buffer {
  return renderChartPng(cycleTimeChartOption(input), input.size ?? DEFAULT_CHART_SIZE);
}
