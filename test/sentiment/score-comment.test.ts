import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { labelOf, scoreComment } from "../../src/flow/sentiment/score-comment.ts";

describe("scoreComment (docs/flow-metrics.md §14.1)", () => {
  it("reads negation, emphasis, emoji and work jargon", () => {
    expect(labelOf(scoreComment("It works now"))).toBe("positive");
    expect(labelOf(scoreComment("It's not fixed, still the same error"))).toBe("negative");
    expect(labelOf(scoreComment("Still blocked on QA"))).toBe("negative");
    expect(labelOf(scoreComment("LGTM"))).toBe("positive");
    expect(labelOf(scoreComment("Moved to the next sprint"))).toBe("neutral");
    expect(labelOf(scoreComment("Deploy went out 🎉"))).toBe("positive");
    // Emphasis makes a negative comment more negative, never changes its sign.
    expect(scoreComment("Still blocked on QA!!!")).toBeLessThan(scoreComment("Still blocked on QA"));
    expect(scoreComment("Still blocked on QA!!!!!!")).toBe(scoreComment("Still blocked on QA!!!"));
  });

  it("the worked example of §14.4: blocked (−2), three marks: tanh(−2 × 1.45 / 2)", () => {
    expect(scoreComment("Still blocked on QA!!!")).toBeCloseTo(Math.tanh(-1.45), 6);
    expect(scoreComment("")).toBe(0);
  });

  it("scores in −1…+1 and stays above the targets on the labelled set (bench:sentiment)", () => {
    const rows = JSON.parse(readFileSync("test/sentiment/labelled-comments.json", "utf8")) as {
      text: string;
      label: string;
    }[];
    expect(rows.length).toBeGreaterThanOrEqual(200);
    const said = rows.map((r) => ({ r, score: scoreComment(r.text) }));
    expect(said.every(({ score }) => score >= -1 && score <= 1)).toBe(true);
    const right = said.filter(({ r, score }) => labelOf(score) === r.label).length;
    const negatives = said.filter(({ r }) => r.label === "negative");
    expect(right / rows.length).toBeGreaterThanOrEqual(0.8);
    expect(
      negatives.filter(({ score }) => labelOf(score) === "negative").length / negatives.length,
    ).toBeGreaterThanOrEqual(0.8);
  });
});
