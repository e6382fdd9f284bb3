import { scopeKey, scopeTitle } from "../../flow/forecast/forecast-scope.ts";
import { forecastSet } from "../../flow/forecast/forecast-set.ts";
import { resolveForecastSet } from "../../flow/forecast/resolve-forecast-set.ts";
import { chanceBy, loadForecastContext } from "../../flow/forecast/run-forecast.ts";
import { bandOf, listTracks, removeTrack, saveTrack } from "../../flow/forecast/tracked-forecasts.ts";
import type { ReportProject } from "../../flow/report-projects.ts";
import { statusKey } from "../../flow/stage-mapping.ts";
import type { SlackServices } from "../slack-services.ts";
import { plural } from "../views/mrkdwn.ts";
import { checkByDate } from "./check-by-date.ts";
import { formatDate, noForecastText, percent, setProblemText, trackLine } from "./forecast-text.ts";
import type { ForecastArgs } from "./parse-forecast-args.ts";

/*
 * `/flow forecast track | list | untrack` (docs/flow-metrics.md §12.7). Each answers in the slash
 * command's own ephemeral reply: a track runs one forecast (well under a second) before it is saved.
 */

type TrackArgs = Extract<ForecastArgs, { kind: "track" | "list" | "untrack" }>;

export function trackCommands(services: SlackServices) {
  const { sql } = services.database;

  return async (parsed: TrackArgs, project: ReportProject, userId: string, now: Date): Promise<string> => {
    const ctx = await loadForecastContext(sql, project.id, { now });
    if (parsed.kind === "list") {
      const tracks = await listTracks(sql, project.id);
      if (tracks.length === 0) {
        return "Nothing is tracked in this channel. An admin tracks a set with `/flow forecast track <set> by YYYY-MM-DD`.";
      }
      return [
        `*Tracked forecasts* of <#${project.channelId}> (re-run nightly; the channel hears when a chance drops below 85%, 70% or 50%)`,
        ...tracks.map((t) => trackLine(t, ctx.today)),
      ].join("\n");
    }
    if (parsed.kind === "untrack") {
      let removed = "id" in parsed.which ? await removeTrack(sql, project.id, parsed.which) : [];
      if (!("id" in parsed.which)) {
        const typed = parsed.which.set;
        const resolved = await resolveForecastSet(sql, project.id, typed);
        const key = resolved.ok ? scopeKey(resolved.scope) : null;
        const track = (await listTracks(sql, project.id)).find(
          (t) => t.setKey === key || statusKey(t.setText) === statusKey(typed),
        );
        removed = track ? await removeTrack(sql, project.id, { id: track.id }) : [];
      }
      const [gone] = removed;
      if (!gone) {
        return ":mag: No tracked forecast of this channel is called that. `/flow forecast list` shows them with their ids.";
      }
      services.logger.info(
        { projectId: project.id, trackId: gone.id, by: userId },
        "tracked forecast removed",
      );
      return `:white_check_mark: Stopped tracking ${gone.setLabel} by ${formatDate(gone.targetDate)} (#${gone.id}).`;
    }
    const problem = checkByDate(ctx, parsed.by);
    if (problem) return problem;
    const resolved = await resolveForecastSet(sql, project.id, parsed.set);
    if (!resolved.ok) return setProblemText(resolved);
    const { scope } = resolved;
    const s = await forecastSet(sql, ctx, scope);
    if (s.forecast === null) {
      return `:white_check_mark: Nothing of ${scopeTitle(scope)} is open, so there is nothing to track.`;
    }
    if (!s.forecast.ok) return `${noForecastText(s.forecast, scope)} So it can't be tracked yet.`;
    const chance = chanceBy(ctx, s.forecast, parsed.by);
    const track = await saveTrack(sql, {
      projectId: project.id,
      setText: parsed.set,
      setKey: scopeKey(scope),
      setLabel: scopeTitle(scope),
      targetDate: parsed.by,
      createdBy: userId,
      chance,
      open: s.open,
      at: now,
    });
    services.logger.info({ projectId: project.id, trackId: track.id, by: userId }, "forecast tracked");
    const band = bandOf(chance);
    const next = band === 100 ? 85 : band === 85 ? 70 : band === 70 ? 50 : null;
    return `:white_check_mark: Tracking ${scopeTitle(scope)} by ${formatDate(parsed.by)} (#${track.id}): ${plural(s.open, "open task")}, a ${percent(chance)} chance of finishing by then${s.source === "project" ? " (from the whole project's throughput)" : ""}. I'll re-run it every night and ${next === null ? "say nothing more unless it climbs back and falls again" : `post in <#${project.channelId}> if it drops below ${next}%`}.`;
  };
}
