import type { WebClient } from "@slack/web-api";
import type { Database } from "../../db/connect-database.ts";
import { forecastSet } from "../../flow/forecast/forecast-set.ts";
import { resolveForecastSet } from "../../flow/forecast/resolve-forecast-set.ts";
import { chanceBy, type ForecastContext, loadForecastContext } from "../../flow/forecast/run-forecast.ts";
import { listTracks, recordRun, type TrackedForecast } from "../../flow/forecast/tracked-forecasts.ts";
import type { Logger } from "../../log/create-logger.ts";
import { trackAlertText } from "./forecast-text.ts";

type Deps = { database: Database; logger: Logger; slack?: WebClient; now: () => number };

/** What one night's run did with each track. */
type Outcome = { id: number; chance: number | null; posted: boolean; skipped?: string };

/**
 * The nightly run of every tracked forecast (docs/flow-metrics.md §12.7): the set's forecast again, its
 * chance of finishing by the date recorded, and one post to the project channel when this run is the one
 * that lowered the track's band. The seed is the project's and the night's (§12.2), so two workers
 * running the same night compute the same chance, and the band's conditional update lets one of them post.
 */
export async function postTrackedForecasts(deps: Deps): Promise<Outcome[]> {
  const { sql } = deps.database;
  const now = new Date(deps.now());
  const tracks = await listTracks(sql);
  const channels = new Map(
    // Projects with a binding only, as `/flow forecast` itself answers (src/flow/report-projects.ts).
    (
      await sql<{ id: number; channelId: string }[]>`
        select p.id::int, p.channel_id as "channelId" from projects p
        where exists (select 1 from bindings b where b.project_id = p.id)`
    ).map((p) => [p.id, p.channelId]),
  );
  const contexts = new Map<number, ForecastContext>();
  const outcomes: Outcome[] = [];
  for (const track of tracks) {
    const channelId = channels.get(track.projectId);
    if (channelId === undefined) {
      outcomes.push({ id: track.id, chance: null, posted: false, skipped: "no binding" });
      continue;
    }
    try {
      let ctx = contexts.get(track.projectId);
      if (!ctx) {
        ctx = await loadForecastContext(sql, track.projectId, { now });
        contexts.set(track.projectId, ctx);
      }
      outcomes.push(await runTrack(deps, ctx, track, channelId, now));
    } catch (err) {
      deps.logger.error({ err, trackId: track.id }, "a tracked forecast could not be run");
      outcomes.push({ id: track.id, chance: null, posted: false, skipped: "error" });
    }
  }
  return outcomes;
}

async function runTrack(
  deps: Deps,
  ctx: ForecastContext,
  track: TrackedForecast,
  channelId: string,
  now: Date,
): Promise<Outcome> {
  const { sql } = deps.database;
  // A date that has passed is no longer forecast (§12.7).
  if (track.targetDate < ctx.today)
    return { id: track.id, chance: null, posted: false, skipped: "date passed" };
  const resolved = await resolveForecastSet(sql, track.projectId, track.setText);
  if (!resolved.ok) {
    deps.logger.warn({ trackId: track.id, set: track.setText }, "a tracked forecast's set no longer exists");
    return { id: track.id, chance: null, posted: false, skipped: "set gone" };
  }
  const s = await forecastSet(sql, ctx, resolved.scope);
  if (s.forecast !== null && !s.forecast.ok) {
    return { id: track.id, chance: null, posted: false, skipped: s.forecast.why };
  }
  const chance = s.forecast === null ? 1 : chanceBy(ctx, s.forecast, track.targetDate);
  const alert = await recordRun(sql, track, { chance, open: s.open, at: now });
  if (!alert) return { id: track.id, chance, posted: false };
  if (!deps.slack) {
    deps.logger.warn(
      { trackId: track.id },
      "Slack is not configured; a tracked forecast's drop was not posted",
    );
    return { id: track.id, chance, posted: false };
  }
  // The band is claimed: a failed post is logged, not retried, since Slack may have shown it.
  const posted = await deps.slack.chat
    .postMessage({ channel: channelId, text: trackAlertText(track, chance, alert) })
    .then(() => true)
    .catch((err: unknown) => {
      deps.logger.warn({ err, trackId: track.id }, "could not post a tracked forecast's drop");
      return false;
    });
  return { id: track.id, chance, posted };
}
