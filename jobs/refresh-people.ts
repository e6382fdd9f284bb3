import type { Task } from "graphile-worker";
import { enqueueAllPeopleSyncs } from "../src/people/sync-people.ts";
import { parseJobPayload } from "../src/worker/job-catalog.ts";
import type { JobDeps } from "../src/worker/job-deps.ts";

/** refresh-people — hourly cron (src/worker/crontab.ts): queues sync-people for every connection. */
export default function refreshPeopleJob(deps: JobDeps): Task<"refresh-people"> {
  return async (payload) => {
    parseJobPayload("refresh-people", payload);
    const queued = await enqueueAllPeopleSyncs(deps.database.sql);
    deps.logger.info({ queued }, "people syncs queued");
  };
}
