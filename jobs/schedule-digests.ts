import type { Task } from "graphile-worker";
import { scheduleDueDigests } from "../src/flow/digest/schedule-due-digests.ts";
import { parseJobPayload } from "../src/worker/job-catalog.ts";
import type { JobDeps } from "../src/worker/job-deps.ts";

/**
 * schedule-digests — cron, every minute (src/worker/crontab.ts). Queues `post-digest` for each
 * project whose digest fell due in its own time zone since the last few minutes; a due time is
 * claimed once in digest_runs, so overlapping runs and several workers queue it once.
 */
export default function scheduleDigestsJob(deps: JobDeps): Task<"schedule-digests"> {
  return async (payload) => {
    parseJobPayload("schedule-digests", payload);
    const claimed = await scheduleDueDigests(deps.database, deps.now());
    if (claimed > 0) deps.logger.info({ claimed }, "digests queued");
  };
}
