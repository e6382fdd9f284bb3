import { setTimeout as sleep } from "node:timers/promises";
import type { Sql } from "postgres";
import { isClickUpError } from "../../clickup/clickup-error.ts";
import { type ClickUpClient, COMMENT_PAGE_SIZE } from "../../clickup/create-clickup-client.ts";
import type { ClickUpComment } from "../../clickup/schemas.ts";
import type { Logger } from "../../log/create-logger.ts";
import { PERMANENT_CODES } from "../backfill/record-outcome.ts";
import { type ScoredComment, scoredComment } from "./scored-comment.ts";
import { dropUnlistedComments, storeCommentScores } from "./store-comment-scores.ts";

/*
 * The comments pass of a backfill (docs/flow-metrics.md §14.4): after a binding's status backfill, the
 * comments of its WIP cases and of those finished in the project's window are read and scored. It runs as
 * its own job and gives way to status backfills: one request at a time, only while at least half of the
 * token's window is left (src/clickup/token-rate-limiter.ts paces it like any request), and not while a
 * status backfill of the same connection is queued or running.
 */

/** A request goes only while at least this share of the token's window is left (§14.4). */
const BUDGET_SHARE_LEFT = 0.5;
/** How long to wait before looking again at a busy token or a running status backfill. */
const GIVE_WAY_MS = 1_000;
/** A status backfill is looked for at most this often, not before every request. */
const BACKFILL_CHECK_EVERY_MS = 1_000;

