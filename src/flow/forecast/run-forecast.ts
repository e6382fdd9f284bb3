import type { Sql } from "postgres";
import { loadMetricsSettings } from "../metrics/window-settings.ts";
import type { ForecastScope } from "./forecast-scope.ts";
import { chanceWithin, FORECAST_LEVELS, howManyLevels, type LevelValues, whenLevels } from "./levels.ts";
import { countFutureDays, type DayRule, futureDates, localDate } from "./local-dates.ts";
import { mulberry32, seedOf } from "./prng.ts";
import { MAX_FUTURE_DAYS, MIN_TRIALS, simulateHowMany, simulateWhen } from "./simulate.ts";
import {
  DEFAULT_HISTORY_DAYS,
  loadThroughputSamples,
  MIN_DAYS_WITH_FINISH,
  type ThroughputSamples,
} from "./throughput-samples.ts";

/*
 * One forecast from question to answer (docs/flow-metrics.md §12): the project's zone and clock, the
 * samples of the scope, the trials, the levels. Everything but the samples query is pure arithmetic.
 */

/** What every forecast of a project at one instant shares. */
export type ForecastContext = {
  projectId: number;
  timeZone: string;
  /** Today's local date in the project's zone. */
  today: string;
  rule: DayRule;
  historyDays: number;
  trials: number;
  /** The generator's seed (§12.2); by default from the project and today's date. */
  seed: number;
};

export async function loadForecastContext(
  sql: Sql,
  projectId: number,
  opts: { now: Date; historyDays?: number; trials?: number; seed?: number },
): Promise<ForecastContext> {
  const s = await loadMetricsSettings(sql, projectId);
  const holidays =
    s.clock === "working"
      ? await sql<
          { day: string }[]
        >`select day::text as day from project_holidays where project_id = ${projectId}`
      : [];
  const today = localDate(opts.now, s.timeZone);
  return {
    projectId,
    timeZone: s.timeZone,
    today,
    rule:
      s.clock === "working"
        ? { working: true, holidays: new Set(holidays.map((h) => h.day)) }
        : { working: false },
    historyDays: opts.historyDays ?? DEFAULT_HISTORY_DAYS,
    trials: Math.max(MIN_TRIALS, opts.trials ?? MIN_TRIALS),
    seed: opts.seed ?? seedOf(`${projectId}:${today}`),
  };
}

export function loadSamples(
  sql: Sql,
  ctx: ForecastContext,
  scope: ForecastScope,
): Promise<ThroughputSamples> {
  return loadThroughputSamples(
    sql,
    { projectId: ctx.projectId, timeZone: ctx.timeZone, scope },
    ctx.today,
    ctx.historyDays,
    ctx.rule,
  );
}

/** Why there is no number (§12.5). */
export type NoForecast = { ok: false; why: "no_throughput" | "thin"; samples: ThroughputSamples };

export const tooThin = (samples: ThroughputSamples): NoForecast | null =>
  samples.daysWithFinish >= MIN_DAYS_WITH_FINISH
    ? null
    : { ok: false, why: samples.finished === 0 ? "no_throughput" : "thin", samples };

export type HowManyForecast = {
  ok: true;
  samples: ThroughputSamples;
  trials: number;
  /** The last future day (DATE) and how many future days up to it. */
  until: string;
  days: number;
  levels: LevelValues;
  totals: Int32Array;
};

/** §12.3: how many of the scope's cases finish from tomorrow through `until`. */
export function forecastHowMany(
  ctx: ForecastContext,
  samples: ThroughputSamples,
  until: string,
): HowManyForecast | NoForecast {
  const thin = tooThin(samples);
  if (thin) return thin;
  const days = countFutureDays(ctx.today, until, ctx.rule);
  const totals = simulateHowMany(samples.samples, days, ctx.trials, mulberry32(ctx.seed));
  return { ok: true, samples, trials: ctx.trials, until, days, levels: howManyLevels(totals), totals };
}

export type WhenForecast = {
  ok: true;
  samples: ThroughputSamples;
  trials: number;
  target: number;
  /** Future days per level, and their dates (null: later than the last simulated day, `horizon`). */
  levels: LevelValues;
  dates: Record<(typeof FORECAST_LEVELS)[number], string | null>;
  /** Set when some level is later than the last simulated day: that day. */
  horizon: string | null;
  results: Int32Array;
};

/** §12.4: the future day by which `target` of the scope's cases are finished. */
export function forecastWhen(
  ctx: ForecastContext,
  samples: ThroughputSamples,
  target: number,
): WhenForecast | NoForecast {
  const thin = tooThin(samples);
  if (thin) return thin;
  const results = simulateWhen(samples.samples, target, ctx.trials, mulberry32(ctx.seed), MAX_FUTURE_DAYS);
  const levels = whenLevels(results);
  const top = Math.min(MAX_FUTURE_DAYS, Math.max(...FORECAST_LEVELS.map((p) => levels[p])));
  const steps = futureDates(ctx.today, Math.max(top, 1), ctx.rule);
  // A level past the last simulated day makes `top` that day, so the steps reach it.
  const later = FORECAST_LEVELS.some((p) => levels[p] > MAX_FUTURE_DAYS);
  const horizon = later ? steps.at(-1)! : null;
  const dateOf = (d: number) => (d > MAX_FUTURE_DAYS ? null : d === 0 ? ctx.today : steps[d - 1]!);
  return {
    ok: true,
    samples,
    trials: ctx.trials,
    target,
    levels,
    dates: { 50: dateOf(levels[50]), 70: dateOf(levels[70]), 85: dateOf(levels[85]), 95: dateOf(levels[95]) },
    horizon,
    results,
  };
}

/** §12.7: the chance (0–1) that `target` items are finished by `until`. */
export function chanceBy(ctx: ForecastContext, forecast: WhenForecast, until: string): number {
  return chanceWithin(forecast.results, countFutureDays(ctx.today, until, ctx.rule));
}
