import { describe, expect, it } from "vitest";
import { nearestRankMedian, sparkline } from "../../src/flow/metrics/throughput-series.ts";

// The run chart's median and App Home's sparkline (docs/flow-metrics.md §13.2, §13.5).

describe("run chart median (§13.2)", () => {
  it("takes the nearest rank, not the average of the middle two", () => {
    expect(nearestRankMedian([3, 5, 2, 4, 6])).toBe(4);
    expect(nearestRankMedian([3, 5, 2, 4])).toBe(3);
    expect(nearestRankMedian([7])).toBe(7);
    expect(nearestRankMedian([])).toBeNull();
  });
});

describe("throughput sparkline (§13.5)", () => {
  it("draws the highest week █, a week with none ▁, and a flat line when nothing finished", () => {
    expect(sparkline([0, 1, 2, 4, 8])).toBe("▁▂▃▅█");
    expect(sparkline([3, 3])).toBe("██");
    expect(sparkline([0, 0, 0])).toBe("▁▁▁");
    expect(sparkline([])).toBe("");
  });
});