export interface CommentsBackfillDeps {
  sql: Sql;
  /** A client for the binding's connection token (sharing its rate limit with every other client). */
  clickup: ClickUpClient;
  logger: Logger;
  now: () => number;
  signal?: AbortSignal;
  /** After each case; throwing aborts the run. */
  onProgress?: (p: CommentsProgress) => void;
  /** Waiting, replaceable in tests (default: a timer). */
  wait?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

type CommentsProgress = { cases: number; of: number; comments: number; requests: number };

export type CommentsBackfillResult =
  | ({ status: "done" } & CommentsProgress)
  /** The flow facts of the binding's cases are still being rebuilt: which cases are WIP is not known yet. */
  | { status: "not_ready" }
  | { status: "stopped"; code: string; reason: string; requests: number };

type CaseRef = { caseId: number; taskId: string };

/**
 * Reads and scores the comments of the binding's WIP cases and of those finished in its project's window,
 * case by case; each case's scores are replaced in one statement pair, so a retried run simply reads
 * again. Permanent ClickUp refusals stop the pass (the status backfill reports them); anything else throws
 * so the job is retried.
 */
export async function backfillComments(
  deps: CommentsBackfillDeps,
  bindingId: number,
): Promise<CommentsBackfillResult> {
  const { sql } = deps;
  const wait = deps.wait ?? ((ms: number, signal?: AbortSignal) => sleep(ms, undefined, { signal }));
  const [dirty] = await sql<{ n: number }[]>`
    select count(*)::int as n from flow_dirty_cases d
    join tracked_cases c on c.id = d.case_id where c.binding_id = ${bindingId}`;
  if ((dirty?.n ?? 0) > 0) return { status: "not_ready" };
  const [binding] = await sql<{ connectionId: number }[]>`
    select c.id::int as "connectionId" from bindings b
    join projects p on p.id = b.project_id
    join connections c on c.slack_team_id = p.slack_team_id
    where b.id = ${bindingId}`;
  if (!binding) return { status: "done", cases: 0, of: 0, comments: 0, requests: 0 };
  const now = new Date(deps.now());
  const cases = await sql<CaseRef[]>`
    select c.id::int as "caseId", c.task_id as "taskId"
    from tracked_cases c
    join flow_cases fc on fc.case_id = c.id
    join bindings b on b.id = c.binding_id
    join projects p on p.id = b.project_id
    where c.binding_id = ${bindingId} and c.deleted_at is null and c.tracked
      and ((fc.started_at is not null and fc.finished_at is null)
        or fc.finished_at >= ${now}::timestamptz - p.window_days * interval '1 day')
    order by (fc.finished_at is null) desc, c.id`;

  const progress: CommentsProgress = { cases: 0, of: cases.length, comments: 0, requests: 0 };
  let backfillSeenAt = Number.NEGATIVE_INFINITY;
  /** Waits until no status backfill of the connection is queued or running, and half the window is left. */
  const giveWay = async () => {
    for (;;) {
      deps.signal?.throwIfAborted();
      if (deps.now() - backfillSeenAt >= BACKFILL_CHECK_EVERY_MS) {
        if (await statusBackfillPending(sql, binding.connectionId)) {
          await wait(GIVE_WAY_MS, deps.signal);
          continue;
        }
        backfillSeenAt = deps.now();
      }
      // The budget as ClickUp last reported it; once its window has ended the report is stale (a new
      // window is full) and only the next answer tells.
      const { limit, remaining, resetAt } = deps.clickup.rateLimit();
      const untilReset = resetAt ? resetAt.getTime() - deps.now() : 0;
      if (!limit || remaining >= limit * BUDGET_SHARE_LEFT || untilReset <= 0) return;
      await wait(Math.min(untilReset, GIVE_WAY_MS), deps.signal);
    }
  };
  const request = async <T>(fn: () => Promise<T>): Promise<T> => {
    await giveWay();
    progress.requests += 1;
    return fn();
  };

  try {
    for (const kase of cases) {
      const readAt = deps.now();
      const scored = await readCase(deps, kase.taskId, readAt, request);
      if (scored) {
        await sql.begin(async (tx) => {
          await dropUnlistedComments(
            tx,
            kase.caseId,
            scored.map((c) => c.commentId),
            readAt,
          );
          await storeCommentScores(tx, kase.caseId, scored);
        });
        progress.comments += scored.length;
      }
      progress.cases += 1;
      deps.onProgress?.({ ...progress });
    }
  } catch (err) {
    if (!isClickUpError(err) || !PERMANENT_CODES.has(err.code)) throw err;
    deps.logger.warn({ bindingId, code: err.code }, "comments backfill stopped by a permanent ClickUp error");
    return { status: "stopped", code: err.code, reason: err.message, requests: progress.requests };
  }
  deps.logger.info({ bindingId, ...progress }, "comments backfill done");
  return { status: "done", ...progress };
}

/**
 * Every comment of a task, replies included, scored at the time of the read; null when the task is gone
 * (its case is left as it is).
 */
async function readCase(
  deps: CommentsBackfillDeps,
  taskId: string,
  readAt: number,
  request: <T>(fn: () => Promise<T>) => Promise<T>,
): Promise<ScoredComment[] | null> {
  const comments: ClickUpComment[] = [];
  const seen = new Set<string>();
  const { signal } = deps;
  try {
    // Newest first, 25 a page; the next page from the oldest seen; a short page ends it (§16.1 of
    // docs/clickup.md). The cursor comment may come again: deduped by id.
    let cursor: { start: number; startId: string } | undefined;
    for (;;) {
      const page = await request(() => deps.clickup.getTaskComments(taskId, { signal, cursor }));
      const fresh = page.filter((c) => !seen.has(c.id));
      for (const c of fresh) seen.add(c.id);
      comments.push(...fresh);
      const oldest = page.at(-1);
      if (page.length < COMMENT_PAGE_SIZE || !oldest || fresh.length === 0) break;
      cursor = { start: oldest.date, startId: oldest.id };
    }
    for (const parent of [...comments]) {
      if ((parent.reply_count ?? 0) <= 0) continue;
      comments.push(...(await request(() => deps.clickup.getCommentReplies(parent.id, { signal }))));
    }
  } catch (err) {
    if (isClickUpError(err, "not_found")) return null;
    throw err;
  }
  const byId = new Map<string, ScoredComment>();
  for (const c of comments) {
    const scored = scoredComment(
      { id: c.id, comment_text: c.comment_text, comment: c.comment, user: c.user, date: c.date },
      readAt,
    );
    if (scored) byId.set(scored.commentId, scored);
  }
  return [...byId.values()];
}

/** Whether a status backfill of a binding of the connection is queued (due) or running (§14.4). */
async function statusBackfillPending(sql: Sql, connectionId: number): Promise<boolean> {
  const [row] = await sql`
    select 1 from graphile_worker._private_jobs j
    join graphile_worker._private_tasks t on t.id = j.task_id
    join bindings b on b.id = (j.payload->>'bindingId')::bigint
    join projects p on p.id = b.project_id
    join connections c on c.slack_team_id = p.slack_team_id
    where t.identifier = 'backfill-binding' and c.id = ${connectionId}
      and j.attempts < j.max_attempts and (j.locked_at is not null or j.run_at <= now())
    limit 1`;
  return row !== undefined;
}
