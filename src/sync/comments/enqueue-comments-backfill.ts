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
  delayMs = 0,
): Promise<void> {
  const runAt = sqlValue<Date>(sql`now() + ${delayMs} * interval '1 millisecond'`);
  await sql`select ${addJobSql(sql, "backfill-comments", { bindingId, ...message }, { jobKeyMode: "replace", runAt })}`;
}
