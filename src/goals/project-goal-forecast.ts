import type { Sql } from "postgres";
import { countFutureDays, localDate } from "../flow/forecast/local-dates.ts";
import {
  chanceBy,
  type ForecastContext,
  forecastWhen,
  loadForecastContext,
  loadSamples,
} from "../flow/forecast/run-forecast.ts";
import { MIN_DAYS_WITH_FINISH, type ThroughputSamples } from "../flow/forecast/throughput-samples.ts";
import { formatDate } from "../slack/forecast/forecast-text.ts";
import { plural } from "../slack/views/mrkdwn.ts";
import type { GoalForecast } from "./goal-forecast.ts";

/**
 * The goals' forecast line (docs/flow-metrics.md §12.8): the chance that a goal's open linked tasks finish
 * by its due date, from the project's throughput. The project's context and samples are read once per
 * report, however many goals it lists.
 */
export function projectGoalForecast(sql: Sql): GoalForecast {
  const loaded = new Map<number, Promise<{ ctx: ForecastContext; samples: ThroughputSamples }>>();
  const load = (projectId: number, now: Date) => {
    let p = loaded.get(projectId);
    if (!p) {
      p = loadForecastContext(sql, projectId, { now }).then(async (ctx) => ({
        ctx,
        samples: await loadSamples(sql, ctx, { kind: "project" }),
      }));
      loaded.set(projectId, p);
    }
    return p;
  };
  return async ({ projectId, openTaskIds, dueAt, now }) => {
    const open = openTaskIds.length;
    if (open === 0) return undefined;
    const { ctx, samples } = await load(projectId, now);
    const due = localDate(dueAt, ctx.timeZone);
    if (due <= ctx.today) return undefined;
    const f = forecastWhen(ctx, samples, open);
    if (!f.ok) {
      return f.why === "no_throughput"
        ? `:crystal_ball: _No forecast: no task of the project finished in ${formatDate(samples.first)} – ${formatDate(samples.last)}._`
        : `:crystal_ball: _No forecast: only ${plural(samples.daysWithFinish, "day")} of the last ${plural(samples.samples.length, "sample day")} had a finished task (${MIN_DAYS_WITH_FINISH} needed)._`;
    }
    const chance = Math.round(chanceBy(ctx, f, due) * 100);
    const at85 =
      f.dates[85] === null ? `later than ${formatDate(f.horizon ?? ctx.today)}` : formatDate(f.dates[85]);
    const days = countFutureDays(ctx.today, due, ctx.rule);
    return `:crystal_ball: *${chance}%* chance that ${open === 1 ? "its open linked task finishes" : `its ${open} open linked tasks finish`} by the due date (${plural(days, ctx.rule.working ? "working day" : "day")} from tomorrow); 85% by ${at85} _(project throughput of ${formatDate(samples.first)} – ${formatDate(samples.last)}, ${f.trials.toLocaleString("en-US")} trials)_`;
  };
}
