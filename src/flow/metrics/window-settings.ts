import type { Sql } from "postgres";
import type { SegmentScope } from "./segments-scope.ts";
import type { FlowClock } from "./types.ts";

/** The project settings the metrics read (db/schema.ts `projects`), and the report window. */
export interface MetricsSettings {
  projectId: number;
  timeZone: string;
  windowDays: number;
  ageingPercentile: number;
  ageingFixedDays: number | null;
  sleDays: number | null;
  clock: FlowClock;
  /** Restricts every metric to one segment's cases (docs/flow-metrics.md §7); absent: the whole project. */
  scope?: SegmentScope;
}

class ProjectNotFoundError extends Error {
  constructor(projectId: number) {
    super(`project ${projectId} does not exist`);
    this.name = "ProjectNotFoundError";
  }
}

/** A project's columns the metrics read, as drizzle names them (db/schema.ts `projects`). */
export type MetricsColumns = {
  timeZone: string;
  windowDays: number;
  ageingPercentile: number;
  ageingFixedDays: number | null;
  sleDays: number | null;
  workingDays: boolean;
};

/** The metrics' settings from a project row already loaded (the digest loads it once for everything). */
export function metricsSettingsOf(projectId: number, row: MetricsColumns): MetricsSettings {
  return {
    projectId,
    timeZone: row.timeZone,
    windowDays: row.windowDays,
    ageingPercentile: row.ageingPercentile,
    ageingFixedDays: row.ageingFixedDays,
    sleDays: row.sleDays,
    clock: row.workingDays ? "working" : "calendar",
  };
}

export async function loadMetricsSettings(sql: Sql, projectId: number): Promise<MetricsSettings> {
  const [row] = await sql<MetricsColumns[]>`
    select time_zone as "timeZone", window_days as "windowDays", ageing_percentile as "ageingPercentile",
           ageing_fixed_days as "ageingFixedDays", sle_days as "sleDays", working_days as "workingDays"
    from projects where id = ${projectId}`;
  if (!row) throw new ProjectNotFoundError(projectId);
  return metricsSettingsOf(projectId, row);
}

export const DAY_MS = 86_400_000;

/** The report window: the `days` days up to `now`. */
export function windowOf(now: Date, days: number): { from: Date; to: Date } {
  if (!Number.isInteger(days) || days < 1 || days > 3660) {
    throw new RangeError(`the window must be a whole number of days from 1 to 3660, not ${days}`);
  }
  return { from: new Date(now.getTime() - days * DAY_MS), to: now };
}
