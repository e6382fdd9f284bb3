import type { Sql } from "postgres";
import { caseScope } from "./segments-scope.ts";
import type { TimeInStatus } from "./types.ts";
import type { MetricsSettings } from "./window-settings.ts";

/* Time in status and stage (docs/flow-metrics.md §4.5). */

/** Time per status over the tasks finished in [from, to], with each status's stage under the current mapping. */
export async function timeInStatus(
  sql: Sql,
  s: MetricsSettings,
  from: Date,
  to: Date,
): Promise<TimeInStatus[]> {
  return sql<TimeInStatus[]>`
    with x as (
      select status_name, max(status_type) as status_type, sum(seconds) as secs, bool_or(estimated) as est
      from flow_case_status
      where project_id = ${s.projectId}
        and case_finished_at >= ${from}::timestamptz and case_finished_at <= ${to}::timestamptz
        ${caseScope(sql, s, "flow_case_status.case_id")}
      group by status_name
      having sum(seconds) > 0
    )
    select x.status_name as status,
           coalesce(o.stage, flowbot_default_stage(x.status_name, x.status_type))::text as stage,
           x.secs / 86400.0 as days, x.est as estimated
    from x left join stage_overrides o
      on o.project_id = ${s.projectId} and o.status_key = flowbot_status_key(x.status_name)
    order by coalesce(o.stage, flowbot_default_stage(x.status_name, x.status_type)), x.secs desc, x.status_name`;
}
