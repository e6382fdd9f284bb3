import { BarChart, LineChart, ScatterChart } from "echarts/charts";
import {
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TitleComponent,
} from "echarts/components";
import * as echarts from "echarts/core";
import { SVGRenderer } from "echarts/renderers";
import { CHART_FONT_FAMILY, svgToPng } from "./render-png.ts";

echarts.use([
  ScatterChart,
  LineChart,
  BarChart,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TitleComponent,
  SVGRenderer,
]);

export type ChartSize = { width: number; height: number };
export const DEFAULT_CHART_SIZE: ChartSize = { width: 1000, height: 560 };

/** Option objects are built by the chart modules; echarts' own option type is too loose to help here. */
export type ChartOption = Record<string, unknown>;

/** Renders an echarts option server-side (SVG, no DOM) and rasterises it to PNG. */
export function renderChartPng(option: ChartOption, size: ChartSize = DEFAULT_CHART_SIZE): Buffer {
  return svgToPng(renderChartSvg(option, size));
}

/** The chart as SVG text, drawn by echarts' server-side renderer. */
export function renderChartSvg(option: ChartOption, size: ChartSize = DEFAULT_CHART_SIZE): string {
  const chart = echarts.init(null, null, {
    renderer: "svg",
    ssr: true,
    width: size.width,
    height: size.height,
  });
  try {
    chart.setOption({
      animation: false,
      backgroundColor: "#ffffff",
      textStyle: { fontFamily: CHART_FONT_FAMILY },
      ...option,
    });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
