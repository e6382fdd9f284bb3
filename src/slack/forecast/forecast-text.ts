import type { ForecastScope } from "../../flow/forecast/forecast-scope.ts";
import { scopeTitle } from "../../flow/forecast/forecast-scope.ts";
import type { SetForecast } from "../../flow/forecast/forecast-set.ts";
import { FORECAST_LEVELS } from "../../flow/forecast/levels.ts";
import type { SetResolution } from "../../flow/forecast/resolve-forecast-set.ts";
import type {
  ForecastContext,
  HowManyForecast,
  NoForecast,
  WhenForecast,
} from "../../flow/forecast/run-forecast.ts";
import { MIN_DAYS_WITH_FINISH, type ThroughputSamples } from "../../flow/forecast/throughput-samples.ts";
import type { TrackAlert, TrackedForecast } from "../../flow/forecast/tracked-forecasts.ts";
import { clip } from "../views/block-kit.ts";
import { escapeMrkdwn, plural } from "../views/mrkdwn.ts";

/*
 * What a forecast says in Slack (docs/flow-metrics.md §12): the four levels, then where the numbers come
 * from — the sample window, its sample days, the trials — so that anyone can judge how far to trust it.
 */

const dateFormat = new Intl.DateTimeFormat("en-GB", {
  weekday: "short",
  day: "numeric",
  month: "short",
  year: "numeric",
  timeZone: "UTC",
});

/** "Mon 23 Mar 2026" for a local date `YYYY-MM-DD`. */
export function formatDate(date: string): string {
  return dateFormat.format(new Date(`${date}T00:00:00Z`)).replace(",", "");
}

const thousands = (n: number) => n.toLocaleString("en-US");
const name = (scope: ForecastScope) => escapeMrkdwn(clip(scopeTitle(scope), 80));

/** The context line: window, sample days, trials and the clock. */
function provenance(ctx: ForecastContext, samples: ThroughputSamples, trials: number): string {
  const clock = ctx.rule.working ? " Working days only (weekends, holidays and blackout dates skipped)." : "";
  return `From ${thousands(trials)} trials over the throughput of ${formatDate(samples.first)} – ${formatDate(samples.last)}: ${plural(samples.samples.length, "sample day")}, ${samples.daysWithFinish} with a finished task (${plural(samples.finished, "task")} finished). Future days start tomorrow.${clock}`;
}

/** §12.5: why there is no number, and what would help. */
export function noForecastText(f: NoForecast, scope: ForecastScope): string {
  const window = `${formatDate(f.samples.first)} – ${formatDate(f.samples.last)}`;
  if (f.why === "no_throughput") {
    return `:crystal_ball: No task of ${name(scope)} finished in ${window}, so there is no throughput to forecast from: at zero a day nothing would ever finish. Try a longer history (e.g. \`26w\`) or a wider set.`;
  }
  return `:crystal_ball: Too little history to forecast ${name(scope)}: only ${plural(f.samples.daysWithFinish, "day")} of ${plural(f.samples.samples.length, "sample day")} in ${window} had a finished task, and a forecast needs at least ${MIN_DAYS_WITH_FINISH}, or a few lucky or unlucky days would decide it. Try a longer history (e.g. \`26w\`) or a wider set.`;
}

export function howManyText(ctx: ForecastContext, f: HowManyForecast, scope: ForecastScope): string {
  const lines = FORECAST_LEVELS.map((p) => `• ${p}% confident: *${thousands(f.levels[p])}* or more`);
  return [
    `*How many will finish by ${formatDate(f.until)}* — ${name(scope)}, ${plural(f.days, ctx.rule.working ? "working day" : "day")} from tomorrow`,
    ...lines,
    `_${provenance(ctx, f.samples, f.trials)}_`,
  ].join("\n");
}

function whenLines(ctx: ForecastContext, f: WhenForecast): string[] {
  const unit = ctx.rule.working ? "working day" : "day";
  return FORECAST_LEVELS.map((p) => {
    const date = f.dates[p];
    return date === null
      ? `• ${p}% confident: later than ${formatDate(f.horizon ?? ctx.today)}`
      : `• ${p}% confident: by *${formatDate(date)}* (${plural(f.levels[p], unit)})`;
  });
}

