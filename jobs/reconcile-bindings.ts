import type { Task } from "graphile-worker";
import { enqueueFlowRebuild } from "../src/flow/metrics/deferred-rebuild.ts";
import { enqueueReconcile, isDailySweep } from "../src/sync/reconcile/enqueue-reconcile.ts";
import { requeuePendingDeliveries } from "../src/sync/requeue-pending-deliveries.ts";
import { parseJobPayload } from "../src/worker/job-catalog.ts";
import type { JobDeps } from "../src/worker/job-deps.ts";

/**
 * reconcile-bindings — cron fan-out (every FLOWBOT_RECONCILE_MINUTES, src/worker/crontab.ts): queues one
 * reconcile-binding per binding that syncs (synced, not unbound, module on). The first run of each UTC
 * day is a sweep: a full pull that also finds tasks deleted or moved out while webhooks were missing.
 * It also re-queues webhook deliveries left pending (src/sync/requeue-pending-deliveries.ts).
 */
export default function reconcileBindingsJob(deps: JobDeps): Task<"reconcile-bindings"> {
  return async (payload) => {
    parseJobPayload("reconcile-bindings", payload);
    const sweep = isDailySweep(deps.now(), deps.config.reconcileMinutes);
    const queued = await enqueueReconcile(deps.database.sql, { sweep });
    const requeued = await requeuePendingDeliveries(deps.database.sql);
    await enqueueFlowRebuild(deps.database.sql, { ifListed: true }); // what a killed backfill left listed
    deps.logger.info({ queued, sweep, requeued }, "reconcile queued");
  };
}
