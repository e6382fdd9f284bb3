/** The cycle-time percentiles flowbot reports (docs/flow-metrics.md §4.8). */
export const PERCENTILES = [50, 70, 85, 95] as const;
