import type { Sql } from "postgres";
import type { MetricsSettings } from "./window-settings.ts";
import { arrivalsAndDepartures, type FlowBalanceWeek } from "./wip-limits.ts";

/* The weekly series of the throughput run chart (docs/flow-metrics.md §13.2) and App Home's sparkline (§13.5). */

type RunWeek = FlowBalanceWeek & { /** The week holding `now`, counted so far. */ partial: boolean };

export type RunSeries = {
  weeks: RunWeek[];
  /** Median (nearest rank) of the whole weeks' departures; null with no whole week. */
  median: number | null;
};

/** Nearest-rank median (§4.8, rank ⌈n ÷ 2⌉), as percentile_disc(0.5) takes it. */
export function nearestRankMedian(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(sorted.length / 2) - 1]!;
}

/**
 * Arrivals and departures of every ISO week touching [from, now] (§10.2's counting, one segment's cases
 * with `s.scope`), the current week marked partial, and the median of the whole weeks' departures.
 */
export async function runSeries(sql: Sql, s: MetricsSettings, from: Date, now: Date): Promise<RunSeries> {
  const rows = await arrivalsAndDepartures(sql, s.projectId, s.timeZone, from, now, s.scope);
  const weeks = rows.map((w, i) => ({ ...w, partial: i === rows.length - 1 }));
  return { weeks, median: nearestRankMedian(weeks.filter((w) => !w.partial).map((w) => w.departures)) };
}

const BLOCKS = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"] as const;

/** One block character per value, the highest █ and zero ▁ (§13.5); all zero gives a flat ▁ line. */
export function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  return values
    .map((v) => (max === 0 || v <= 0 ? BLOCKS[0] : BLOCKS[Math.max(1, Math.round((v / max) * 7))]))
    .join("");
}
