import type { Task } from "graphile-worker";
import { refreshHolidayLists } from "../src/flow/holidays/refresh-holiday-lists.ts";
import { parseJobPayload } from "../src/worker/job-catalog.ts";
import type { JobDeps } from "../src/worker/job-deps.ts";

/**
 * refresh-holidays — daily cron (src/worker/crontab.ts): resolves the projects' holiday calendars again,
 * so a holidays-library upgrade that changes dates re-derives the numbers it affects (docs/flow-metrics.md
 * §11); unchanged lists are left alone.
 */
export default function refreshHolidaysJob(deps: JobDeps): Task<"refresh-holidays"> {
  return async (payload) => {
    parseJobPayload("refresh-holidays", payload);
    const { changed, unresolved } = await refreshHolidayLists(deps.database.sql);
    for (const u of unresolved)
      deps.logger.warn(u, "a saved holiday calendar no longer resolves; its last list is kept");
    if (changed.length > 0)
      deps.logger.info({ projects: changed }, "holiday lists changed; working days derived again");
  };
}
