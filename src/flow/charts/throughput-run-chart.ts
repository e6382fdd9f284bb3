import { type ChartOption, type ChartSize, DEFAULT_CHART_SIZE, renderChartPng } from "./echarts-ssr.ts";

type RunChartWeek = {
  /** ISO year and week, e.g. 2026-W53. */
  label: string;
  arrivals: number;
  departures: number;
  /** The current week, counted up to now. */
  partial?: boolean;
};

export type ThroughputRunChartInput = {
  weeks: readonly RunChartWeek[];
  /** The median of the whole weeks' departures (docs/flow-metrics.md §13.2), or null with none. */
  median: number | null;
  subtitle?: string;
  size?: ChartSize;
};

/**
 * The throughput run chart with arrivals: a bar per ISO week for its departures (its throughput), the
 * week so far paler, arrivals as a line over them, and the median of the whole weeks as a dashed line.
 */
function throughputRunChartOption(input: ThroughputRunChartInput): ChartOption {
  const bars = input.weeks.map((w) => ({
    value: w.departures,
    itemStyle: { color: w.partial ? "#b9c7ee" : "#4a6fd1" },
  }));
  const top = Math.max(1, ...input.weeks.flatMap((w) => [w.arrivals, w.departures]), input.median ?? 0);
  return {
    title: {
      text: `Throughput per week (${input.weeks.reduce((n, w) => n + w.departures, 0)} finished)`,
      subtext: input.subtitle ?? "",
      left: "center",
      textStyle: { fontSize: 18 },
    },
    legend: {
      top: 62,
      itemGap: 24,
      data: ["departures (finished)", "arrivals (started)"],
      textStyle: { fontSize: 12 },
    },
    grid: { left: 70, right: 110, top: 100, bottom: input.weeks.length > 14 ? 80 : 50 },
    xAxis: {
      type: "category",
      data: input.weeks.map((w) => (w.partial ? `${w.label} (so far)` : w.label)),
      axisLabel: { fontSize: 11, interval: 0, rotate: input.weeks.length > 14 ? 45 : 0 },
    },
    yAxis: {
      type: "value",
      name: "tasks",
      min: 0,
      max: top <= 10 ? Math.ceil(top * 1.15) : undefined,
      minInterval: 1,
      nameTextStyle: { fontSize: 12 },
    },
    series: [
      {
        type: "bar",
        name: "departures (finished)",
        itemStyle: { color: "#4a6fd1" },
        barMaxWidth: 48,
        data: bars,
        ...(input.median === null
          ? {}
          : {
              markLine: {
                symbol: "none",
                silent: true,
                data: [
                  {
                    yAxis: input.median,
                    lineStyle: { color: "#e07b24", type: "dashed", width: 2 },
                    label: {
                      formatter: `median ${input.median}`,
                      position: "end",
                      color: "#e07b24",
                      fontSize: 12,
                    },
                  },
                ],
              },
            }),
      },
      {
        type: "line",
        name: "arrivals (started)",
        symbol: "circle",
        symbolSize: 6,
        itemStyle: { color: "#7d3c98" },
        lineStyle: { color: "#7d3c98", width: 2 },
        data: input.weeks.map((w) => w.arrivals),
      },
    ],
  };
}

export function renderThroughputRunChart(input: ThroughputRunChartInput): Buffer {
  return renderChartPng(throughputRunChartOption(input), input.size ?? DEFAULT_CHART_SIZE);
}
