import type { Config } from "../config/load-config.ts";

/**
 * flowbot's schedule (graphile-worker cron, UTC). A line is included only when its job exists in
 * `jobs/`, so the schedule never names a task this build does not have.
 */
export function buildCrontab(config: Pick<Config, "reconcileMinutes">, taskNames: readonly string[]): string {
  const has = new Set(taskNames);
  const reconcile = reconcileSchedule(config.reconcileMinutes);
  const lines = [
    // Pull what webhooks may have missed; `fill` is not used: a missed run is covered by the next one.
    ["reconcile-bindings", `${reconcile} reconcile-bindings`],
    ["check-webhook-health", "7 * * * * check-webhook-health"],
    // Every minute; the job works out which projects' digests are due in their own time zones.
    ["schedule-digests", "* * * * * schedule-digests ?fill=5m"],
  ] as const;
  return lines
    .filter(([task]) => has.has(task))
    .map(([, line]) => line)
    .join("\n");
}

/** Cron fields for "every N minutes" (1–1440): minutes below an hour, whole hours above. */
export function reconcileSchedule(minutes: number): string {
  if (minutes < 60) return `*/${minutes} * * * *`;
  const hours = Math.round(minutes / 60);
  return hours >= 24 ? "0 0 * * *" : `0 */${hours} * * *`;
}
