import type { Sql } from "postgres";
import { addBatchJobSql, sqlValue } from "../worker/add-job-sql.ts";
import type { JobName } from "../worker/job-catalog.ts";
import { FRESH_PENDING_MS } from "./delivery-inbox.ts";

const APPLY_TASK = "apply-task-deliveries" satisfies JobName;

/**
 * Re-enqueues apply work for deliveries still pending after `olderThanMs` (by default when they are too
 * old for the workspace's apply-deliveries runs) whose task has no apply job waiting: e.g. left pending
 * while ClickUp refused the token (fixed since by `/flow connect`), or whose run ran out of attempts.
 * One batch job for all such tasks; applying twice is harmless (per-task lock, idempotent
 * transitions). Returns how many tasks were queued.
 */
export async function requeuePendingDeliveries(sql: Sql, olderThanMs = FRESH_PENDING_MS): Promise<number> {
  const [row] = await sql<{ tasks: number }[]>`
    with stuck as (
      select distinct d.task_id from webhook_deliveries d
      where d.outcome = 'pending' and d.task_id is not null
        and d.received_at < now() - ${`${olderThanMs} milliseconds`}::interval
        and not exists (
          select 1 from graphile_worker._private_jobs j
          join graphile_worker._private_tasks t on t.id = j.task_id
          where t.identifier = ${APPLY_TASK} and j.attempts < j.max_attempts
            and j.payload::jsonb @> jsonb_build_array(jsonb_build_object('taskId', d.task_id)))
      order by d.task_id
      limit 5000
    ), queued as (
      select ${addBatchJobSql(sql, APPLY_TASK, { taskId: sqlValue<string>(sql`task_id`) })}
      from stuck having count(*) > 0
    )
    select (select count(*) from stuck)::int as tasks, (select count(*) from queued) as jobs`;
  return row?.tasks ?? 0;
}
