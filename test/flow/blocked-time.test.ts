import { describe, expect, it } from "vitest";
import { blockedAndActive, currentBlockedRun, type StageSpan } from "../../src/flow/metrics/blocked-time.ts";

// docs/flow-metrics.md §9.3–§9.4 on hours: overlapping and touching intervals count once, and nothing
// counts outside active statuses.
const H = 3_600_000;
const spans: StageSpan[] = [
  { from: 0, to: 10 * H, status: "to do", stage: "not_started" },
  { from: 10 * H, to: 30 * H, status: "in progress", stage: "active" },
  { from: 30 * H, to: 40 * H, status: "done", stage: "done" },
  { from: 40 * H, to: null, status: "in progress", stage: "active" },
];

describe("blocked time from stage spans and rule intervals", () => {
  it("merges overlapping and touching rules once, and ignores them outside active statuses", () => {
    const intervals = [
      { start: 5 * H, end: 14 * H, reason: "tag blocked" }, // 4 h inside the cycle
      { start: 12 * H, end: 16 * H, reason: "Waiting for = Vendor" }, // overlaps: +2 h
      { start: 16 * H, end: 18 * H, reason: "waits on D" }, // touches: +2 h
      { start: 28 * H, end: 45 * H, reason: "tag blocked" }, // 2 h in progress, none in done, 5 h after the reopen
    ];
    expect(blockedAndActive(spans, intervals, 10 * H, 50 * H)).toEqual({
      blockedMs: 15 * H,
      activeMs: 15 * H,
    });
  });

  it("the current run starts where the uninterrupted blocked time reaching now begins", () => {
    const intervals = [
      { start: 41 * H, end: 44 * H, reason: "tag blocked" },
      { start: 44 * H, end: null, reason: "waits on D" },
    ];
    expect(currentBlockedRun(spans, intervals, 10 * H, 50 * H)).toEqual({
      since: 41 * H,
      reasons: ["waits on D"],
    });
    expect(currentBlockedRun(spans, intervals.slice(0, 1), 10 * H, 50 * H)).toBeNull();
  });
});
