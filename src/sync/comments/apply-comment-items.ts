import type { Sql, TransactionSql } from "postgres";
import type { DeliveryItem } from "../apply/parse-delivery.ts";
import { type ScoredComment, scoredComment } from "./scored-comment.ts";
import { storeCommentScores } from "./store-comment-scores.ts";

/**
 * Scores the comments a task's deliveries carry (`taskCommentPosted` / `taskCommentUpdated` and their
 * `taskUpdated` twins: a history item of field `comment` with the whole comment, docs/clickup.md §16.5)
 * and stores the scores on the case locked by the caller. A comment posted and edited in one batch keeps
 * its newest version's score.
 */
export async function applyCommentItems(
  tx: TransactionSql,
  caseId: number,
  items: readonly DeliveryItem[],
): Promise<void> {
  const newest = new Map<string, ScoredComment>();
  for (const item of items) {
    if (item.field !== "comment" || item.raw === null || typeof item.raw !== "object") continue;
    const scored = scoredComment((item.raw as { comment?: unknown }).comment, item.at);
    if (!scored) continue;
    const known = newest.get(scored.commentId);
    if (!known || known.versionAt <= scored.versionAt) newest.set(scored.commentId, scored);
  }
  await storeCommentScores(tx, caseId, [...newest.values()]);
}

/**
 * Removes the comment text from stored deliveries once they are settled (applied, ignored or dropped):
 * the score is all flowbot keeps (docs/clickup.md §16.6). The history item stays — its id, date, field and
 * user still serve dedupe and ordering — and so does the comment's id, author and time; its plain and rich
 * text go.
 */
export async function redactCommentText(tx: TransactionSql, deliveryIds: readonly number[]): Promise<void> {
  if (deliveryIds.length === 0) return;
  await tx`
    update webhook_deliveries d set body = ${withoutCommentText(tx, "d.body")}
    where d.id = any(${deliveryIds as number[]}::bigint[])
      and jsonb_typeof(d.body->'history_items') = 'array'
      and exists (select 1 from jsonb_array_elements(d.body->'history_items') h
        where jsonb_typeof(h->'comment') = 'object')`;
}

/**
 * The jsonb delivery body in column `body` (e.g. "d.body") with its comments' text removed, as
 * redactCommentText leaves it; the body itself when it holds no comment object. The webhook route stores a
 * delivery it settles at once (dropped, ignored) this way, since no apply run will see it.
 */
export function withoutCommentText(sql: Sql | TransactionSql, body: string) {
  const b = sql(body);
  return sql`(case
    when jsonb_typeof(${b}->'history_items') = 'array' and exists (
      select 1 from jsonb_array_elements(${b}->'history_items') h where jsonb_typeof(h->'comment') = 'object')
    then jsonb_set(${b}, '{history_items}', (
      select coalesce(jsonb_agg(
        case when jsonb_typeof(h->'comment') = 'object'
          then jsonb_set(h, '{comment}', (h->'comment') - 'comment_text' - 'comment' - 'text_content')
          else h end
        order by n), '[]'::jsonb)
      from jsonb_array_elements(${b}->'history_items') with ordinality as x(h, n)))
    else ${b} end)`;
}
