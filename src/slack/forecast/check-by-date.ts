import { addDays, countFutureDays, dayNumber } from "../../flow/forecast/local-dates.ts";
import type { ForecastContext } from "../../flow/forecast/run-forecast.ts";

/** How far ahead `how-many` looks without `by` (docs/flow-metrics.md §12.3): 14 days. */
export const DEFAULT_HORIZON_DAYS = 14;
/** The latest `by` date: ten years from today, the "when" forecast's horizon too. */
const MAX_AHEAD_DAYS = 3650;

/** A `by` date that is after today and not absurdly far, or the message saying what to fix. */
export function checkByDate(ctx: ForecastContext, by: string): string | null {
  if (dayNumber(by) <= dayNumber(ctx.today)) {
    return `:warning: \`${by}\` is not after today (${ctx.today} in ${ctx.timeZone}): a forecast looks ahead. Give a later date, e.g. \`by ${addDays(ctx.today, DEFAULT_HORIZON_DAYS)}\`.`;
  }
  if (dayNumber(by) - dayNumber(ctx.today) > MAX_AHEAD_DAYS) {
    return `:warning: \`${by}\` is more than ten years ahead; past-throughput forecasts say nothing that far out. Give a date before ${addDays(ctx.today, MAX_AHEAD_DAYS)}.`;
  }
  if (countFutureDays(ctx.today, by, ctx.rule) === 0) {
    return `:warning: There is no working day from tomorrow to \`${by}\` (weekends, holidays and blackout dates don't count here), so nothing can finish by then. Give a later date.`;
  }
  return null;
}
