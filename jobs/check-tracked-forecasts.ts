import type { Task } from "graphile-worker";
import { postTrackedForecasts } from "../src/slack/forecast/post-tracked-forecasts.ts";
import { parseJobPayload } from "../src/worker/job-catalog.ts";
import type { JobDeps } from "../src/worker/job-deps.ts";

/**
 * check-tracked-forecasts — nightly (src/worker/crontab.ts): re-runs every tracked forecast and posts to
 * its project channel once when the chance of finishing by its date drops below 85%, 70% or 50%
 * (docs/flow-metrics.md §12.7).
 */
export default function checkTrackedForecastsJob(deps: JobDeps): Task<"check-tracked-forecasts"> {
  return async (payload) => {
    parseJobPayload("check-tracked-forecasts", payload);
    const outcomes = await postTrackedForecasts(deps);
    deps.logger.info(
      { tracks: outcomes.length, posted: outcomes.filter((o) => o.posted).length },
      "tracked forecasts re-run",
    );
  };
}