export function whenText(ctx: ForecastContext, f: WhenForecast, scope: ForecastScope): string {
  return [
    `*When will ${plural(f.target, "more task")} be finished* — ${name(scope)}`,
    ...whenLines(ctx, f),
    `_${provenance(ctx, f.samples, f.trials)}_`,
  ].join("\n");
}

export function setText(ctx: ForecastContext, s: SetForecast, f: WhenForecast, scope: ForecastScope): string {
  const source =
    s.source === "project"
      ? `\n_From the whole project's throughput: ${name(scope)} alone has ${plural(s.own.daysWithFinish, "day")} with a finished task, fewer than ${MIN_DAYS_WITH_FINISH}._`
      : "";
  return [
    `*When will the ${plural(s.open, "open task")} of ${name(scope)} be done*`,
    ...whenLines(ctx, f),
    `_${provenance(ctx, f.samples, f.trials)}_${source}`,
  ].join("\n");
}

// Escaped: Slack reads `<!channel>` as a mention even inside backticks.
const codeOf = (text: string) => `\`${escapeMrkdwn(clip(text.replace(/`/g, "'"), 60))}\``;

/** A set or segment the project does not have: what it does have. */
export function setProblemText(r: Exclude<SetResolution, { ok: true }>): string {
  if (r.problem === "unknown") {
    const lists = r.lists.length ? ` Lists: ${r.lists.slice(0, 15).map(codeOf).join(", ")}.` : "";
    const folders = r.folders.length ? ` Folders: ${r.folders.slice(0, 15).map(codeOf).join(", ")}.` : "";
    return `:mag: ${codeOf(r.typed)} is no list, folder, tag or segment value of this channel's tasks.${lists}${folders} A tag is matched whatever its case; a segment is written \`type:Bug\` or \`priority:urgent\`.`;
  }
  const res = r.resolution;
  switch (res.problem) {
    case "no_dimension":
      return ":mag: This channel has no segment dimension; name one, e.g. `type:Bug` or `priority:urgent`.";
    case "unknown_dimension":
      return `:mag: ${codeOf(res.named)} is not something this channel's tasks can be segmented by. Use one of ${res.dimensions.slice(0, 20).map(codeOf).join(", ")}.`;
    case "unknown_value": {
      const values = res.values
        .slice(0, 20)
        .map((v) => `${codeOf(v.value)} (${plural(v.cases, "task")})`)
        .join(", ");
      return clip(
        `:mag: No task of this channel has ${codeOf(res.typed)} as its ${escapeMrkdwn(clip(res.title, 60))} now. ${values ? `Its values: ${values}.` : "No task holds any value of it yet."}`,
        3000,
      );
    }
  }
}

const percent = (chance: number) => `${Math.round(chance * 100)}%`;

/** §12.7's alert: the new chance, its change since the last run, and the level it fell below. */
export function trackAlertText(track: TrackedForecast, chance: number, alert: TrackAlert): string {
  const change =
    alert.previous === null
      ? ""
      : ` (${Math.round(chance * 100) - Math.round(alert.previous * 100) >= 0 ? "+" : "−"}${Math.abs(Math.round(chance * 100) - Math.round(alert.previous * 100))} points since the last run, ${percent(alert.previous)})`;
  return `:chart_with_downwards_trend: The chance of finishing ${escapeMrkdwn(clip(track.setLabel, 80))} by ${formatDate(track.targetDate)} is now ${percent(chance)}${change}: below ${alert.band}%. ${codeOf(`/flow forecast ${track.setText}`)} shows the dates.`;
}

/** One line of `/flow forecast list`. */
export function trackLine(track: TrackedForecast, today: string): string {
  const state =
    track.targetDate < today
      ? "date passed"
      : track.lastOpen === 0
        ? "nothing left open"
        : track.lastChance === null
          ? "not run yet"
          : `${percent(track.lastChance)} chance${track.lastOpen === null ? "" : `, ${plural(track.lastOpen, "open task")}`}`;
  return `• #${track.id} ${escapeMrkdwn(clip(track.setLabel, 80))} by ${formatDate(track.targetDate)} — ${state}`;
}

export { percent };
