import { describe, expect, it } from "vitest";
import { alertLadder, levelOf, shouldAlert } from "../../src/flow/digest/alert-levels.ts";
import type { AgeingThresholds } from "../../src/flow/metrics/types.ts";

const percentiles = { p50: 10, p70: 14, p85: 17, p95: 19, sleDays: 17 };
const thresholds = (over: Partial<AgeingThresholds>): AgeingThresholds => ({
  ...percentiles,
  thresholdDays: 17,
  thresholdSource: "percentile",
  percentile: 85,
  ...over,
});
const rungs = (t: AgeingThresholds) => alertLadder(t).map((l) => `${l.key}@${l.days}:${l.kind}`);

describe("the alert ladder", () => {
  it("defaults to at risk past p70, then ageing past the SLE (p85), p95 and twice the SLE", () => {
    expect(rungs(thresholds({}))).toEqual([
      "p70@14:at_risk",
      "p85@17:ageing",
      "p95@19:ageing",
      "2xsle@34:ageing",
    ]);
  });

  it("a 70th percentile equal to the SLE gives one rung, the SLE's: past it a task is ageing and told so", () => {
    const ladder = alertLadder(thresholds({ p70: 17, p85: 17, p95: 17 }));
    expect(ladder.map((l) => `${l.key}@${l.days}:${l.kind}`)).toEqual(["p85@17:ageing", "2xsle@34:ageing"]);
    expect(levelOf(ladder, 18)?.level.label).toBe("the 85th percentile, the SLE (17 d)");
  });

  it("with a 95th-percentile threshold, p85 is not a rung and everything below p95 is at risk", () => {
    expect(rungs(thresholds({ thresholdDays: 19, percentile: 95 }))).toEqual([
      "p70@14:at_risk",
      "p95@19:ageing",
      "2xsle@34:ageing",
    ]);
  });

  it("with a 50th-percentile threshold, p70 is already ageing", () => {
    expect(rungs(thresholds({ thresholdDays: 10, percentile: 50 }))).toEqual([
      "p50@10:ageing",
      "p70@14:ageing",
      "p95@19:ageing",
      "2xsle@34:ageing",
    ]);
  });

  it("with fixed days, rungs below the threshold are at risk and equal or lower ones above are dropped", () => {
    expect(rungs(thresholds({ thresholdDays: 25, thresholdSource: "fixed", percentile: null }))).toEqual([
      "p70@14:at_risk",
      "p95@19:at_risk",
      "fixed:25d@25:ageing",
      "2xsle@34:ageing",
    ]);
  });

  it("with no history but fixed days, the fixed threshold is the only rung; with neither, there is none", () => {
    const none = { p50: null, p70: null, p85: null, p95: null, sleDays: null };
    expect(
      rungs(thresholds({ ...none, thresholdDays: 5, thresholdSource: "fixed", percentile: null })),
    ).toEqual(["fixed:5d@5:ageing"]);
    expect(rungs(thresholds({ ...none, thresholdDays: null, thresholdSource: "none" }))).toEqual([]);
  });

  it("alerts only above every rung alerted before; keys no longer on the ladder do not count", () => {
    const ladder = alertLadder(thresholds({}));
    expect(levelOf(ladder, 14)).toBeUndefined();
    expect(levelOf(ladder, 18)?.level.key).toBe("p85");
    expect(levelOf(ladder, 40)?.level.key).toBe("2xsle");
    const p95 = levelOf(ladder, 20)!.rank;
    expect(shouldAlert(ladder, p95, [])).toBe(true);
    expect(shouldAlert(ladder, p95, ["p70", "p85"])).toBe(true);
    expect(shouldAlert(ladder, p95, ["p95"])).toBe(false);
    expect(shouldAlert(ladder, p95, ["2xsle"])).toBe(false);
    expect(shouldAlert(ladder, p95, ["fixed:12d"])).toBe(true);
  });
});
