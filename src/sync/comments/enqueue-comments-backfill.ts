import type { Sql } from "postgres";
import { addJobSql, sqlValue } from "../../worker/add-job-sql.ts";

/** Where the status backfill's progress message is, so the comments job can say it is done. */
export type CommentsMessage = { channelId: string; messageTs: string; summary: string };

/**
 * Queues the comments pass of a binding (docs/flow-metrics.md §14.4), after its status backfill, or again
 * `delayMs` later when its flow facts are still being rebuilt. One pending pass per binding (job key).
 */
export async function enqueueCommentsBackfill(
  sql: Sql,
  bindingId: number,
  message?: CommentsMessage,
  again?: { delayMs: number; waits: number },
): Promise<void> {
  const runAt = sqlValue<Date>(sql`now() + ${again?.delayMs ?? 0} * interval '1 millisecond'`);
  const payload = { bindingId, ...message, ...(again ? { waits: again.waits } : {}) };
  await sql`select ${addJobSql(sql, "backfill-comments", payload, { jobKeyMode: "replace", runAt })}`;
}
