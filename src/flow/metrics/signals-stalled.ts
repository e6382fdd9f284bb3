import type { Sql } from "postgres";
import { workingDaysAtSql } from "./sql-fragments.ts";

/* The stalled signal (docs/flow-metrics.md §8.3). */

/** A WIP case with no activity for at least N working days. */
export type StalledCase = {
  caseId: number;
  /** The last activity: the quiet period began here (a new one begins at the next activity). */
  lastActivityAt: Date;
  /** Working days from the last activity to now, always on the working-day clock. */
  quietDays: number;
};

/**
 * Positions on the working-day clock are ~2·10⁴ days from its origin, so a quiet time that is exactly N
 * days can come out a hair under N; comparisons allow for that much and no more.
 */
const EPSILON_DAYS = 1e-9;

/**
 * A working day counts at most one, and no local day is shorter than this (daylight saving moves clocks
 * by an hour or two): a case quiet for less than N times it cannot be quiet for N working days, so its
 * working days, the costly part, are not counted.
 */
const SHORTEST_DAY = "12 hours";

/**
 * The WIP cases of a project stalled at `now`: quiet for at least `stalledDays` working days in the
 * project's zone less its holidays (§11), whatever its clock. The last activity is the latest of the case's recorded activity
 * (`last_activity_at`, until sync records one its `date_updated`), its latest status transition (which
 * flow_cases keeps as `current_since`) and its creation. One query, over the project's WIP only; the
 * cases active in the last N half-days are left out before any working day is counted.
 */
export async function stalledCases(
  sql: Sql,
  s: { projectId: number; timeZone: string },
  now: Date,
  stalledDays: number,
): Promise<StalledCase[]> {
  return sql<StalledCase[]>`
    with c as (
      select fc.case_id,
             greatest(coalesce(tc.last_activity_at, tc.date_updated), fc.current_since, tc.date_created) as last_at
      from flow_cases fc join tracked_cases tc on tc.id = fc.case_id
      where fc.project_id = ${s.projectId} and fc.finished_at is null and fc.started_at is not null
        and fc.current_since <= ${now}::timestamptz - ${stalledDays} * ${SHORTEST_DAY}::interval
    ),
    q as (
      select case_id, last_at,
             ${workingDaysAtSql(sql, s, sql`${now}::timestamptz`)}
               - ${workingDaysAtSql(sql, s, sql`least(last_at, ${now}::timestamptz)`)} as quiet
      from c
      where last_at <= ${now}::timestamptz - ${stalledDays} * ${SHORTEST_DAY}::interval
      -- OFFSET 0: each quiet time is worked out once, not again for the filter and the sort.
      offset 0
    )
    select case_id::float8 as "caseId", last_at as "lastActivityAt", quiet as "quietDays"
    from q
    where quiet >= ${stalledDays}::float8 - ${EPSILON_DAYS}::float8
    order by quiet desc, case_id`;
}
