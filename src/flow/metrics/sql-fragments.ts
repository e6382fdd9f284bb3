import type { PendingQuery, Row, Sql } from "postgres";
import { PERCENTILES } from "./percentiles.ts";
import type { Percentiles } from "./types.ts";
import type { MetricsSettings } from "./window-settings.ts";

/*
 * What the metric queries share. Every metric reads flow_cases / flow_case_status (per-case facts kept
 * current by the database, see db/functions/), so a report touches one row per case finished in the
 * window or in progress — never a project's whole transition history. Day counts use flowbot_days
 * (elapsed days, or working days in the project's zone; docs/flow-metrics.md §4).
 */

/**
 * SQL fragment: the nearest-rank percentiles (docs/flow-metrics.md §4.8) of column `v` over the rows
 * aggregated, with their count. Postgres's percentile_disc is the nearest-rank method: the first value
 * whose rank r has r / n ≥ p, i.e. rank ⌈p·n⌉ (test/flow/percentiles.test.ts holds it to that).
 */
export const percentileJson = (sql: Sql, v: string) =>
  sql.unsafe(
    `json_build_object('n', count(${v})::int, ${PERCENTILES.map(
      (p, i) =>
        `'p${p}', (percentile_disc(array[${PERCENTILES.map((q) => q / 100).join(", ")}]::float8[]) within group (order by ${v}))[${i + 1}]`,
    ).join(", ")})`,
  );

/**
 * SQL fragment: the position of instant `t` on a project's working-day clock (days since the clock's
 * origin, docs/flow-metrics.md §4.3), less the project's holidays (§11) when it has any. The list is a
 * subquery that does not depend on the row, so Postgres reads it once per query (an InitPlan); a project
 * without holidays (NULL) keeps flowbot_working_days_at. Both inline; CASE evaluates only the branch it
 * takes. Subtract two positions for the working days between two instants.
 */
export const workingDaysAtSql = (
  sql: Sql,
  s: { projectId: number; timeZone: string },
  t: PendingQuery<Row[]>,
) =>
  sql`(case when (select flowbot_project_holidays(${s.projectId})) is null
         then flowbot_working_days_at(${t}, ${s.timeZone})
         else flowbot_holiday_working_days_at(${t}, ${s.timeZone}, (select flowbot_project_holidays(${s.projectId})))
       end)`;

/** SQL fragment: days from `a` to `b` on the project's clock (flowbot_days; holidays as workingDaysAtSql). */
export const daysSql = (
  sql: Sql,
  s: Pick<MetricsSettings, "projectId" | "timeZone" | "clock">,
  a: PendingQuery<Row[]>,
  b: PendingQuery<Row[]>,
) =>
  s.clock === "working"
    ? sql`(${workingDaysAtSql(sql, s, b)} - ${workingDaysAtSql(sql, s, a)})`
    : sql`flowbot_days(${a}, ${b}, ${s.timeZone}, false)`;

/** Stored durations of finished cases (flow_cases), in the project's clock. */
export const cycleColumn = (s: MetricsSettings) => (s.clock === "working" ? "cycle_work_days" : "cycle_days");
export const leadColumn = (s: MetricsSettings) => (s.clock === "working" ? "lead_work_days" : "lead_days");

export type PercentileRow = {
  n: number;
  p50: number | null;
  p70: number | null;
  p85: number | null;
  p95: number | null;
};

export function percentiles(r: PercentileRow): Omit<Percentiles, "estimated"> {
  return { n: r.n, p50: r.p50, p70: r.p70, p85: r.p85, p95: r.p95 };
}
