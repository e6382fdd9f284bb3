import type { Sql } from "postgres";
import { caseScope, type SegmentScope } from "./segments-scope.ts";
import type { LimitedStage } from "./wip-limits-settings.ts";

/* WIP against its limits (docs/flow-metrics.md §10.1) and arrivals against departures (§10.2). */

/** One limit with its count now: a status's display name, or a stage's name. */
export type WipLimitCount = {
  kind: "status" | "stage";
  /** The status key or the stage. */
  target: string;
  /** What to call it: the status as ClickUp spells it on a current case, else its key; or the stage. */
  label: string;
  limit: number;
  count: number;
  /** count > limit; at the limit is not over. */
  over: boolean;
};

/** Stage names as people read them. */
export const STAGE_LABELS: Record<LimitedStage, string> = {
  not_started: "Not started",
  active: "Active",
  blocked: "Blocked",
};

type Row = { kind: "status" | "stage"; target: string; limit: number; count: number; spelled: string | null };

/**
 * SQL: every limit of project `projectId` with its count, read from the current statuses of the project's
 * cases (flow_cases holds the tracked, not deleted ones). Stages first, then statuses by key.
 */
export function limitCountsSql(sql: Sql, projectId: number) {
  return sql<Row[]>`
    select l.target_kind::text as kind, l.target, l.wip_limit as "limit", count(fc.case_id)::int as count,
           min(btrim(fc.current_status)) as spelled
    from wip_limits l
    left join flow_cases fc on fc.project_id = l.project_id
      and case when l.target_kind = 'status' then flowbot_status_key(fc.current_status) = l.target
               else fc.current_stage::text = l.target end
    where l.project_id = ${projectId}
    group by l.target_kind, l.target, l.wip_limit
    order by l.target_kind desc, l.target`;
}

export function toLimitCount(row: Row): WipLimitCount {
  const label =
    row.kind === "stage"
      ? (STAGE_LABELS[row.target as LimitedStage] ?? row.target)
      : row.spelled && row.spelled !== ""
        ? row.spelled
        : row.target;
  return {
    kind: row.kind,
    target: row.target,
    label,
    limit: row.limit,
    count: row.count,
    over: row.count > row.limit,
  };
}

/** Every limit of the project with its count now. */
export async function wipLimitCounts(sql: Sql, projectId: number): Promise<WipLimitCount[]> {
  const rows = await limitCountsSql(sql, projectId);
  return rows.map(toLimitCount);
}

/** One ISO week's arrivals and departures. */
export type FlowBalanceWeek = {
  /** Monday 00:00 of the week in the project's zone. */
  weekStart: Date;
  /** ISO year and week, e.g. 2026-W53. */
  label: string;
  arrivals: number;
  departures: number;
};

/**
 * Arrivals (cases whose first start falls in the week) and departures (cases whose final finish falls
 * in it, as throughput counts them, §4.6) for every ISO week touching [from, to], weeks running Monday
 * 00:00 to Monday 00:00 in `timeZone`, an empty week listed as 0 / 0. Only tracked cases count; with
 * `scope`, only one segment's (a segment's throughput run chart, docs/flow-metrics.md §13.2).
 */
export async function arrivalsAndDepartures(
  sql: Sql,
  projectId: number,
  timeZone: string,
  from: Date,
  to: Date,
  scope?: SegmentScope,
): Promise<FlowBalanceWeek[]> {
  const rows = await sql<{ weekStart: Date; label: string; arrivals: number; departures: number }[]>`
    with weeks as (
      select g.wk as local_start
      from generate_series(
             date_trunc('week', ${from}::timestamptz at time zone ${timeZone}),
             date_trunc('week', ${to}::timestamptz at time zone ${timeZone}),
             interval '1 week') as g(wk)
    ),
    cases as (
      select date_trunc('week', started_at at time zone ${timeZone}) as arrived,
             date_trunc('week', finished_at at time zone ${timeZone}) as departed
      from flow_cases
      -- Only cases that start or finish on or after the first week's Monday can count.
      where project_id = ${projectId}
        and (started_at >= (select min(local_start) from weeks) at time zone ${timeZone}
             or finished_at >= (select min(local_start) from weeks) at time zone ${timeZone})
        ${caseScope(sql, { scope }, "case_id")}
    )
    select w.local_start at time zone ${timeZone} as "weekStart",
           to_char(w.local_start, 'IYYY-"W"IW') as label,
           (select count(*) from cases c where c.arrived = w.local_start)::int as arrivals,
           (select count(*) from cases c where c.departed = w.local_start)::int as departures
    from weeks w order by w.local_start`;
  return rows;
}
