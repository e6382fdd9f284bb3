import type { Sql } from "postgres";
import type { ThroughputWeek } from "./types.ts";
import type { MetricsSettings } from "./window-settings.ts";

/** Finished tasks per week, as the throughput fragment returns them (JSON). */
export type ThroughputRow = { weekStart: string; count: number }[];

/**
 * SQL fragment: throughput (docs/flow-metrics.md §4.6) — how many of the finished tasks in the CTE
 * `fin` (one row per task, with its `finished_week`) finished in each week of [from, to], weeks starting
 * on Monday in the project's zone, every week listed and an empty one as 0.
 */
export function throughputWeeks(sql: Sql, s: MetricsSettings, from: Date, to: Date) {
  return sql`
      (select coalesce(json_agg(json_build_object('weekStart', g.ws, 'count', coalesce(w.cnt, 0)) order by g.ws), '[]')
          from (select g.wk at time zone ${s.timeZone} as ws
                from generate_series(
                       date_trunc('week', ${from}::timestamptz at time zone ${s.timeZone}),
                       date_trunc('week', ${to}::timestamptz at time zone ${s.timeZone}),
                       interval '1 week') as g(wk)) g
          left join (select finished_week as wk, count(*)::int as cnt from fin group by 1) w on w.wk = g.ws)`;
}

export function toThroughputWeeks(rows: ThroughputRow): ThroughputWeek[] {
  return rows.map((w) => ({ weekStart: new Date(w.weekStart), count: w.count }));
}
