import type { Sql } from "postgres";
import type { FlowStage } from "../stage-mapping.ts";
import { blockedAndActive, currentBlockedRun, type RuleInterval, type StageSpan } from "./blocked-time.ts";
import { daysSql } from "./sql-fragments.ts";

/*
 * Blocked time by rule from the database (docs/flow-metrics.md §9.3, §9.4): the timeline of each case as
 * stage spans (from its transitions, the stage by the project's mapping) and its blocked intervals
 * (blocked_intervals, kept by db/functions/blocked-intervals.sql). A case with no transition is one span, its
 * current status since creation; ClickUp's time-in-status totals (§3 step 3) are not placed here.
 */

interface CaseTimeline {
  caseId: number;
  name: string;
  url: string;
  startedAt: Date | null;
  finishedAt: Date | null;
  spans: StageSpan[];
  intervals: RuleInterval[];
}

async function loadTimelines(
  sql: Sql,
  projectId: number,
  caseIds: readonly number[],
): Promise<CaseTimeline[]> {
  if (caseIds.length === 0) return [];
  const ids = caseIds.map(Number);
  const [cases, spans, intervals] = await Promise.all([
    sql<{ caseId: number; name: string; url: string; startedAt: Date | null; finishedAt: Date | null }[]>`
      select fc.case_id::int as "caseId", c.name, c.url, fc.started_at as "startedAt", fc.finished_at as "finishedAt"
      from flow_cases fc join tracked_cases c on c.id = fc.case_id
      where fc.project_id = ${projectId} and fc.case_id = any(${ids}::bigint[])`,
    sql<{ caseId: number; from: Date; to: Date | null; status: string; stage: FlowStage }[]>`
      with t as (
        select s.case_id, s.from_status, s.from_type, s.to_status, s.to_type, s.occurred_at,
               lead(s.occurred_at) over w as next_at, row_number() over w as rn
        from status_transitions s where s.case_id = any(${ids}::bigint[])
        window w as (partition by s.case_id order by s.occurred_at, s.id)
      ), v as (
        select case_id, occurred_at as "from", next_at as "to", to_status as status, to_type as type from t
        union all
        select t.case_id, c.date_created, t.occurred_at, coalesce(t.from_status, t.to_status),
               coalesce(t.from_type, t.to_type)
        from t join tracked_cases c on c.id = t.case_id where t.rn = 1
        union all
        select c.id, c.date_created, null, c.status_name, c.status_type from tracked_cases c
        where c.id = any(${ids}::bigint[]) and not exists (select 1 from t where t.case_id = c.id)
      )
      select v.case_id::int as "caseId", v."from", v."to", v.status,
             coalesce(o.stage, flowbot_default_stage(v.status, v.type))::text as stage
      from v left join stage_overrides o
        on o.project_id = ${projectId} and o.status_key = flowbot_status_key(v.status)
      order by v.case_id, v."from"`,
    sql<{ caseId: number; start: Date; end: Date | null; reason: string }[]>`
      select i.case_id::int as "caseId", i.started_at as start, i.ended_at as "end",
        case i.kind
          when 'tag' then 'tag ' || i.detail
          when 'dependency' then 'waits on ' || coalesce(
            (select d.name from tracked_cases d join bindings db on db.id = d.binding_id
             where d.task_id = i.detail and db.project_id = ${projectId} limit 1), i.detail)
          else coalesce(def.name, '(unknown field)') || coalesce(' = ' || coalesce(
            (select o->>'name' from jsonb_array_elements(def.options) o
             where o->>'id' = split_part(i.detail, ':', 2) limit 1), '(unknown value)'), '')
        end as reason
      from blocked_intervals i join tracked_cases c on c.id = i.case_id
      left join custom_field_definitions def
        on def.binding_id = c.binding_id and def.field_id = split_part(i.detail, ':', 1) and i.kind = 'field'
      where i.case_id = any(${ids}::bigint[])
      order by i.case_id, i.started_at`,
  ]);
  // Grouped once: a digest reads every WIP case's timeline, so filtering per case would be quadratic.
  const spansOf = groupBy(spans, (s) => s.caseId);
  const intervalsOf = groupBy(intervals, (i) => i.caseId);
  return cases.map((c) => ({
    ...c,
    spans: (spansOf.get(c.caseId) ?? []).map((s) => ({
      from: s.from.getTime(),
      to: s.to?.getTime() ?? null,
      status: s.status,
      stage: s.stage,
    })),
    intervals: (intervalsOf.get(c.caseId) ?? []).map((i) => ({
      start: i.start.getTime(),
      end: i.end?.getTime() ?? null,
      // A checkbox reason names its field only (no " = option" part): drop the unknown-value fallback.
      reason: i.reason,
    })),
  }));
}

