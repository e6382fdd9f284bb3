import type { Sql } from "postgres";
import type { FlowStage } from "../stage-mapping.ts";
import { PERCENTILES } from "./percentiles.ts";
import type { MetricsSettings } from "./settings.ts";
import type {
  AgeingItem,
  AgeingThresholds,
  Assignee,
  CycleScatterPoint,
  CycleTimePercentiles,
  Pace,
  Percentiles,
  ReworkEventItem,
  ThroughputWeek,
  TimeInStatus,
} from "./types.ts";

/*
 * The SQL behind the Flow view. Everything reads flow_cases / flow_case_status (per-case facts kept
 * current by the database, see db/functions/), so a report touches one row per
 * case finished in the window or in progress — never a project's whole transition history. Day counts
 * use flowbot_days (elapsed days, or working days in the project's zone) and nearest-rank percentiles
 * are Postgres's percentile_disc.
 */

const iso = (d: Date) => d.toISOString();
/** drizzle turns postgres.js's timestamp parsing off on the shared client: timestamps may arrive as text. */
const toDate = (v: Date | string) => (v instanceof Date ? v : new Date(v));

/**
 * SQL fragment: the nearest-rank percentiles (docs/flow-metrics.md §4.8) of column `v` over the rows
 * aggregated, with their count. Postgres's percentile_disc is the nearest-rank method: the first value
 * whose rank r has r / n ≥ p, i.e. rank ⌈p·n⌉ (test/flow/percentiles.test.ts holds it to that).
 */
const percentileJson = (sql: Sql, v: string) =>
  sql.unsafe(
    `json_build_object('n', count(${v})::int, ${PERCENTILES.map(
      (p, i) =>
        `'p${p}', (percentile_disc(array[${PERCENTILES.map((q) => q / 100).join(", ")}]::float8[]) within group (order by ${v}))[${i + 1}]`,
    ).join(", ")})`,
  );

/** Stored durations of finished cases (flow_cases), in the project's clock. */
const cycleColumn = (s: MetricsSettings) => (s.clock === "working" ? "cycle_work_days" : "cycle_days");
const leadColumn = (s: MetricsSettings) => (s.clock === "working" ? "lead_work_days" : "lead_days");

type PercentileRow = {
  n: number;
  p50: number | null;
  p70: number | null;
  p85: number | null;
  p95: number | null;
};

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
      weeks: { weekStart: string; count: number }[];
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
        and fc.finished_at >= ${iso(from)}::timestamptz and fc.finished_at <= ${iso(to)}::timestamptz
    ),
    w as (select finished_week as wk, count(*)::int as cnt from fin group by 1)
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
      (select count(*)::int from fin
        cross join lateral (select 1 from rework_events r
                            where r.case_id = fin.case_id and r.occurred_at <= fin.finished_at limit 1) x)
        as "withRework",
      (select coalesce(json_agg(json_build_object('weekStart', g.ws, 'count', coalesce(w.cnt, 0)) order by g.ws), '[]')
        from (select g.wk at time zone ${s.timeZone} as ws
              from generate_series(
                     date_trunc('week', ${iso(from)}::timestamptz at time zone ${s.timeZone}),
                     date_trunc('week', ${iso(to)}::timestamptz at time zone ${s.timeZone}),
                     interval '1 week') as g(wk)) g
        left join w on w.wk = g.ws) as weeks`;
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
    throughput: row.weeks.map((w) => ({ weekStart: new Date(w.weekStart), count: w.count })),
  };
}

function percentiles(r: PercentileRow): Omit<Percentiles, "estimated"> {
  return { n: r.n, p50: r.p50, p70: r.p70, p85: r.p85, p95: r.p95 };
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
            and finished_at >= ${iso(from)}::timestamptz and finished_at <= ${iso(to)}::timestamptz) fc`;
  return percentiles(row?.cycle ?? { n: 0, p50: null, p70: null, p85: null, p95: null });
}

/** SLE: set by hand, else the 85th percentile, else none. */
export function sleOf(s: MetricsSettings, p85: number | null) {
  if (s.sleDays !== null) return { days: s.sleDays, source: "manual" as const };
  if (p85 !== null) return { days: p85, source: "p85" as const };
  return { days: null, source: "none" as const };
}

/**
 * The ageing threshold: a fixed number of days when set; otherwise the configured percentile, where the
 * default 85th is the SLE (so an SLE set by hand is the threshold).
 */
