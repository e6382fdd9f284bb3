import { describe, expect, it } from "vitest";
import { renderForecastHistogram } from "../../src/flow/charts/forecast-histogram-chart.ts";
import { checkByDate } from "../../src/slack/forecast/check-by-date.ts";
import { parseForecastArgs } from "../../src/slack/forecast/parse-forecast-args.ts";
import { pngInfo } from "../flow/png.ts";

// The words of `/flow forecast` (docs/flow-metrics.md §12) and the histogram PNG.

describe("parseForecastArgs", () => {
  it("reads each form, with its date, history window and set", () => {
    expect(parseForecastArgs(["how-many"])).toEqual({
      ok: true,
      kind: "how-many",
      by: null,
      historyDays: null,
      set: null,
    });
    expect(parseForecastArgs(["how-many", "by", "2027-01-15", "type:User", "story"])).toEqual({
      ok: true,
      kind: "how-many",
      by: "2027-01-15",
      historyDays: null,
      set: "type:User story",
    });
    expect(parseForecastArgs(["when", "20", "8w", "priority:urgent"])).toEqual({
      ok: true,
      kind: "when",
      target: 20,
      historyDays: 56,
      set: "priority:urgent",
    });
    expect(parseForecastArgs(["Q1", "launch", "60d"])).toEqual({
      ok: true,
      kind: "set",
      set: "Q1 launch",
      historyDays: 60,
    });
    expect(parseForecastArgs(["track", "Q1", "launch", "by", "2027-01-15"])).toEqual({
      ok: true,
      kind: "track",
      set: "Q1 launch",
      by: "2027-01-15",
    });
    expect(parseForecastArgs(["list"])).toEqual({ ok: true, kind: "list" });
    expect(parseForecastArgs(["untrack", "#3"])).toEqual({ ok: true, kind: "untrack", which: { id: 3 } });
    expect(parseForecastArgs(["untrack", "Q1", "launch"])).toEqual({
      ok: true,
      kind: "untrack",
      which: { set: "Q1 launch" },
    });
  });

  it.each([
    [["when"], "`when` needs a number"],
    [["when", "-3"], "`-3` is not a number of tasks"],
    [["when", "100001"], "`100001` is not a number of tasks"],
    [["when", "5", "by", "2027-01-01"], "takes no `by`"],
    [["how-many", "by"], "`by` needs a date after it"],
    [["how-many", "by", "tomorrow"], "`tomorrow` is not a date"],
    [["how-many", "by", "2027-02-29"], "`2027-02-29` is not a date"],
    [["how-many", "3d"], "outside the history windows"],
    [["track", "launch"], "Name the set and the date"],
    [["track", "by", "2027-01-01"], "Name the set and the date"],
    [["untrack"], "Say which"],
    [["launch", "by", "2027-01-01"], "takes no `by`"],
  ])("%j → %s", (args, message) => {
    const parsed = parseForecastArgs(args);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.message).toContain(message);
  });
});

describe("checkByDate", () => {
  const ctx = (working: boolean) => ({
    projectId: 1,
    timeZone: "UTC",
    // Fri 20 Mar 2026; Mon 23 Mar is a blackout date.
    today: "2026-03-20",
    rule: working
      ? { working: true as const, holidays: new Set(["2026-03-23"]) }
      : { working: false as const },
    historyDays: 84,
    trials: 10_000,
    seed: 1,
  });

  it("wants a date after today, within ten years, with a day that counts before it", () => {
    expect(checkByDate(ctx(false), "2026-03-21")).toBeNull();
    expect(checkByDate(ctx(false), "2026-03-20")).toContain("is not after today (2026-03-20 in UTC)");
    expect(checkByDate(ctx(false), "2036-03-20")).toContain("more than ten years ahead");
    // Sat, Sun and the blackout Monday: no working day before Tuesday.
    expect(checkByDate(ctx(true), "2026-03-23")).toContain(
      "There is no working day from tomorrow to `2026-03-23`",
    );
    expect(checkByDate(ctx(true), "2026-03-24")).toBeNull();
  });
});

describe("the forecast histogram", () => {
  const levels = { 50: 3, 70: 3, 85: 2, 95: 1 };
  const input = (results: number[]) => ({
    results: Int32Array.from(results),
    levels,
    title: "How many",
    subtitle: "test",
    axisName: "tasks finished",
    label: String,
  });

  it.each([
    ["no trial", []],
    ["one value", Array(10_000).fill(3)],
    ["a wide spread, binned", Array.from({ length: 10_000 }, (_, i) => i % 5000)],
  ])("renders a PNG within Slack's limits for %s", (_, results) => {
    const png = renderForecastHistogram(input(results));
    expect(pngInfo(png)).toEqual({ signatureOk: true, width: 1000, height: 560 });
    expect(png.length).toBeLessThan(1_000_000);
  });

  it("draws results past the horizon as one bar labelled later", () => {
    const png = renderForecastHistogram({ ...input([1, 2, 2, 3, 99, 99]), laterThan: 10 });
    expect(pngInfo(png).signatureOk).toBe(true);
  });
});