function groupBy<T, K>(rows: readonly T[], key: (row: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = out.get(k);
    if (list) list.push(row);
    else out.set(k, [row]);
  }
  return out;
}

export interface CaseBlockedTime {
  caseId: number;
  blockedMs: number;
  activeMs: number;
  cycleMs: number;
}

/** Blocked, active and cycle time of each started case (WIP cases up to `now`), §9.3. */
export async function blockedTimes(
  sql: Sql,
  projectId: number,
  caseIds: readonly number[],
  now: Date,
): Promise<CaseBlockedTime[]> {
  const timelines = await loadTimelines(sql, projectId, caseIds);
  return timelines.flatMap((t) => {
    if (t.startedAt === null) return [];
    const started = t.startedAt.getTime();
    const end = (t.finishedAt ?? now).getTime();
    return [
      { caseId: t.caseId, ...blockedAndActive(t.spans, t.intervals, started, end), cycleMs: end - started },
    ];
  });
}

/**
 * Flow efficiency with blocked time (§9.3): Σ active ÷ Σ cycle time over the cases finished in [from, to]
 * (of `caseIds` only, a segment's, as a Postgres array literal: SegmentScope), in elapsed time whatever the clock; `efficiency` null when none
 * finished. Null when the project has no rule beyond the status rule: §4.5's efficiency is then exact.
 */
export async function blockedFlowEfficiency(
  sql: Sql,
  projectId: number,
  from: Date,
  to: Date,
  caseIds?: string,
): Promise<{ efficiency: number | null } | null> {
  const [rules] = await sql`
    select 1 from blocked_rules
    where project_id = ${projectId} and (tag_keys <> '{}' or field_id is not null or dependency)`;
  if (!rules) return null;
  const rows = await sql<{ caseId: number }[]>`
    select fc.case_id::int as "caseId" from flow_cases fc join tracked_cases c on c.id = fc.case_id
    where fc.project_id = ${projectId} and fc.finished_at between ${from} and ${to}
      and fc.started_at is not null and c.tracked and c.deleted_at is null
      and (${caseIds === undefined} or fc.case_id in (select unnest(${caseIds ?? "{}"}::bigint[])))`;
  const times = await blockedTimes(
    sql,
    projectId,
    rows.map((r) => r.caseId),
    to,
  );
  const cycle = times.reduce((n, t) => n + t.cycleMs, 0);
  return { efficiency: cycle > 0 ? times.reduce((n, t) => n + t.activeMs, 0) / cycle : null };
}

export interface BlockedNow {
  caseId: number;
  name: string;
  url: string;
  /** From the start of the current blocked run to now, on the project's clock (§9.4). */
  days: number;
  reasons: string[];
}

/** The WIP cases blocked at `now`, longest first (§9.4). */
export async function blockedNow(
  sql: Sql,
  projectId: number,
  now: Date,
  clock: { timeZone: string; working: boolean },
): Promise<BlockedNow[]> {
  // Only a case in a blocked-stage status now, or with a rule interval open, can be blocked now: the
  // others' timelines need not be read.
  const rows = await sql<{ caseId: number }[]>`
    select fc.case_id::int as "caseId" from flow_cases fc join tracked_cases c on c.id = fc.case_id
    where fc.project_id = ${projectId} and fc.started_at is not null and fc.finished_at is null
      and c.tracked and c.deleted_at is null
      and (fc.current_stage = 'blocked'
           or exists (select 1 from blocked_intervals i where i.case_id = fc.case_id and i.ended_at is null))`;
  const timelines = await loadTimelines(
    sql,
    projectId,
    rows.map((r) => r.caseId),
  );
  const runs = timelines.flatMap((t) => {
    const run = t.startedAt && currentBlockedRun(t.spans, t.intervals, t.startedAt.getTime(), now.getTime());
    return run
      ? [{ caseId: t.caseId, name: t.name, url: t.url, since: new Date(run.since), reasons: run.reasons }]
      : [];
  });
  if (runs.length === 0) return [];
  const days = await sql<{ days: number }[]>`
    select ${daysSql(sql, { projectId, timeZone: clock.timeZone, clock: clock.working ? "working" : "calendar" }, sql`s`, sql`${now}::timestamptz`)} as days
    from unnest(${runs.map((r) => r.since.toISOString())}::text[]) with ordinality as u(t, n),
      lateral (select t::timestamptz as s) x order by n`;
  return runs
    .map((r, i) => ({ caseId: r.caseId, name: r.name, url: r.url, days: days[i]!.days, reasons: r.reasons }))
    .sort((a, b) => b.days - a.days);
}
