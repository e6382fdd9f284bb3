import type { Sql, TransactionSql } from "postgres";
import { addJobSql, sqlValue } from "../../worker/add-job-sql.ts";

/*
 * Deferred upkeep of the flow facts. Bulk writers (the backfill's pages) set
 * `flowbot.defer_flow_rebuild` to 'on' in their transaction (deferFlowRebuild), so the triggers only list
 * the cases they touched in flow_dirty_cases (db/functions/deferred-rebuild.sql); the rebuild-flow-facts job then
 * rebuilds them (rebuildDirtyCases). Facts of listed cases lag their data until then, and are never lost:
 * the list is a table, committed with the data it names.
 */

/** Cases rebuilt per transaction. */
export const DEFAULT_REBUILD_BATCH = 500;

/** In a transaction: the flow facts triggers list the cases they would rebuild, until it ends. */
export async function deferFlowRebuild(tx: TransactionSql): Promise<void> {
  await tx`select set_config('flowbot.defer_flow_rebuild', 'on', true)`;
}

/**
 * Rebuilds listed cases, `batch` per transaction, until none is left to take; returns how many it
 * rebuilt. Concurrent callers share the list without taking a case twice. A case another transaction is
 * rebuilding at that moment stays listed for a later call (the job checks with hasDirtyCases).
 */
export async function rebuildDirtyCases(sql: Sql, options: { batch?: number } = {}): Promise<number> {
  const batch = options.batch ?? DEFAULT_REBUILD_BATCH;
  if (!Number.isInteger(batch) || batch <= 0)
    throw new Error(`batch must be a positive integer, got ${batch}`);
  let total = 0;
  for (;;) {
    // One transaction: the cases leave the list only if their rebuild commits.
    // Derived data: its commit need not wait for the WAL flush (a crash that loses it loses the
    // listing's removal too, so the cases are rebuilt again), which leaves the flushes to the
    // webhook route.
    const [, [row]] = await sql.begin((tx) => [
      tx`set local synchronous_commit = off`,
      tx<{ n: number }[]>`select flowbot_rebuild_listed_cases(${batch}::integer) as n`,
    ]);
    const n = row?.n ?? 0;
    if (n === 0) return total;
    total += n;
  }
}

/** Whether any case is still listed (e.g. one that was being rebuilt elsewhere when the job looked). */
export async function hasDirtyCases(sql: Sql): Promise<boolean> {
  const [row] = await sql<{ any: boolean }[]>`select exists (select 1 from flow_dirty_cases) as any`;
  return row?.any ?? false;
}

/**
 * Queues the rebuild-flow-facts job. One job waits at a time (job key): queuing while one waits keeps it
 * (and its run time); queuing while one runs queues one more, which then picks up what was listed since.
 * @param delaySeconds run no sooner than this (a job already waiting keeps its earlier time).
 * @param ifListed queue only when some case is listed (the reconcile fan-out's safety net).
 */
export async function enqueueFlowRebuild(
  sql: Sql,
  options: { delaySeconds?: number; ifListed?: boolean } = {},
): Promise<void> {
  const delay = options.delaySeconds ?? 0;
  const runAt = sqlValue<Date>(sql`now() + ${delay} * interval '1 second'`);
  await sql`
    select ${addJobSql(sql, "rebuild-flow-facts", {}, { runAt, jobKeyMode: "preserve_run_at" })}
    ${options.ifListed ? sql`where exists (select 1 from flow_dirty_cases)` : sql``}`;
}
