import { describe, expect, it } from "vitest";
import { createIngestPressure } from "../../src/sync/ingest-pressure.ts";

describe("ingest pressure", () => {
  it("is busy while the deliveries stored in the last window reach the threshold, and calms down after", () => {
    let t = 10_000;
    const p = createIngestPressure({ windowMs: 500, threshold: 250, now: () => t });
    expect(p.busy()).toBe(false);
    p.record(100);
    t += 120;
    p.record(100);
    expect(p.busy()).toBe(false); // 200 in the window
    t += 120;
    p.record(60);
    expect(p.busy()).toBe(true); // 260
    t += 300; // the first 100 left the window
    expect(p.busy()).toBe(false);
    p.record(400);
    expect(p.busy()).toBe(true);
    t += 5_000; // quiet for a while: stale counts never come back
    expect(p.busy()).toBe(false);
    p.record(1);
    expect(p.busy()).toBe(false);
  });

  it("waits while busy, out of the caller's budget, and not at all when quiet", async () => {
    const quiet = createIngestPressure();
    const budget = { ms: 1_000 };
    expect(await quiet.yieldTo(budget)).toBe(0);
    expect(budget.ms).toBe(1_000);

    const burst = createIngestPressure({ threshold: 1 });
    burst.record(5);
    const timer = setInterval(() => burst.record(5), 5);
    try {
      const small = { ms: 60 };
      const started = performance.now();
      expect(await burst.yieldTo(small, 20)).toBe(60);
      expect(small.ms).toBe(0);
      expect(performance.now() - started).toBeGreaterThanOrEqual(55);
      // Spent: the next wait returns at once.
      expect(await burst.yieldTo(small, 20)).toBe(0);
    } finally {
      clearInterval(timer);
    }
  });
});