export function thresholdsOf(s: MetricsSettings, p: Omit<Percentiles, "estimated">): AgeingThresholds {
  const sle = sleOf(s, p.p85);
  const base = { p50: p.p50, p70: p.p70, p85: p.p85, p95: p.p95, sleDays: sle.days };
  if (s.ageingFixedDays !== null) {
    return { ...base, thresholdDays: s.ageingFixedDays, thresholdSource: "fixed", percentile: null };
  }
  const byPercentile: Record<number, number | null> = { 50: p.p50, 70: p.p70, 85: sle.days, 95: p.p95 };
  const days = byPercentile[s.ageingPercentile] ?? sle.days;
  return {
    ...base,
    thresholdDays: days,
    thresholdSource: days === null ? "none" : "percentile",
    percentile: s.ageingPercentile,
  };
}

export function paceOf(age: number, t: AgeingThresholds): Pace | null {
  if (t.p50 === null || t.p70 === null || t.p85 === null || t.p95 === null) return null;
  if (age <= t.p50) return "≤p50";
  if (age <= t.p70) return "p50–p70";
  if (age <= t.p85) return "p70–p85";
  if (age <= t.p95) return "p85–p95";
  return ">p95";
}

export interface WipCounts {
  wip: number;
  overThreshold: number;
}

/** How many tasks are in progress at `now`, and how many of them are older than the threshold. */
export async function wipCounts(
  sql: Sql,
  s: MetricsSettings,
  now: Date,
  thresholdDays: number | null,
): Promise<WipCounts> {
  const [row] = await sql<WipCounts[]>`
    select count(*)::int as wip,
           (count(*) filter (where ${thresholdDays}::float8 is not null
              and flowbot_days(started_at, ${iso(now)}::timestamptz, ${s.timeZone}, ${s.clock === "working"})
                  > ${thresholdDays}::float8))::int as "overThreshold"
    from flow_cases
    where project_id = ${s.projectId} and finished_at is null and started_at is not null`;
  return row ?? { wip: 0, overThreshold: 0 };
}

/** The WIP tasks, oldest first (at most `limit`, or all when null). */
export async function ageingItems(
  sql: Sql,
  s: MetricsSettings,
  now: Date,
  t: AgeingThresholds,
  limit: number | null,
): Promise<AgeingItem[]> {
  const working = s.clock === "working";
  const rows = await sql<
    {
      caseId: number;
      taskId: string;
      name: string;
      url: string;
      status: string;
      stage: FlowStage;
      statusSince: Date | string;
      startedAt: Date | string;
      assignees: unknown;
      estimated: boolean;
      ageDays: number;
      daysInStatus: number;
    }[]
  >`
    select fc.case_id::float8 as "caseId", tc.task_id as "taskId", tc.name, tc.url,
           fc.current_status as status, fc.current_stage::text as stage, fc.current_since as "statusSince",
           fc.started_at as "startedAt", tc.assignees, fc.estimated,
           flowbot_days(fc.started_at, ${iso(now)}::timestamptz, ${s.timeZone}, ${working}) as "ageDays",
           flowbot_days(fc.current_since, ${iso(now)}::timestamptz, ${s.timeZone}, ${working}) as "daysInStatus"
    from flow_cases fc join tracked_cases tc on tc.id = fc.case_id
    where fc.project_id = ${s.projectId} and fc.finished_at is null and fc.started_at is not null
    order by fc.started_at, fc.case_id
    ${limit === null ? sql`` : sql`limit ${limit}`}`;
  return rows.map((r) => {
    const overThreshold = t.thresholdDays !== null && r.ageDays > t.thresholdDays;
    return {
      caseId: r.caseId,
      taskId: r.taskId,
      name: r.name,
      url: r.url,
      status: r.status,
      stage: r.stage,
      statusSince: toDate(r.statusSince),
      daysInStatus: Math.max(0, r.daysInStatus),
      ageDays: Math.max(0, r.ageDays),
      startedAt: toDate(r.startedAt),
      assignees: assigneesOf(r.assignees),
      pace: paceOf(r.ageDays, t),
      overThreshold,
      atRisk: !overThreshold && t.p70 !== null && r.ageDays > t.p70,
      estimated: r.estimated,
    };
  });
}

