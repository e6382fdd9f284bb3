import type { Sql } from "postgres";
import { addJobSql, sqlValue } from "../../worker/add-job-sql.ts";
import { limitCountsSql, toLimitCount, type WipLimitCount } from "./wip-limits.ts";

/*
 * The immediate alert's states (docs/flow-metrics.md §10.1): a limit is armed (fired = false) or fired.
 * judgeWipLimits takes the counts from the current statuses and moves every limit in one statement;
 * an armed limit goes to fired only if this statement is the one that flips it, so two workers judging
 * the same project at once alert once between them.
 */

/**
 * Fires every armed limit of the project that is over, re-arms every fired one at or under, and returns
 * the limits this call fired (the alerts to post).
 */
export async function judgeWipLimits(sql: Sql, projectId: number): Promise<WipLimitCount[]> {
  const rows = await sql<
    { kind: "status" | "stage"; target: string; limit: number; count: number; spelled: string | null }[]
  >`
    with counts as (${limitCountsSql(sql, projectId)}),
    rearmed as (
      update wip_limits l set fired = false
      from counts c
      where l.project_id = ${projectId} and l.target_kind::text = c.kind and l.target = c.target
        and l.fired and c.count <= l.wip_limit
      returning 1
    )
    update wip_limits l set fired = true
    from counts c
    where l.project_id = ${projectId} and l.target_kind::text = c.kind and l.target = c.target
      -- Re-checked on the row as committed when another worker flipped it first: then not armed.
      and not l.fired and l.wip_limit = c.limit and c.count > l.wip_limit
    returning c.kind, c.target, l.wip_limit as "limit", c.count, c.spelled`;
  return rows.map(toLimitCount);
}

/**
 * Queues check-wip-limits for each given project that has the immediate alert on and some limit (one
 * job waits per project). Projects still backfilling are left out: a backfill is judged once, at its
 * end (§10.1), when its last rebuild runs with no backfill under way.
 */
export async function enqueueWipLimitChecks(sql: Sql, projectIds: "all" | readonly number[]): Promise<void> {
  const only =
    projectIds === "all" ? sql`` : sql`and a.project_id = any(${projectIds as number[]}::bigint[])`;
  await sql`
    select ${addJobSql(sql, "check-wip-limits", { projectId: sqlValue<number>(sql`a.project_id`) }, { jobKeyMode: "preserve_run_at" })}
    from wip_alert_settings a
    where a.alert_at_once ${only}
      and exists (select 1 from wip_limits l where l.project_id = a.project_id)
      and not exists (select 1 from bindings b
                      where b.project_id = a.project_id and b.unbound_at is null and b.backfill_checkpoint is not null)`;
}
