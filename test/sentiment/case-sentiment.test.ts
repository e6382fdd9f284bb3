import { describe, expect, it } from "vitest";
import { NEGATIVE_CASE_AT, sentimentTrend } from "../../src/flow/sentiment/case-sentiment.ts";
import { scoreComment } from "../../src/flow/sentiment/score-comment.ts";

const DAY = 86_400_000;
const MON = Date.UTC(2026, 2, 9, 10, 0, 0);

describe("a case's sentiment (docs/flow-metrics.md §14.2, the example of §14.5)", () => {
  const mon = { score: scoreComment("Great, thanks"), at: MON };
  const wed = { score: scoreComment("Tests are flaky again"), at: MON + 2 * DAY };
  const thu = { score: scoreComment("Still blocked on QA!!!"), at: MON + 3 * DAY };

  it("scores the three comments as the table says", () => {
    expect(mon.score).toBeCloseTo(Math.tanh(1.25), 6); // +0.848
    expect(wed.score).toBeCloseTo(Math.tanh(-1), 6); // −0.762
    expect(thu.score).toBeCloseTo(Math.tanh(-1.45), 6); // −0.896
  });

  it("weights them 1, 2^(−1/3), 2^(−1) from the newest: −0.469, negative", () => {
    const trend = sentimentTrend([wed, mon, thu])!;
    expect(trend.comments).toBe(3);
    expect(trend.sentiment).toBeCloseTo(-0.469, 3);
    expect(trend.sentiment).toBeLessThanOrEqual(NEGATIVE_CASE_AT);
  });

  it("a positive newest comment instead turns it to +0.253", () => {
    const fixed = { score: scoreComment("Fixed, works now"), at: thu.at };
    expect(fixed.score).toBeCloseTo(Math.tanh(1), 6);
    expect(sentimentTrend([mon, wed, fixed])!.sentiment).toBeCloseTo(0.253, 3);
  });

  it("only the newest 5 count, and no comment means no sentiment", () => {
    const old = Array.from({ length: 10 }, (_, i) => ({ score: -1, at: MON - (i + 1) * DAY }));
    const recent = Array.from({ length: 5 }, (_, i) => ({ score: 0.5, at: MON + i * 60_000 }));
    expect(sentimentTrend([...old, ...recent])).toEqual({ sentiment: 0.5, comments: 5 });
    expect(sentimentTrend([])).toBeNull();
  });
});
