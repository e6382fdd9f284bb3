import { describe, expect, it } from "vitest";
import { renderCfdChart } from "../../src/flow/charts/cfd-chart.ts";
import { histogramOf, renderCycleTimeHistogram } from "../../src/flow/charts/cycle-time-histogram-chart.ts";
import { renderStatusAgeingChart } from "../../src/flow/charts/status-ageing-chart.ts";
import { renderThroughputRunChart } from "../../src/flow/charts/throughput-run-chart.ts";
import { pngInfo } from "./png.ts";

// The charts of docs/flow-metrics.md §13 rendered for real (echarts SSR → resvg): a valid PNG of the
// requested size within Slack's limits, for an empty project, a one-task project and a 100,000-task one.

/** Well inside what Slack accepts for an uploaded image shown in a message (and its preview). */
const SLACK_IMAGE_LIMIT_BYTES = 1_000_000;

function expectSlackPng(png: Buffer, width = 1000, height = 560) {
  expect(pngInfo(png)).toEqual({ signatureOk: true, width, height });
  expect(png.length).toBeLessThan(SLACK_IMAGE_LIMIT_BYTES);
}

const days = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    new Date(Date.UTC(2026, 0, 1) + i * 86_400_000).toISOString().slice(0, 10),
  );
const LEVELS = { p50: 3, p70: 5.5, p85: 9.1, p95: 16.4 };
const NONE = { p50: null, p70: null, p85: null, p95: null };

describe("CFD chart", () => {
  it("renders empty, one-task and 100,000-task diagrams", () => {
    const stages = ["done", "blocked", "active", "not_started"] as const;
    expectSlackPng(
      renderCfdChart({
        days: days(90),
        by: "stage",
        bands: stages.map((stage) => ({ label: stage, stage, counts: new Array(90).fill(0) })),
      }),
    );
    expectSlackPng(
      renderCfdChart({
        days: days(1),
        by: "status",
        bands: [{ label: "in progress", stage: "active", counts: [1] }],
      }),
    );
    // 100,000 tasks: 70,000 done by the end, the rest spread over the workflow.
    const big = stages.map((stage, s) => ({
      label: stage,
      stage,
      counts: Array.from({ length: 90 }, (_, i) => (s === 0 ? 40_000 + i * 333 : 10_000 - i * 111)),
    }));
    expectSlackPng(
      renderCfdChart({ days: days(90), by: "stage", bands: big, size: { width: 1200, height: 640 } }),
      1200,
      640,
    );
  });
});

describe("throughput run chart", () => {
  it("renders with no weeks' finishes, one task, and 100,000 tasks over a year", () => {
    const empty = Array.from({ length: 13 }, (_, i) => ({
      label: `2026-W${10 + i}`,
      arrivals: 0,
      departures: 0,
    }));
    expectSlackPng(renderThroughputRunChart({ weeks: empty, median: 0 }));
    expectSlackPng(
      renderThroughputRunChart({
        weeks: [{ label: "2026-W10", arrivals: 1, departures: 1, partial: true }],
        median: null,
      }),
    );
    const year = Array.from({ length: 53 }, (_, i) => ({
      label: `2026-W${String(i + 1).padStart(2, "0")}`,
      arrivals: 1900 + ((i * 37) % 90),
      departures: 1850 + ((i * 53) % 120),
      partial: i === 52,
    }));
    expectSlackPng(renderThroughputRunChart({ weeks: year, median: 1910 }));
  });
});

describe("per-status ageing chart", () => {
  it("renders empty, one task, and the 2,000 longest of 100,000 tasks", () => {
    expectSlackPng(renderStatusAgeingChart({ columns: [], points: [] }));
    expectSlackPng(
      renderStatusAgeingChart({
        columns: [{ status: "review", bands: null, n: 1 }],
        points: [{ status: "review", days: 2.5, signal: "stuck" }],
      }),
    );
    const statuses = ["in progress", "review", "blocked", "qa"];
    const columns = statuses.map((status, i) => ({
      status,
      n: 25_000,
      bands: { p50: 1 + i, p70: 2 + i, p85: 4 + i, p95: 8 + i },
    }));
    const points = Array.from({ length: 2000 }, (_, i) => ({
      status: statuses[i % 4]!,
      days: ((i * 7919) % 300) / 10,
      signal: (["stuck", "over_sle", "stalled", null] as const)[i % 4]!,
      estimated: i % 17 === 0,
    }));
    expectSlackPng(renderStatusAgeingChart({ columns, points }));
  });
});

describe("cycle-time histogram", () => {
  it("bins as §13.4's example counts them", () => {
    expect(histogramOf([1.0, 2.5, 3.0, 4.0, 6.0, 8.2, 15.0])).toEqual({
      width: 1,
      counts: [0, 1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1],
    });
    // Longest 29.9 keeps one-day bins; 30 needs wider ones (2 days: 16 bins).
    expect(histogramOf([29.9]).width).toBe(1);
    expect(histogramOf([30, 0.5])).toEqual({ width: 2, counts: [1, ...new Array(14).fill(0), 1] });
    expect(histogramOf([400]).width).toBe(14);
    expect(histogramOf([])).toEqual({ width: 1, counts: [] });
  });

  it("renders empty, one task and 100,000 tasks", () => {
    expectSlackPng(renderCycleTimeHistogram({ cycleDays: [], percentiles: NONE }));
    expectSlackPng(
      renderCycleTimeHistogram({ cycleDays: [2.5], percentiles: { p50: 2.5, p70: 2.5, p85: 2.5, p95: 2.5 } }),
    );
    const many = Array.from({ length: 100_000 }, (_, i) => ((i * 7919) % 4000) / 100);
    expectSlackPng(renderCycleTimeHistogram({ cycleDays: many, percentiles: LEVELS }));
  });
});
