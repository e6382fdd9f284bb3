import type { Task } from "graphile-worker";
import { applyTaskDeliveries } from "../src/sync/apply/index.ts";
import type { JobDeps } from "../src/worker/job-deps.ts";

/**
 * apply-task-deliveries — applies ClickUp tasks' pending webhook deliveries to the status timeline
 * (src/sync/apply). The webhook route enqueues it in the statement that stores a group of deliveries,
 * as a graphile-worker batch job: the payload is `[{taskId}, …]`, one entry per task of the group (a
 * single `{taskId}` is accepted too). Each task is applied in its own transaction under a per-task
 * advisory lock, so two jobs naming one task serialise and the second finds nothing left to do. A
 * failed task is retried alone (graphile-worker retries only the failed entries of a batch);
 * deliveries are never lost.
 */
export default function applyTaskDeliveriesJob(deps: JobDeps): Task {
  return async (payload, helpers) => {
    const entries = Array.isArray(payload) ? payload : [payload];
    const apply = async (entry: unknown) => {
      const taskId = (entry as { taskId?: unknown } | null)?.taskId;
      if (typeof taskId !== "string" || taskId.length === 0) {
        throw new Error(`apply-task-deliveries needs {taskId: string} entries, got ${JSON.stringify(entry)}`);
      }
      const result = await applyTaskDeliveries(
        {
          sql: deps.database.sql,
          logger: deps.logger,
          now: deps.now,
          sealer: deps.sealer,
          clickup: deps.clickup,
          signal: helpers.abortSignal,
        },
        taskId,
      );
      if (result.deliveries > 0) deps.logger.debug({ taskId, ...result }, "applied ClickUp deliveries");
    };
    if (!Array.isArray(payload)) return apply(payload);
    // Sequential: the tasks of a group share one worker slot instead of fanning out over the pool.
    const outcomes: Promise<void>[] = [];
    for (const entry of entries) {
      const outcome = apply(entry);
      outcomes.push(outcome);
      await outcome.catch(() => {});
    }
    return outcomes;
  };
}
