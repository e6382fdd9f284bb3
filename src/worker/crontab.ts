import type { Config } from "../config/load-config.ts";
import { type CronJobName, GRAPHILE_DEFAULT_MAX_ATTEMPTS, jobCatalog } from "./job-catalog.ts";

/**
 * flowbot's schedule (graphile-worker cron, UTC). A line is included only when its job exists in
 * `jobs/`, so the schedule never names a task this build does not have. A task's max attempts come
 * from the job catalog (written out only when they are not graphile-worker's default).
 */
export function buildCrontab(config: Pick<Config, "reconcileMinutes">, taskNames: readonly string[]): string {
  const has = new Set(taskNames);
  const lines: { task: CronJobName; at: string; options?: string[] }[] = [
    // Pull what webhooks may have missed; `fill` is not used: a missed run is covered by the next one.
    { task: "reconcile-bindings", at: reconcileSchedule(config.reconcileMinutes) },
    { task: "check-webhook-health", at: "7 * * * *" },
    // Every minute; the job works out which projects' digests are due in their own time zones.
    { task: "schedule-digests", at: "* * * * *", options: ["fill=5m"] },
    // Daily: a holidays-library upgrade takes effect within a day of the deploy.
    { task: "refresh-holidays", at: "23 3 * * *" },
    // Nightly, after the holidays: tracked forecasts (docs/flow-metrics.md §12.7).
    { task: "check-tracked-forecasts", at: "41 3 * * *" },
    // Hourly: new ClickUp members, time entries and goals (docs/clickup.md §17–§19).
    { task: "refresh-people", at: "41 * * * *" },
  ];
  return lines
    .filter(({ task }) => has.has(task))
    .map(({ task, at, options = [] }) => {
      const max = jobCatalog[task].maxAttempts;
      const all = max === GRAPHILE_DEFAULT_MAX_ATTEMPTS ? options : [...options, `max=${max}`];
      return `${at} ${task}${all.length > 0 ? ` ?${all.join("&")}` : ""}`;
    })
    .join("\n");
}

/** Cron fields for "every N minutes" (1–1440): minutes below an hour, whole hours above. */
export function reconcileSchedule(minutes: number): string {
  if (minutes < 60) return `*/${minutes} * * * *`;
  const hours = Math.round(minutes / 60);
  return hours >= 24 ? "0 0 * * *" : `0 */${hours} * * *`;
}
