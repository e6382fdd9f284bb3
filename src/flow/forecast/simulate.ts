import type { Rng } from "./prng.ts";

/*
 * The Monte Carlo trials (docs/flow-metrics.md §12.2–§12.4): each future day's count is drawn uniformly,
 * with replacement, from the throughput samples. Pure: samples and a generator in, one result per trial
 * out, in typed arrays so that 10,000 trials of a year's days stay a few milliseconds.
 */

/** The fewest trials a forecast runs (§12.2). */
export const MIN_TRIALS = 10_000;

/** A trial of "when N" gives up after this many future days (§12.4): ten years. */
export const MAX_FUTURE_DAYS = 3660;

function checkTrials(trials: number): void {
  if (!Number.isInteger(trials) || trials < 1)
    throw new RangeError(`trials must be a positive integer, not ${trials}`);
}

/** "How many in H days" (§12.3): each trial's total of `days` draws. */
export function simulateHowMany(samples: Int32Array, days: number, trials: number, rng: Rng): Int32Array {
  checkTrials(trials);
  if (samples.length === 0) throw new RangeError("no throughput samples to draw from");
  const n = samples.length;
  const totals = new Int32Array(trials);
  for (let t = 0; t < trials; t++) {
    let sum = 0;
    for (let d = 0; d < days; d++) sum += samples[rng.next(n)]!;
    totals[t] = sum;
  }
  return totals;
}

/**
 * "When N" (§12.4): each trial's number of future days until its running total reaches `target`, or
 * `maxDays + 1` when it has not by `maxDays` (a result the levels report as "later than").
 */
export function simulateWhen(
  samples: Int32Array,
  target: number,
  trials: number,
  rng: Rng,
  maxDays: number = MAX_FUTURE_DAYS,
): Int32Array {
  checkTrials(trials);
  if (samples.length === 0) throw new RangeError("no throughput samples to draw from");
  const n = samples.length;
  const results = new Int32Array(trials);
  if (target <= 0) return results;
  for (let t = 0; t < trials; t++) {
    let sum = 0;
    let d = 0;
    while (sum < target && d < maxDays) {
      sum += samples[rng.next(n)]!;
      d++;
    }
    results[t] = sum >= target ? d : maxDays + 1;
  }
  return results;
}
