import type { PendingQuery, Row, Sql } from "postgres";
import { cycleColumn, workingDaysAtSql } from "./sql-fragments.ts";
import type { MetricsSettings } from "./window-settings.ts";

/* The stuck-in-status signal (docs/flow-metrics.md §8.2). */

/** Below this many finished cases with a status time, a status uses the project's rule. */
const STUCK_MIN_SAMPLE = 5;

/** A WIP case whose time so far in its current status exceeds that status's stuck limit. */
export type StuckCase = {
  caseId: number;
  /** The current status, as the case spells it. */
  status: string;
  /** When the current visit began: with the case, it names the visit an alert is for. */
  visitSince: Date;
  /** Earlier visits to the status plus the current one, on the project's clock. */
  daysSoFar: number;
  limitDays: number;
  /** "p85": the status's own 85th percentile; "rule": the project's rule (too little history). */
  limitSource: "p85" | "rule";
  /** Finished cases whose status time the percentile was taken over. */
  historyCount: number;
  /** The limit's history, or the case's own time, rests on time-in-status estimates. */
  estimated: boolean;
};

/**
 * Time already spent in each WIP case's current status (its key, §2) before the current visit, and the
 * history of those statuses: per finished case, the sum of its visits (also read by status-ageing.ts:
 * CTEs `prior` and `hist`, over the caller's `wip` (case_id, key) and `keys` (key)). On the calendar clock both come
 * from flow_case_status (elapsed seconds per case and status). On the working-day clock each visit
 * counts its own working days, so visits are rebuilt from the timeline as db/functions/
 * flow-facts-from-timeline.sql builds them: exact transitions, the first `from` status since creation,
 * or ClickUp's time-in-status totals (each counted over the time just before it was left; estimated).
 */
export function priorAndHistory(sql: Sql, s: MetricsSettings, from: Date, to: Date) {
  if (s.clock === "calendar") {
    return sql`
      prior as (
        -- A WIP case's rows are those of its project not finished (read through the index on both).
        select w.case_id, sum(fs.seconds) / 86400.0 as days, bool_or(fs.estimated) as est
        from flow_case_status fs join wip w on w.case_id = fs.case_id and w.key = flowbot_status_key(fs.status_name)
        where fs.project_id = ${s.projectId} and fs.case_finished_at is null and fs.seconds > 0
        group by w.case_id
      ),
      hist as (
        select fs.case_id, flowbot_status_key(fs.status_name) as key, sum(fs.seconds) / 86400.0 as days,
               bool_or(fs.estimated) as est
        from flow_case_status fs
        where fs.project_id = ${s.projectId}
          and fs.case_finished_at >= ${from}::timestamptz and fs.case_finished_at <= ${to}::timestamptz
          and flowbot_status_key(fs.status_name) in (select key from keys)
        group by 1, 2
      )`;
  }
  const at = (t: PendingQuery<Row[]>) => workingDaysAtSql(sql, s, t);
  return sql`
    fin as (
      select case_id from flow_cases
      where project_id = ${s.projectId}
        and finished_at >= ${from}::timestamptz and finished_at <= ${to}::timestamptz
    ),
    -- WIP cases with time in their current status before this visit (flow_case_status knows which).
    wip_prior as (
      select distinct fs.case_id
      from flow_case_status fs join wip w on w.case_id = fs.case_id and w.key = flowbot_status_key(fs.status_name)
      where fs.project_id = ${s.projectId} and fs.case_finished_at is null and fs.seconds > 0
    ),
    cs as (
      select c.case_id, c.created_at
      from flow_cases c
      where c.case_id in (select case_id from fin union all select case_id from wip_prior)
    ),
    tr0 as (
      select t.case_id, t.from_status, t.to_status, t.occurred_at,
             row_number() over w as k, lead(t.occurred_at) over w as next_at
      from status_transitions t join cs on cs.case_id = t.case_id
      window w as (partition by t.case_id order by t.occurred_at, t.id)
    ),
    f as (select case_id, from_status, occurred_at from tr0 where k = 1),
    tim0 as (
      select st.case_id, st.status_name, st.total_minutes * 60.0::float8 as total_s, st.since,
             lead(st.since) over (partition by st.case_id order by st.since, st.is_current, st.status_name)
               as next_since,
             f.occurred_at as first_at
      from status_timings st join cs on cs.case_id = st.case_id left join f on f.case_id = st.case_id
      where f.case_id is null or st.since < f.occurred_at
    ),
    tim as (
      select case_id, status_name, coalesce(next_since, first_at) as exited,
             case when next_since is not null then total_s
                  when first_at is not null then greatest(total_s, extract(epoch from first_at - since)::float8)
                  else 0 end as secs
      from tim0
    ),
    -- The visits to the statuses WIP cases are in, each with its working days (the working-day clock is
    -- the costly part, so only these); one still open counts 0 (§4.5), but says the case entered it.
    vis as (
      select case_id, to_status as status,
             case when next_at is null then 0
                  else ${at(sql`next_at`)} - ${at(sql`occurred_at`)} end
               as days,
             false as est
      from tr0 where flowbot_status_key(to_status) in (select key from keys)
      union all
      select f.case_id, f.from_status,
             ${at(sql`f.occurred_at`)} - ${at(sql`cs.created_at`)}, false
      from f join cs on cs.case_id = f.case_id
      where f.from_status is not null and cs.created_at < f.occurred_at
        and flowbot_status_key(f.from_status) in (select key from keys)
        and not exists (select 1 from tim where tim.case_id = f.case_id)
      union all
      select case_id, status_name,
             case when exited is null then 0
                  else ${at(sql`exited`)} - ${at(sql`exited - make_interval(secs => secs)`)} end,
             true
      from tim where flowbot_status_key(status_name) in (select key from keys)
    ),
    prior as (
      select w.case_id, sum(v.days) as days, bool_or(v.est) as est
      from wip w join vis v on v.case_id = w.case_id and flowbot_status_key(v.status) = w.key
      group by w.case_id
    ),
    hist as (
      select v.case_id, flowbot_status_key(v.status) as key, sum(v.days) as days, bool_or(v.est) as est
      from vis v
      where v.case_id in (select case_id from fin)
      group by 1, 2
    )`;
}

