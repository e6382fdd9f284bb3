/** The cycle-time percentiles flowbot reports (flow-metrics.md). */
export const PERCENTILES = [50, 70, 85, 95] as const;
export type Percentile = (typeof PERCENTILES)[number];

/** The nearest rank ⌈p/100 × n⌉ (1-based) of the p-th percentile of n values, in integer arithmetic. */
export function nearestRank(p: number, n: number): number {
  return Math.max(1, Math.ceil((p * n) / 100 - 1e-9));
}

/** The p-th percentile of values sorted ascending, by the nearest-rank method; null when empty. */
export function percentileOf(sortedAscending: readonly number[], p: number): number | null {
  const n = sortedAscending.length;
  if (n === 0) return null;
  return sortedAscending[nearestRank(p, n) - 1] ?? null;
}
