import type { Sql } from "postgres";
import { caseScope } from "./segments-scope.ts";
import { daysSql } from "./sql-fragments.ts";
import type { AgeingItem, AgeingThresholds, Assignee, Pace, Percentiles } from "./types.ts";
import type { MetricsSettings } from "./window-settings.ts";

/* Work in progress, its age, the SLE and the ageing thresholds (docs/flow-metrics.md §4.4, SLE §4.8, ageing §4.9). */

/** SLE: set by hand, else the 85th percentile, else none. */
export function sleOf(s: MetricsSettings, p85: number | null) {
  if (s.sleDays !== null) return { days: s.sleDays, source: "manual" as const };
  if (p85 !== null) return { days: p85, source: "p85" as const };
  return { days: null, source: "none" as const };
}

/**
 * The ageing threshold: a fixed number of days when set; otherwise the configured percentile, where the
 * default 85th is the SLE (so an SLE set by hand is the threshold).
 */
export function thresholdsOf(s: MetricsSettings, p: Omit<Percentiles, "estimated">): AgeingThresholds {
  const sle = sleOf(s, p.p85);
  const base = { p50: p.p50, p70: p.p70, p85: p.p85, p95: p.p95, sleDays: sle.days };
  if (s.ageingFixedDays !== null) {
    return { ...base, thresholdDays: s.ageingFixedDays, thresholdSource: "fixed", percentile: null };
  }
  const byPercentile: Record<number, number | null> = { 50: p.p50, 70: p.p70, 85: sle.days, 95: p.p95 };
  const days = byPercentile[s.ageingPercentile] ?? sle.days;
  return {
    ...base,
    thresholdDays: days,
    thresholdSource: days === null ? "none" : "percentile",
    percentile: s.ageingPercentile,
  };
}

/** A WIP case's age against thresholds: its pace band, over the ageing threshold, or at risk (§4.9). */
export function judgeAge(
  age: number,
  t: AgeingThresholds,
): Pick<AgeingItem, "pace" | "overThreshold" | "atRisk"> {
  const overThreshold = t.thresholdDays !== null && age > t.thresholdDays;
  return { pace: paceOf(age, t), overThreshold, atRisk: !overThreshold && t.p70 !== null && age > t.p70 };
}

function paceOf(age: number, t: AgeingThresholds): Pace | null {
  if (t.p50 === null || t.p70 === null || t.p85 === null || t.p95 === null) return null;
  if (age <= t.p50) return "≤p50";
  if (age <= t.p70) return "p50–p70";
  if (age <= t.p85) return "p70–p85";
  if (age <= t.p95) return "p85–p95";
  return ">p95";
}

export interface WipCounts {
  wip: number;
  overThreshold: number;
}

/** How many tasks are in progress at `now`, and how many of them are older than the threshold. */
export async function wipCounts(
  sql: Sql,
  s: MetricsSettings,
  now: Date,
  thresholdDays: number | null,
): Promise<WipCounts> {
  const [row] = await sql<WipCounts[]>`
    select count(*)::int as wip,
           (count(*) filter (where ${thresholdDays}::float8 is not null
              and ${daysSql(sql, s, sql`started_at`, sql`${now}::timestamptz`)}
                  > ${thresholdDays}::float8))::int as "overThreshold"
    from flow_cases
    where project_id = ${s.projectId} and finished_at is null and started_at is not null
      ${caseScope(sql, s, "flow_cases.case_id")}`;
  return row ?? { wip: 0, overThreshold: 0 };
}

/** The WIP tasks, oldest first (at most `limit`, or all when null). */
export async function ageingItems(
  sql: Sql,
  s: MetricsSettings,
  now: Date,
  t: AgeingThresholds,
  limit: number | null,
): Promise<AgeingItem[]> {
  type Row = Pick<AgeingItem, "caseId" | "taskId" | "name" | "url" | "status" | "stage" | "estimated"> & {
    statusSince: Date;
    startedAt: Date;
    assignees: unknown;
    ageDays: number;
    daysInStatus: number;
  };
  const rows = await sql<Row[]>`
    select fc.case_id::float8 as "caseId", tc.task_id as "taskId", tc.name, tc.url,
           fc.current_status as status, fc.current_stage::text as stage, fc.current_since as "statusSince",
           fc.started_at as "startedAt", tc.assignees, fc.estimated,
           ${daysSql(sql, s, sql`fc.started_at`, sql`${now}::timestamptz`)} as "ageDays",
           ${daysSql(sql, s, sql`fc.current_since`, sql`${now}::timestamptz`)} as "daysInStatus"
    from flow_cases fc join tracked_cases tc on tc.id = fc.case_id
    where fc.project_id = ${s.projectId} and fc.finished_at is null and fc.started_at is not null
      ${caseScope(sql, s, "fc.case_id")}
    order by fc.started_at, fc.case_id
    ${limit === null ? sql`` : sql`limit ${limit}`}`;
  return rows.map((r) => {
    return {
      caseId: r.caseId,
      taskId: r.taskId,
      name: r.name,
      url: r.url,
      status: r.status,
      stage: r.stage,
      statusSince: r.statusSince,
      daysInStatus: Math.max(0, r.daysInStatus),
      ageDays: Math.max(0, r.ageDays),
      startedAt: r.startedAt,
      assignees: assigneesOf(r.assignees),
      ...judgeAge(r.ageDays, t),
      estimated: r.estimated,
    };
  });
}

function assigneesOf(value: unknown): Assignee[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((a) => {
    if (typeof a !== "object" || a === null) return [];
    const { id, username, email } = a as Record<string, unknown>;
    const n = typeof id === "number" ? id : Number(id);
    if (!Number.isFinite(n)) return [];
    return [
      {
        id: n,
        username: typeof username === "string" ? username : null,
        email: typeof email === "string" ? email : null,
      },
    ];
  });
}
