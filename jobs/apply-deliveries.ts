import type { Task } from "graphile-worker";
import { mapLimited } from "../src/concurrency/map-limited.ts";
import { enqueueFlowRebuild } from "../src/flow/metrics/deferred-rebuild.ts";
import { applyDepsOf, applyTaskDeliveries } from "../src/sync/apply/index.ts";
import { withoutCommentText } from "../src/sync/comments/apply-comment-items.ts";
import { FRESH_PENDING_MS } from "../src/sync/delivery-inbox.ts";
import { isPayloadError } from "../src/sync/inbox-error.ts";
import { parseJobPayload } from "../src/worker/job-catalog.ts";
import type { JobDeps } from "../src/worker/job-deps.ts";

/** Tasks applied at once; each holds one of the app pool's connections (shared with the webhook route). */
const CONCURRENCY = 2;
/** Tasks read per round. */
const ROUND = 500;
/**
 * Tasks a run leaves for later (failed, or ClickUp refused the token) before it stops: each round's
 * read excludes them, so the list must stay short.
 */
const MAX_LEFT = 1_000;
/** How long one run may step aside for a burst on the webhook route (in all, not per task). */
const YIELD_BUDGET_MS = 10_000;

/**
 * apply-deliveries — applies a workspace's pending webhook deliveries, task by task
 * (src/sync/apply: one transaction per task), until none is left. The webhook route queues it (keyed
 * per workspace, in the workspace's queue) whenever it stores deliveries and no run of it is waiting
 * to start, so one run covers every delivery stored before it starts, however many requests brought
 * them. Deliveries ClickUp's refusal of the token leaves pending are not retried in the same run, and
 * only fresh ones are read: older ones are the reconcile fan-out's (src/sync/requeue-pending-deliveries.ts).
 * A task that fails (ClickUp down or rate-limited, the process killed) fails the run after the others
 * are applied, and graphile-worker retries it with backoff; applying twice is harmless.
 */
export default function applyDeliveriesJob(deps: JobDeps): Task<"apply-deliveries"> {
  return async (payload, helpers) => {
    const { connectionId } = parseJobPayload("apply-deliveries", payload);
    const { sql } = deps.database;
    // Applied tasks leave the pending set by themselves; only those whose deliveries stay pending are
    // kept out of the next rounds (a task that receives more deliveries meanwhile is simply applied again).
    const left = new Set<string>();
    const failures: unknown[] = [];
    let tried = 0;
    let applied = 0;
    const yieldBudget = { ms: YIELD_BUDGET_MS };
    try {
      for (;;) {
        const rows = await sql<{ taskId: string }[]>`
          select d.task_id as "taskId"
          from webhook_deliveries d join clickup_webhooks w on w.id = d.webhook_id
          where d.outcome = 'pending' and d.task_id is not null and w.connection_id = ${connectionId}
            and d.received_at > now() - ${`${FRESH_PENDING_MS} milliseconds`}::interval
            and not (d.task_id = any(${[...left]}::text[]))
          group by d.task_id
          order by min(d.id)
          limit ${ROUND}`;
        if (rows.length === 0) break;
        const tasks = rows.map((r) => r.taskId);
        tried += tasks.length;
        await Promise.all(
          mapLimited(tasks, CONCURRENCY, async (taskId) => {
            // Acknowledging ClickUp comes first: during a burst this waits (up to the run's budget).
            await deps.ingestPressure?.yieldTo(yieldBudget);
            if (helpers.abortSignal?.aborted) throw new Error("the worker is stopping");
            try {
              const result = await applyTaskDeliveries(applyDepsOf(deps, helpers.abortSignal), taskId);
              applied += result.applied;
              if (result.leftPending > 0) left.add(taskId);
            } catch (first) {
              let err = first;
              if (isPoison(err)) {
                try {
                  applied += await isolatePoison(deps, helpers.abortSignal, taskId);
                  return;
                } catch (again) {
                  err = again;
                }
              }
              left.add(taskId);
              failures.push(err);
              deps.logger.warn(
                { err, taskId },
                "could not apply a task's deliveries; the run will be retried",
              );
            }
          }),
        );
        if (helpers.abortSignal?.aborted || left.size > MAX_LEFT) break;
      }
    } finally {
      // The applied cases' flow facts were listed, not rebuilt (see applyTaskDeliveries): one rebuild
      // shortly after, so the next runs' cases join it.
      if (tried > 0) await enqueueFlowRebuild(sql, { delaySeconds: 1 });
    }
    deps.logger.debug({ connectionId, tasks: tried, applied, left: left.size }, "applied ClickUp deliveries");
    if (failures.length > 0) {
      throw new AggregateError(failures, `${failures.length} of ${tried} tasks could not be applied`);
    }
  };
}

/**
 * A failure no retry can cure: Postgres refuses the data (SQLSTATE class 22 or 54) or a value is out of
 * range for JavaScript (an invalid Date). Retried by graphile-worker, it would fail the run forever and,
 * with the run's backoff, hold up the workspace's later deliveries.
 */
function isPoison(err: unknown): boolean {
  return isPayloadError(err) || err instanceof RangeError;
}

/**
 * Applies a task's pending deliveries one at a time after the task failed with a poison error: each that
 * fails alone the same way is marked ignored (its comment text removed) and logged by id and error code —
 * never its payload or the error's message, which may quote it. Any other failure still fails the run.
 */
async function isolatePoison(
  deps: JobDeps,
  signal: AbortSignal | undefined,
  taskId: string,
): Promise<number> {
  const { sql } = deps.database;
  const ids = await sql<{ id: number }[]>`
    select id::int as id from webhook_deliveries where task_id = ${taskId} and outcome = 'pending' order by id`;
  let applied = 0;
  for (const { id } of ids) {
    try {
      applied += (await applyTaskDeliveries(applyDepsOf(deps, signal), taskId, [id])).applied;
    } catch (err) {
      if (!isPoison(err)) throw err;
      await sql`
        update webhook_deliveries d set outcome = 'ignored', applied_at = now(),
          body = ${withoutCommentText(sql, "d.body")}
        where d.id = ${id} and d.outcome = 'pending'`;
      deps.logger.warn(
        { taskId, deliveryId: id, code: (err as { code?: string }).code ?? (err as Error).name },
        "a ClickUp delivery cannot be applied (Postgres or JavaScript refuses a value in it); it is ignored",
      );
    }
  }
  return applied;
}
