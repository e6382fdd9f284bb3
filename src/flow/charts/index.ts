export {
  type AgeingChartInput,
  type AgeingChartPoint,
  ageingChartOption,
  renderAgeingChart,
} from "./ageing-chart.ts";
export {
  type CycleTimeChartInput,
  type CycleTimeChartPoint,
  renderCycleTimeChart,
} from "./cycle-time-chart.ts";
export { type ChartSize, renderChartSvg } from "./echarts-ssr.ts";
export type { PercentileLevels } from "./percentile-lines.ts";
