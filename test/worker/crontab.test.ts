import { parseCrontab } from "graphile-worker";
import { describe, expect, it } from "vitest";
import { buildCrontab, reconcileSchedule } from "../../src/worker/crontab.ts";

describe("the worker's cron schedule", () => {
  it("schedules only jobs that exist, and graphile-worker accepts every line", () => {
    expect(buildCrontab({ reconcileMinutes: 15 }, ["backfill-binding"])).toBe("");
    const all = buildCrontab({ reconcileMinutes: 15 }, [
      "reconcile-bindings",
      "check-webhook-health",
      "schedule-digests",
      "refresh-holidays",
      "check-tracked-forecasts",
      "refresh-people",
    ]);
    expect(all.split("\n")).toEqual([
      "*/15 * * * * reconcile-bindings",
      "7 * * * * check-webhook-health",
      "* * * * * schedule-digests ?fill=5m",
      "23 3 * * * refresh-holidays",
      "41 3 * * * check-tracked-forecasts ?max=3",
      "41 * * * * refresh-people",
    ]);
    expect(parseCrontab(all)).toHaveLength(6);
  });

  it("turns FLOWBOT_RECONCILE_MINUTES into valid cron fields across its whole range", () => {
    expect(reconcileSchedule(1)).toBe("*/1 * * * *");
    expect(reconcileSchedule(120)).toBe("0 */2 * * *");
    expect(reconcileSchedule(1440)).toBe("0 0 * * *");
    for (const m of [1, 5, 15, 59, 60, 90, 600, 1439, 1440])
      expect(parseCrontab(`${reconcileSchedule(m)} reconcile-bindings`)).toHaveLength(1);
  });
});
