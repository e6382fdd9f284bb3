import type { Sql, TransactionSql } from "postgres";
import type { ScoredComment } from "./scored-comment.ts";

type AnySql = Sql | TransactionSql;

/**
 * Stores a case's comment scores (docs/flow-metrics.md §14): one row per comment, a newer version's score
 * (an edit) replacing an older one's, never the other way round — deliveries come in any order. A comment is activity at its time (§8.3), so the case's last activity moves to
 * the newest of them when that is later.
 */
export async function storeCommentScores(
  sql: AnySql,
  caseId: number,
  comments: readonly ScoredComment[],
): Promise<void> {
  if (comments.length === 0) return;
  const rows = comments.map((c) => ({
    case_id: caseId,
    comment_id: c.commentId,
    score: c.score,
    label: c.label,
    author_id: c.authorId,
    commented_at: new Date(c.at),
    version_at: new Date(c.versionAt),
  }));
  await sql`
    insert into comment_sentiment ${sql(rows)}
    on conflict (case_id, comment_id) do update
      set score = excluded.score, label = excluded.label, version_at = excluded.version_at,
        author_id = coalesce(excluded.author_id, comment_sentiment.author_id), analysed_at = now()
      where excluded.version_at >= comment_sentiment.version_at`;
  const newest = new Date(Math.max(...comments.map((c) => c.at)));
  await sql`
    update tracked_cases set last_activity_at = greatest(last_activity_at, ${newest}::timestamptz)
    where id = ${caseId} and (last_activity_at is null or last_activity_at < ${newest}::timestamptz)`;
}

/**
 * After reading all of a case's comments at `readAt`: the scores of comments ClickUp no longer lists are
 * dropped (ClickUp sends no event for a deleted comment, docs/clickup.md §16.5) — but not those a webhook
 * stored since the read began, which the read could not have seen.
 */
export async function dropUnlistedComments(
  sql: AnySql,
  caseId: number,
  listed: readonly string[],
  readAt: number,
): Promise<void> {
  await sql`
    delete from comment_sentiment
    where case_id = ${caseId} and not (comment_id = any(${listed as string[]}::text[]))
      and version_at < ${new Date(readAt)}::timestamptz`;
}
