import type { Task } from "graphile-worker";
import { mapLimited } from "../src/concurrency/map-limited.ts";
import { enqueueFlowRebuild } from "../src/flow/metrics/deferred-rebuild.ts";
import { applyDepsOf, applyTaskDeliveries } from "../src/sync/apply/index.ts";
import { parseJobPayload } from "../src/worker/job-catalog.ts";
import type { JobDeps } from "../src/worker/job-deps.ts";

/** Tasks of one batch applied at once; each holds one of the app pool's connections (shared with the webhook route) while it runs. */
const BATCH_CONCURRENCY = 2;

/**
 * apply-task-deliveries — applies ClickUp tasks' pending webhook deliveries to the status timeline
 * (src/sync/apply) for the tasks it names. Payload `{taskId}` or, as the reconcile fan-out re-queues
 * stale deliveries (src/sync/requeue-pending-deliveries.ts), a graphile-worker batch `[{taskId}, …]`
 * (fresh deliveries are applied by jobs/apply-deliveries.ts, per workspace): every task is applied in its own transaction and reported on its own, so only the
 * tasks that failed (ClickUp rate-limited or down, the process killed) are retried, with backoff.
 * Two runs for one task (two batches naming it) serialise on a per-task advisory lock; a failure rolls
 * that task's whole run back, so a retry applies everything exactly once and no delivery is lost.
 */
export default function applyTaskDeliveriesJob(deps: JobDeps): Task<"apply-task-deliveries"> {
  return (payload, helpers) => {
    const applyOne = async (item: unknown) => {
      const { taskId } = parseJobPayload("apply-task-deliveries", item);
      const result = await applyTaskDeliveries(applyDepsOf(deps, helpers.abortSignal), taskId);
      if (result.deliveries > 0) deps.logger.debug({ taskId, ...result }, "applied ClickUp deliveries");
    };
    // The applied cases' flow facts were listed, not rebuilt (see applyTaskDeliveries): queue the
    // rebuild once per job, shortly after, so the next jobs' cases join it.
    const rebuildSoon = () => enqueueFlowRebuild(deps.database.sql, { delaySeconds: 1 });
    // A batch job: one promise per item, in payload order, as graphile-worker expects.
    if (Array.isArray(payload)) {
      const outcomes = mapLimited(payload, BATCH_CONCURRENCY, applyOne);
      return Promise.allSettled(outcomes).then(async () => {
        await rebuildSoon();
        return outcomes;
      });
    }
    return applyOne(payload).then(rebuildSoon);
  };
}
