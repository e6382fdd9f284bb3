import type { Sql } from "postgres";
import { caseScope } from "./segments-scope.ts";
import { cycleColumn } from "./sql-fragments.ts";
import type { MetricsSettings } from "./window-settings.ts";

/**
 * Every cycle time (days, the project's clock) of the cases finished in [from, to] with a start, for the
 * cycle-time histogram (docs/flow-metrics.md §13.4); one array, read through the finished-cases index.
 */
export async function cycleTimesOf(sql: Sql, s: MetricsSettings, from: Date, to: Date): Promise<number[]> {
  const [row] = await sql<{ days: number[] | null }[]>`
    select array_agg(${sql(cycleColumn(s))})::float8[] as days
    from flow_cases
    where project_id = ${s.projectId} and started_at is not null
      and finished_at >= ${from}::timestamptz and finished_at <= ${to}::timestamptz
      and ${sql(cycleColumn(s))} is not null
      ${caseScope(sql, s, "flow_cases.case_id")}`;
  return row?.days ?? [];
}
