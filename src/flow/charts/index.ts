export { ageingChartOption, renderAgeingChart } from "./ageing-chart.ts";
export { renderCycleTimeChart } from "./cycle-time-chart.ts";
export { renderChartSvg } from "./echarts-ssr.ts";