function assigneesOf(value: unknown): Assignee[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((a) => {
    if (typeof a !== "object" || a === null) return [];
    const { id, username, email } = a as Record<string, unknown>;
    const n = typeof id === "number" ? id : Number(id);
    if (!Number.isFinite(n)) return [];
    return [
      {
        id: n,
        username: typeof username === "string" ? username : null,
        email: typeof email === "string" ? email : null,
      },
    ];
  });
}

/** Time per status over the tasks finished in [from, to], with each status's stage under the current mapping. */
export async function timeInStatus(
  sql: Sql,
  s: MetricsSettings,
  from: Date,
  to: Date,
): Promise<TimeInStatus[]> {
  return sql<TimeInStatus[]>`
    with x as (
      select status_name, max(status_type) as status_type, sum(seconds) as secs, bool_or(estimated) as est
      from flow_case_status
      where project_id = ${s.projectId}
        and case_finished_at >= ${iso(from)}::timestamptz and case_finished_at <= ${iso(to)}::timestamptz
      group by status_name
      having sum(seconds) > 0
    )
    select x.status_name as status,
           coalesce(o.stage, flowbot_default_stage(x.status_name, x.status_type))::text as stage,
           x.secs / 86400.0 as days, x.est as estimated
    from x left join stage_overrides o
      on o.project_id = ${s.projectId} and o.status_key = lower(btrim(x.status_name))
    order by coalesce(o.stage, flowbot_default_stage(x.status_name, x.status_type)), x.secs desc, x.status_name`;
}

/**
 * SQL fragment `from rework_events r where …`: the project's rework events in the period that still count —
 * those of cases still tracked and not deleted (docs/flow-metrics.md §4.7). The report and the digest both
 * read rework through it. The few events that do not count are excluded by a partial index, so a count
 * reads only the period's events.
 */
export function reworkEventsIn(
  sql: Sql,
  projectId: number,
  period: { from: Date; fromInclusive: boolean; to: Date },
) {
  const from = iso(period.from);
  return sql`
    from rework_events r
    where r.binding_id in (select id from bindings where project_id = ${projectId})
      and ${period.fromInclusive ? sql`r.occurred_at >= ${from}::timestamptz` : sql`r.occurred_at > ${from}::timestamptz`}
      and r.occurred_at <= ${iso(period.to)}::timestamptz
      and not exists (select 1 from tracked_cases x
                      where x.id = r.case_id and (not x.tracked or x.deleted_at is not null))`;
}

/** Rework events in [from, to], newest first (at most `limit`), and how many there are. */
export async function reworkEvents(
  sql: Sql,
  s: MetricsSettings,
  from: Date,
  to: Date,
  limit: number,
): Promise<{ events: ReworkEventItem[]; total: number }> {
  const inWindow = reworkEventsIn(sql, s.projectId, { from, fromInclusive: true, to });
  const [rows, [count]] = await Promise.all([
    sql<ReworkEventItem[]>`
      select r.case_id::float8 as "caseId", tc.name as "taskName", tc.url, r.kind::text as kind,
             r.from_status as "from", r.to_status as "to", r.occurred_at as "at", r.actor_name as "actorName"
      from (select r.* ${inWindow} order by r.occurred_at desc, r.id desc limit ${limit}) r
      join tracked_cases tc on tc.id = r.case_id
      order by r.occurred_at desc, r.id desc`,
    sql<{ n: number }[]>`select count(*)::int as n ${inWindow}`,
  ]);
  const events = rows.map((e) => ({ ...e, at: toDate(e.at) }));
  return { events, total: count?.n ?? 0 };
}

/** Cycle time of each task finished in [from, to] (newest first, at most `limit`) and how many there are. */
export async function cycleScatter(
  sql: Sql,
  s: MetricsSettings,
  from: Date,
  to: Date,
  limit: number,
): Promise<CycleScatterPoint[]> {
  const rows = await sql<CycleScatterPoint[]>`
    select fc.case_id::float8 as "caseId", tc.name, tc.url, fc.finished_at as "finishedAt",
           fc.${sql(cycleColumn(s))} as "cycleDays",
           fc.estimated
    from (select * from flow_cases
          where project_id = ${s.projectId} and started_at is not null
            and finished_at >= ${iso(from)}::timestamptz and finished_at <= ${iso(to)}::timestamptz
          order by finished_at desc, case_id desc limit ${limit}) fc
    join tracked_cases tc on tc.id = fc.case_id
    order by fc.finished_at desc, fc.case_id desc`;
  return rows.map((p) => ({ ...p, finishedAt: toDate(p.finishedAt) }));
}
