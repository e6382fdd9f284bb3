import type { Sql } from "postgres";
import { addJobSql, sqlValue } from "../../worker/add-job-sql.ts";

/**
 * Queues a reconcile of every binding that syncs (status synced, not unbound, its workspace's module on),
 * optionally only those of one Slack workspace or the given binding ids. At most one waiting reconcile
 * per binding (job key `reconcile-binding:<id>`). Returns how many bindings were considered.
 */
export async function enqueueReconcile(
  sql: Sql,
  filter: { slackTeamId?: string; bindingIds?: number[]; sweep?: boolean } = {},
): Promise<number> {
  const sweep = filter.sweep ?? false;
  // A sweep replaces a waiting plain run; a plain run leaves whatever waits (maybe a sweep) in place.
  const mode = sweep ? "replace" : "unsafe_dedupe";
  const ids = filter.bindingIds ?? null;
  const rows = await sql<{ id: string }[]>`
    select b.id, ${addJobSql(sql, "reconcile-binding", { bindingId: sqlValue<number>(sql`b.id`), sweep }, { jobKeyMode: mode })}
    from bindings b
    join projects p on p.id = b.project_id
    join connections c on c.slack_team_id = p.slack_team_id
    where b.sync_status = 'synced' and b.unbound_at is null and c.module_enabled
      and (${filter.slackTeamId ?? null}::text is null or p.slack_team_id = ${filter.slackTeamId ?? null})
      and (${ids === null} or b.id = any(${sql.array(ids ?? [])}::bigint[]))`;
  return rows.length;
}

/**
 * Whether a scheduled reconcile run is the day's sweep: the first run of each UTC day (runs are every
 * `everyMinutes`, aligned to midnight by the cron schedule).
 */
export function isDailySweep(now: number, everyMinutes: number): boolean {
  return now % 86_400_000 < everyMinutes * 60_000;
}
