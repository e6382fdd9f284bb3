/*
 * The four confidence levels of a forecast (docs/flow-metrics.md §12.3–§12.4, §12.7), read off the trials'
 * results. "How many" answers the count at least p% of trials reach; "when" answers the nearest-rank
 * number of days (§4.8) within which at least p% finish.
 */

export const FORECAST_LEVELS = [50, 70, 85, 95] as const;
type ForecastLevel = (typeof FORECAST_LEVELS)[number];
export type LevelValues = Record<ForecastLevel, number>;

const sortedCopy = (values: Int32Array) => Int32Array.from(values).sort();

/** §12.3: the largest count that at least p% of trials reach — position ⌊T × (100 − p) ÷ 100⌋ ascending. */
export function howManyLevels(totals: Int32Array): LevelValues {
  const sorted = sortedCopy(totals);
  const t = sorted.length;
  const at = (p: number) => sorted[Math.floor((t * (100 - p)) / 100)]!;
  return { 50: at(50), 70: at(70), 85: at(85), 95: at(95) };
}

/** §12.4: the nearest-rank days, rank ⌈p × T ÷ 100⌉ of the results sorted ascending. */
export function whenLevels(days: Int32Array): LevelValues {
  const sorted = sortedCopy(days);
  const t = sorted.length;
  const at = (p: number) => sorted[Math.max(1, Math.ceil((p * t) / 100)) - 1]!;
  return { 50: at(50), 70: at(70), 85: at(85), 95: at(95) };
}

/** §12.7: the share (0–1) of trials whose result is at most `days` future days. */
export function chanceWithin(results: Int32Array, days: number): number {
  let within = 0;
  for (let i = 0; i < results.length; i++) if (results[i]! <= days) within++;
  return results.length === 0 ? 0 : within / results.length;
}