/**
 * The project's WIP cases stuck in their current status at `now` (docs/flow-metrics.md §8.2). A
 * status's limit is the 85th percentile (nearest rank) of the status times of the cases finished in
 * [from, to], when at least five of them entered it; otherwise the project's rule, and with no rule
 * either, no case is stuck in it. One query (visits are counted apart, by statusVisits, for the few
 * cases that need them).
 * @param opts.rule the project's rule: days set in settings, or "sle" for the project's SLE (§4.8: set
 *   by hand, else the 85th percentile of the window's cycle times, worked out in the same query).
 */
export async function stuckCases(
  sql: Sql,
  s: MetricsSettings,
  opts: { now: Date; from: Date; to: Date; rule: number | "sle" | null },
): Promise<StuckCase[]> {
  const { now, from, to, rule } = opts;
  const ruleDays =
    rule === "sle"
      ? sql`(select coalesce(${s.sleDays}::float8,
                             percentile_disc(0.85) within group (order by fc.${sql(cycleColumn(s))}))
             from flow_cases fc
             where fc.project_id = ${s.projectId}
               and fc.finished_at >= ${from}::timestamptz and fc.finished_at <= ${to}::timestamptz)`
      : sql`${rule}::float8`;
  const current =
    s.clock === "working"
      ? sql`${workingDaysAtSql(sql, s, sql`${now}::timestamptz`)}
              - ${workingDaysAtSql(sql, s, sql`least(w.current_since, ${now}::timestamptz)`)}`
      : sql`greatest(extract(epoch from ${now}::timestamptz - w.current_since)::float8, 0) / 86400`;
  return sql<StuckCase[]>`
    with wip as (
      select fc.case_id, fc.current_status, flowbot_status_key(fc.current_status) as key, fc.current_since,
             fc.estimated
      from flow_cases fc
      where fc.project_id = ${s.projectId} and fc.finished_at is null and fc.started_at is not null
    ),
    keys as (select distinct key from wip),
    ${priorAndHistory(sql, s, from, to)},
    lim as (
      select key, count(*)::int as n, percentile_disc(0.85) within group (order by days) as p85,
             bool_or(est) as est
      from hist group by key
    ),
    so_far as (
      select w.case_id, w.key, w.current_status, w.current_since,
             coalesce(p.days, 0) + ${current} as days,
             coalesce(p.est, w.estimated) as own_est,
             coalesce(l.n, 0) as n,
             case when l.n >= ${STUCK_MIN_SAMPLE} then l.p85 else ${ruleDays} end as limit_days,
             case when l.n >= ${STUCK_MIN_SAMPLE} then 'p85' else 'rule' end as source,
             coalesce(l.est, false) and l.n >= ${STUCK_MIN_SAMPLE} as lim_est
      from wip w left join prior p on p.case_id = w.case_id left join lim l on l.key = w.key
      -- OFFSET 0: each case's time so far is worked out once, not again for the filter and the sort.
      offset 0
    )
    select x.case_id::float8 as "caseId", x.current_status as status, x.current_since as "visitSince",
           x.days as "daysSoFar", x.limit_days as "limitDays", x.source as "limitSource",
           x.n as "historyCount", x.own_est or x.lim_est as estimated
    from so_far x
    where x.limit_days is not null and x.days > x.limit_days
    order by x.days desc, x.case_id`;
}

/**
 * How many visits to its current status (by key, §2) each case's time so far covers, the current one
 * included: one per transition into it, and one when the case was in it before its first transition
 * (from its creation, or by ClickUp's totals). One query over the given cases' transitions.
 */
export async function statusVisits(sql: Sql, caseIds: readonly number[]): Promise<Map<number, number>> {
  if (caseIds.length === 0) return new Map();
  const rows = await sql<{ caseId: number; visits: number }[]>`
    with c as (
      select fc.case_id, flowbot_status_key(fc.current_status) as key
      from flow_cases fc
      where fc.case_id in (select jsonb_array_elements_text(${sql.json(caseIds)})::bigint)
    )
    select c.case_id::float8 as "caseId",
           (select count(*) from status_transitions t
             where t.case_id = c.case_id and flowbot_status_key(t.to_status) = c.key)::int
           + (select case when min(fs.first_entered_at) < coalesce(
                  (select min(t.occurred_at) from status_transitions t where t.case_id = c.case_id), 'infinity')
                then 1 else 0 end
              from flow_case_status fs where fs.case_id = c.case_id and flowbot_status_key(fs.status_name) = c.key)
             as visits
    from c`;
  return new Map(rows.map((r) => [r.caseId, r.visits]));
}
