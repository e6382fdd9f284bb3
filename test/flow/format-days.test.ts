import { describe, expect, it } from "vitest";
import { formatDays } from "../../src/flow/format-days.ts";

describe("formatDays", () => {
  it("writes one decimal below 10 days and whole days from 10 up, by default", () => {
    expect([0, 0.04, 3.25, 9.94, 9.96, 10, 14.5, 120.2].map((d) => formatDays(d))).toEqual([
      "0 d",
      "0 d",
      "3.3 d",
      "9.9 d",
      "10 d",
      "10 d",
      "15 d",
      "120 d",
    ]);
  });

  it("keeps the tenth at any size, or always shows it, and drops the space for chart labels", () => {
    expect(formatDays(12.54, { precision: "tenth" })).toBe("12.5 d");
    expect(formatDays(14, { precision: "tenth" })).toBe("14 d");
    expect(formatDays(14, { precision: "fixed tenth" })).toBe("14.0 d");
    expect(formatDays(3.21, { unit: "d" })).toBe("3.2d");
  });
});
