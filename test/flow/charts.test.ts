import { describe, expect, it } from "vitest";
import {
  ageingChartOption,
  renderAgeingChart,
  renderChartSvg,
  renderCycleTimeChart,
} from "../../src/flow/charts/index.ts";
import { rasterise } from "../../src/flow/charts/render-png.ts";
import { pngInfo } from "./png.ts";

const LEVELS = { p50: 3.2, p70: 5.5, p85: 9.1, p95: 16.4 };
const COLUMNS = ["in progress", "blocked by vendor", "review", "qa"];
const TO = new Date("2026-11-23T12:00:00Z");
const FROM = new Date(TO.getTime() - 90 * 86_400_000);

function ageingPoints(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    status: COLUMNS[i % COLUMNS.length]!,
    ageDays: ((i * 7919) % 300) / 10,
    estimated: i % 13 === 0,
  }));
}

function cyclePoints(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    finishedAt: new Date(FROM.getTime() + (((i * 104_729) % 1000) / 1000) * 90 * 86_400_000),
    cycleDays: ((i * 7919) % 250) / 10,
    estimated: i % 11 === 0,
  }));
}

/** Share of pixels that are not (near) white: a blank or text-less render has next to none. */
function inkShare(pixels: Buffer): number {
  let ink = 0;
  for (let i = 0; i < pixels.length; i += 4) {
    if (pixels[i]! < 200 || pixels[i + 1]! < 200 || pixels[i + 2]! < 200) ink += 1;
  }
  return ink / (pixels.length / 4);
}

describe("Flow charts", () => {
  it("renders the ageing-WIP chart as a PNG of the requested size", () => {
    const png = renderAgeingChart({
      columns: COLUMNS,
      points: ageingPoints(40),
      percentiles: LEVELS,
      size: { width: 900, height: 500 },
    });
    expect(pngInfo(png)).toEqual({ signatureOk: true, width: 900, height: 500 });
  });

  it("renders the cycle-time scatterplot as a PNG (default 1000×560)", () => {
    const png = renderCycleTimeChart({
      points: cyclePoints(40),
      percentiles: LEVELS,
      from: FROM,
      to: TO,
      timeZone: "Europe/Berlin",
    });
    expect(pngInfo(png)).toEqual({ signatureOk: true, width: 1000, height: 560 });
  });

  it("draws text with the bundled font (no system fonts are loaded)", () => {
    const blank = rasterise('<svg xmlns="http://www.w3.org/2000/svg" width="300" height="60"></svg>');
    const text = rasterise(
      '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="60">' +
        '<text x="10" y="40" font-size="28" font-family="sans-serif">Ageing WIP</text></svg>',
    );
    expect(inkShare(blank.pixels)).toBe(0);
    expect(inkShare(text.pixels)).toBeGreaterThan(0.02);
  });

  it("draws the percentile lines and the dots (more ink with data than without)", () => {
    const empty = rasterise(
      renderChartSvg(ageingChartOption({ columns: COLUMNS, points: [], percentiles: nulls() })),
    );
    const full = rasterise(
      renderChartSvg(ageingChartOption({ columns: COLUMNS, points: ageingPoints(200), percentiles: LEVELS })),
    );
    expect(inkShare(full.pixels)).toBeGreaterThan(inkShare(empty.pixels) * 1.5);
  });

  it("draws the same bytes for the same data, and handles no data and unknown percentiles", () => {
    const input = { columns: COLUMNS, points: ageingPoints(30), percentiles: LEVELS };
    expect(renderAgeingChart(input).equals(renderAgeingChart(input))).toBe(true);
    const noData = renderCycleTimeChart({
      points: [],
      percentiles: nulls(),
      from: FROM,
      to: TO,
      timeZone: "UTC",
    });
    expect(pngInfo(noData).signatureOk).toBe(true);
    // A status missing from the column list still gets a column instead of vanishing.
    const extra = renderAgeingChart({
      columns: [],
      points: [{ status: "doing", ageDays: 2 }],
      percentiles: LEVELS,
    });
    expect(pngInfo(extra).signatureOk).toBe(true);
  });

  it("outlines each dot with the ageing signals it carries, named in a legend (docs/flow-metrics.md §8.5)", () => {
    const points = [
      { status: "review", ageDays: 12, signals: ["over_sle", "stuck"] as const },
      { status: "qa", ageDays: 3, signals: ["stalled"] as const },
      { status: "qa", ageDays: 1 },
      { status: "qa", ageDays: 10, signals: ["over_sle", "stuck", "stalled"] as const },
    ];
    const option = ageingChartOption({ columns: COLUMNS, points, percentiles: LEVELS });
    type Series = {
      name?: string;
      symbol?: string;
      symbolSize: number;
      data: ({ value: number[] } | number[])[];
    };
    const [dots, ...marks] = option.series as Series[];
    const at = (i: number) => (dots!.data[i] as { value: number[] }).value;
    expect(marks.map((m) => [m.name, m.symbol, m.data])).toEqual([
      ["over SLE", "circle", [at(0), at(3)]],
      ["stuck in status", "diamond", [at(0), at(3)]],
      ["stalled", "rect", [at(1), at(3)]],
    ]);
    // Nested by size, so a dot carrying all three shows each outline.
    expect(marks.map((m) => m.symbolSize)).toEqual([15, 20, 24]);
    expect((option.legend as { data: string[] }).data).toEqual(["over SLE", "stuck in status", "stalled"]);
    // Only the signals some dot carries are named; with none, no legend.
    const stalledOnly = ageingChartOption({
      columns: COLUMNS,
      points: points.slice(1, 3),
      percentiles: LEVELS,
    });
    expect((stalledOnly.legend as { data: string[] }).data).toEqual(["stalled"]);
    expect(
      ageingChartOption({ columns: COLUMNS, points: points.slice(2, 3), percentiles: LEVELS }).legend,
    ).toBeUndefined();
    const marked = rasterise(renderChartSvg(option));
    const plain = rasterise(
      renderChartSvg(
        ageingChartOption({
          columns: COLUMNS,
          points: points.map(({ status, ageDays }) => ({ status, ageDays })),
          percentiles: LEVELS,
        }),
      ),
    );
    expect(inkShare(marked.pixels)).toBeGreaterThan(inkShare(plain.pixels));
  });

  it("renders 500 points per chart quickly", () => {
    renderAgeingChart({ columns: COLUMNS, points: ageingPoints(10), percentiles: LEVELS }); // warm up
    const timings: number[] = [];
    for (let run = 0; run < 3; run++) {
      const start = performance.now();
      renderAgeingChart({ columns: COLUMNS, points: ageingPoints(500), percentiles: LEVELS });
      renderCycleTimeChart({
        points: cyclePoints(500),
        percentiles: LEVELS,
        from: FROM,
        to: TO,
        timeZone: "UTC",
      });
      timings.push((performance.now() - start) / 2);
    }
    const best = Math.min(...timings);
    console.info(`chart render, 500 points: best ${best.toFixed(0)} ms per chart`);
    // Target is ~300 ms per chart; the bound is loose because the machine's cores are shared.
    expect(best).toBeLessThan(600);
  });
});

function nulls() {
  return { p50: null, p70: null, p85: null, p95: null };
}
