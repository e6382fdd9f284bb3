import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Resvg } from "@resvg/resvg-js";

/**
 * SVG → PNG with resvg. Fonts come from the `dejavu-fonts-ttf` package, loaded explicitly, so text renders
 * the same on a machine without any system fonts.
 */
const require = createRequire(import.meta.url);
const fontDir = join(dirname(require.resolve("dejavu-fonts-ttf/package.json")), "ttf");

export const CHART_FONT_FAMILY = "DejaVu Sans";
const FONT_FILES = [join(fontDir, "DejaVuSans.ttf"), join(fontDir, "DejaVuSans-Bold.ttf")];

export function svgToPng(svg: string): Buffer {
  return rasterise(svg).asPng();
}

/** The rendered image; `pixels` is RGBA, row by row. */
export function rasterise(svg: string) {
  const resvg = new Resvg(svg, {
    background: "#ffffff",
    font: {
      loadSystemFonts: false,
      fontFiles: FONT_FILES,
      defaultFontFamily: CHART_FONT_FAMILY,
      sansSerifFamily: CHART_FONT_FAMILY,
    },
  });
  return resvg.render();
}
