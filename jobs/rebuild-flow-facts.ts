import type { Task } from "graphile-worker";
import {
  enqueueFlowRebuild,
  hasDirtyCases,
  rebuildDirtyCases,
} from "../src/flow/metrics/deferred-rebuild.ts";
import { enqueueWipLimitChecks } from "../src/flow/metrics/wip-limits-alert.ts";
import { parseJobPayload } from "../src/worker/job-catalog.ts";
import type { JobDeps } from "../src/worker/job-deps.ts";

/** Seconds before looking again at cases another transaction was rebuilding when this run ended. */
const RETRY_LEFTOVERS_SECONDS = 1;

/**
 * rebuild-flow-facts — rebuilds the flow facts of the cases bulk writers listed in flow_dirty_cases
 * (src/flow/metrics/deferred-rebuild.ts) until none is left. No payload. Queued with the job key
 * `rebuild-flow-facts` by the backfill (every few pages and when it ends), by the live apply job, and by
 * the reconcile fan-out (a safety net for anything listed by a run that was killed). Then queues
 * check-wip-limits.
 */
export default function rebuildFlowFactsJob(deps: JobDeps): Task<"rebuild-flow-facts"> {
  return async (payload) => {
    parseJobPayload("rebuild-flow-facts", payload);
    const started = performance.now();
    const rebuilt = await rebuildDirtyCases(deps.database.sql);
    // Cases skipped because another transaction held them are looked at again shortly.
    const leftover = await hasDirtyCases(deps.database.sql);
    if (leftover) await enqueueFlowRebuild(deps.database.sql, { delaySeconds: RETRY_LEFTOVERS_SECONDS });
    // Current statuses changed: the WIP limits are judged again (docs/flow-metrics.md §10.1) once
    // nothing is left to rebuild, for the projects whose alert is on and that are not backfilling.
    else if (rebuilt > 0) await enqueueWipLimitChecks(deps.database.sql, "all");
    if (rebuilt > 0 || leftover) {
      deps.logger.info(
        { rebuilt, leftover, ms: Math.round(performance.now() - started) },
        "flow facts rebuilt",
      );
    }
  };
}
