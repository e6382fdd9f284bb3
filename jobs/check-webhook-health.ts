import type { Task } from "graphile-worker";
import { checkWebhookHealth } from "../src/sync/webhook-health/check-webhook-health.ts";
import { parseJobPayload } from "../src/worker/job-catalog.ts";
import type { JobDeps } from "../src/worker/job-deps.ts";

/**
 * check-webhook-health — hourly cron (src/worker/crontab.ts): reactivates failing or suspended ClickUp
 * webhooks, re-creates missing ones and tells a project channel once when its webhook keeps failing
 * (src/sync/webhook-health). Without PUBLIC_URL it only logs that it has nothing to check.
 */
export default function checkWebhookHealthJob(deps: JobDeps): Task<"check-webhook-health"> {
  return async (payload, helpers) => {
    parseJobPayload("check-webhook-health", payload);
    await checkWebhookHealth({
      database: deps.database,
      clickup: deps.clickup,
      sealer: deps.sealer,
      logger: deps.logger,
      now: deps.now,
      publicUrl: deps.config.publicUrl,
      reconcileMinutes: deps.config.reconcileMinutes,
      slack: deps.slack,
      signal: helpers.abortSignal,
    });
  };
}
