import type { Task } from "graphile-worker";
import { postWipLimitAlerts } from "../src/slack/limits/post-wip-limit-alerts.ts";
import { parseJobPayload } from "../src/worker/job-catalog.ts";
import type { JobDeps } from "../src/worker/job-deps.ts";

/**
 * check-wip-limits — judges one project's WIP limits against its cases' current statuses and posts one
 * channel alert per limit that went over (docs/flow-metrics.md §10.1). Queued per project (job key) by
 * src/flow/metrics/wip-limits-alert.ts after the flow facts are rebuilt, after a reconcile run and when
 * the limits are saved.
 */
export default function checkWipLimitsJob(deps: JobDeps): Task<"check-wip-limits"> {
  return async (payload) => {
    const { projectId } = parseJobPayload("check-wip-limits", payload);
    await postWipLimitAlerts(deps, projectId);
  };
}
