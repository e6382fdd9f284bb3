import type { Sql } from "postgres";
import { type ForecastScope, scopeCondition } from "./forecast-scope.ts";
import { type DayRule, dayNumber, historyDates, isCountedDay } from "./local-dates.ts";

/*
 * Throughput samples (docs/flow-metrics.md §12.1): one per date of the history window before today, the
 * cases finished on it in the project's zone, zeros included. One grouped query over the finished-in-range
 * index of flow_cases (a row per case, not per transition) gives the non-zero dates; the zeros and the
 * working-day rule are applied here.
 */

/** The default history window: 12 weeks (§12.1). */
export const DEFAULT_HISTORY_DAYS = 84;

/** Fewest sample days with a finished case a forecast stands on (§12.5). */
export const MIN_DAYS_WITH_FINISH = 10;

export type ThroughputSamples = {
  /** First and last date of the window (local `YYYY-MM-DD`). */
  first: string;
  last: string;
  /** One count per sample day, oldest first. */
  samples: Int32Array;
  finished: number;
  daysWithFinish: number;
};

/** The cases of `scope` finished on each local date of [first, last], as (date, count) pairs. */
async function finishedPerDate(
  sql: Sql,
  p: { projectId: number; timeZone: string; scope: ForecastScope },
  first: string,
  last: string,
): Promise<Map<string, number>> {
  const scoped = p.scope.kind !== "project";
  const rows = await sql<{ day: string; n: number }[]>`
    select (fc.finished_at at time zone ${p.timeZone})::date::text as day, count(*)::int as n
    from flow_cases fc
    ${scoped ? sql`join tracked_cases tc on tc.id = fc.case_id and ${scopeCondition(sql, p.scope, "tc")}` : sql``}
    where fc.project_id = ${p.projectId}
      and fc.finished_at >= (${first}::date::timestamp at time zone ${p.timeZone})
      and fc.finished_at < ((${last}::date + 1)::timestamp at time zone ${p.timeZone})
    group by 1`;
  return new Map(rows.map((r) => [r.day, r.n]));
}

/** The samples of the `historyDays` dates before `today`, under the project's clock (§12.1). */
export async function loadThroughputSamples(
  sql: Sql,
  p: { projectId: number; timeZone: string; scope: ForecastScope },
  today: string,
  historyDays: number,
  rule: DayRule,
): Promise<ThroughputSamples> {
  const dates = historyDates(today, historyDays);
  const first = dates[0]!;
  const last = dates.at(-1)!;
  return samplesOf(dates, await finishedPerDate(sql, p, first, last), rule);
}

/** §12.1's samples from the finished counts per date: every date, or working dates with the rest moved back. */
export function samplesOf(
  dates: readonly string[],
  counts: ReadonlyMap<string, number>,
  rule: DayRule,
): ThroughputSamples {
  const sampleDates = dates.filter((d) => isCountedDay(d, rule));
  const index = new Map(sampleDates.map((d, i) => [d, i]));
  const samples = new Int32Array(sampleDates.length);
  const firstDay = sampleDates.length > 0 ? dayNumber(sampleDates[0]!) : Number.POSITIVE_INFINITY;
  let finished = 0;
  for (const [date, n] of counts) {
    // A finish on a day that does not count lands on the last counted date before it.
    let d = dayNumber(date);
    let at = index.get(date);
    while (at === undefined && d > firstDay) {
      d--;
      at = index.get(new Date(d * 86_400_000).toISOString().slice(0, 10));
    }
    if (at === undefined) continue;
    samples[at] = samples[at]! + n;
    finished += n;
  }
  let daysWithFinish = 0;
  for (const s of samples) if (s > 0) daysWithFinish++;
  return { first: dates[0] ?? "", last: dates.at(-1) ?? "", samples, finished, daysWithFinish };
}

/** How many of the scope's cases are open now: not finished, started or not (§12.6). */
export async function openItems(sql: Sql, projectId: number, scope: ForecastScope): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    select count(*)::int as n
    from flow_cases fc
    join tracked_cases tc on tc.id = fc.case_id
    where fc.project_id = ${projectId} and fc.finished_at is null and ${scopeCondition(sql, scope, "tc")}`;
  return row?.n ?? 0;
}
