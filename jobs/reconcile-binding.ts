import type { Task } from "graphile-worker";
import { enqueueWipLimitChecks } from "../src/flow/metrics/wip-limits-alert.ts";
import { loadBindingContext } from "../src/sync/backfill/load-binding-context.ts";
import { reconcileBinding } from "../src/sync/reconcile/reconcile-binding.ts";
import { parseJobPayload } from "../src/worker/job-catalog.ts";
import type { JobDeps } from "../src/worker/job-deps.ts";

/**
 * reconcile-binding — repairs what ClickUp webhooks missed for one binding (src/sync/reconcile).
 * Queued by src/sync/reconcile/enqueue-reconcile.ts (job key per binding). Paused, unbound, unsynced or errored bindings and a module that is
 * off are skipped; a permanent ClickUp refusal puts the binding in error (told once) and ends the job;
 * anything else throws so graphile-worker retries it.
 */
export default function reconcileBindingJob(deps: JobDeps): Task<"reconcile-binding"> {
  return async (payload, helpers) => {
    const { bindingId, sweep } = parseJobPayload("reconcile-binding", payload);
    const ctx = await loadBindingContext(deps.database.db, bindingId);
    if (!ctx) {
      deps.logger.info({ bindingId }, "binding or its connection is gone; nothing to reconcile");
      return;
    }
    const result = await reconcileBinding(
      {
        database: deps.database,
        clickup: deps.clickup(deps.sealer.open(ctx.connection.tokenSealed)),
        logger: deps.logger,
        now: deps.now,
        slack: deps.slack,
        signal: helpers.abortSignal,
      },
      bindingId,
      { sweep: sweep === true },
    );
    if (result.status === "skipped") {
      deps.logger.info({ bindingId, reason: result.reason }, "reconcile skipped");
      return;
    }
    // Reconcile writes cases directly (their flow facts follow at once): judge the WIP limits (§10.1).
    await enqueueWipLimitChecks(deps.database.sql, [ctx.binding.projectId]);
  };
}
