import type { Sql } from "postgres";
import { finishedWithReworkCount } from "./rework.ts";
import { caseScope } from "./segments-scope.ts";
import { cycleColumn, leadColumn, type PercentileRow, percentileJson, percentiles } from "./sql-fragments.ts";
import { type ThroughputRow, throughputWeeks, toThroughputWeeks } from "./throughput.ts";
import type { CycleScatterPoint, CycleTimePercentiles, Percentiles, ThroughputWeek } from "./types.ts";
import type { MetricsSettings } from "./window-settings.ts";

/*
 * Cycle time and lead time of finished tasks (docs/flow-metrics.md §4.1–4.2, percentiles §4.8). The
 * report reads them with the same tasks' throughput, flow efficiency and rework in one scan of the
 * window's finished cases (finishedStats).
 */

export interface FinishedStats {
  finished: number;
  skipped: number;
  cycleTime: CycleTimePercentiles;
  leadTime: Percentiles;
  flowEfficiency: number | null;
  finishedWithRework: number;
  throughput: ThroughputWeek[];
}

/** Everything about the tasks finished in [from, to]: percentiles, throughput, efficiency, rework. */
export async function finishedStats(
  sql: Sql,
  s: MetricsSettings,
  from: Date,
  to: Date,
): Promise<FinishedStats> {
  const [row] = await sql<
    {
      finished: number;
      skipped: number;
      cycleEstimated: number;
      leadEstimated: number;
      cycle: PercentileRow;
      calendar: PercentileRow;
      lead: PercentileRow;
      efficiency: number | null;
      withRework: number;
      weeks: ThroughputRow;
    }[]
  >`
    with fin as (
      select fc.case_id, fc.estimated, fc.finished_at, fc.active_seconds, fc.finished_week,
             fc.started_at is null as skipped,
             fc.${sql(cycleColumn(s))} as cycle,
             fc.cycle_calendar_days as cal,
             case when fc.started_at is not null
               then extract(epoch from fc.finished_at - fc.started_at)::float8 end as cycle_s,
             fc.${sql(leadColumn(s))} as lead
      from flow_cases fc
      where fc.project_id = ${s.projectId}
        and fc.finished_at >= ${from}::timestamptz and fc.finished_at <= ${to}::timestamptz
        ${caseScope(sql, s, "fc.case_id")}
    )
    select
      (select count(*)::int from fin) as finished,
      (select count(*)::int from fin where skipped) as skipped,
      (select count(*)::int from fin where cycle is not null and estimated) as "cycleEstimated",
      (select count(*)::int from fin where estimated) as "leadEstimated",
      (select ${percentileJson(sql, "cycle")} from fin) as cycle,
      (select ${percentileJson(sql, "cal")} from fin) as calendar,
      (select ${percentileJson(sql, "lead")} from fin) as lead,
      (select sum(least(active_seconds, cycle_s)) / nullif(sum(cycle_s), 0) from fin where cycle_s is not null)
        as efficiency,
      ${finishedWithReworkCount(sql)} as "withRework",
      ${throughputWeeks(sql, s, from, to)} as weeks`;
  if (!row) throw new Error("finished stats query returned nothing");
  return {
    finished: row.finished,
    skipped: row.skipped,
    cycleTime: {
      ...percentiles(row.cycle),
      estimated: row.cycleEstimated,
      calendarDays: {
        p50: row.calendar.p50,
        p70: row.calendar.p70,
        p85: row.calendar.p85,
        p95: row.calendar.p95,
      },
    },
    leadTime: { ...percentiles(row.lead), estimated: row.leadEstimated },
    flowEfficiency: row.efficiency,
    finishedWithRework: row.withRework,
    throughput: toThroughputWeeks(row.weeks),
  };
}

/** Only the cycle-time percentiles of [from, to] (for the headline and the ageing list). */
export async function cyclePercentiles(
  sql: Sql,
  s: MetricsSettings,
  from: Date,
  to: Date,
): Promise<Omit<Percentiles, "estimated">> {
  const [row] = await sql<{ cycle: PercentileRow }[]>`
    select ${percentileJson(sql, "fc.cycle")} as cycle
    from (select ${sql(cycleColumn(s))} as cycle
          from flow_cases
          where project_id = ${s.projectId} and started_at is not null
            and finished_at >= ${from}::timestamptz and finished_at <= ${to}::timestamptz
            ${caseScope(sql, s, "flow_cases.case_id")}) fc`;
  return percentiles(row?.cycle ?? { n: 0, p50: null, p70: null, p85: null, p95: null });
}

/** Cycle time of each task finished in [from, to] (newest first, at most `limit`) and how many there are. */
export async function cycleScatter(
  sql: Sql,
  s: MetricsSettings,
  from: Date,
  to: Date,
  limit: number,
): Promise<CycleScatterPoint[]> {
  return sql<CycleScatterPoint[]>`
    select fc.case_id::float8 as "caseId", tc.name, tc.url, fc.finished_at as "finishedAt",
           fc.${sql(cycleColumn(s))} as "cycleDays",
           fc.estimated
    from (select * from flow_cases
          where project_id = ${s.projectId} and started_at is not null
            and finished_at >= ${from}::timestamptz and finished_at <= ${to}::timestamptz
            ${caseScope(sql, s, "flow_cases.case_id")}
          order by finished_at desc, case_id desc limit ${limit}) fc
    join tracked_cases tc on tc.id = fc.case_id
    order by fc.finished_at desc, fc.case_id desc`;
}
