import type { Sql } from "postgres";
import { FLOW_STAGES, type FlowStage } from "../stage-mapping.ts";
import { caseScope } from "./segments-scope.ts";
import type { MetricsSettings } from "./window-settings.ts";

/* The cumulative flow diagram (docs/flow-metrics.md §13.1). */

export type CfdBy = "stage" | "status";

/** One band: the cases in one stage, or one status (by key, §2), at each day's end. */
export type CfdBand = {
  /** The stage, or the status key. */
  key: string;
  /** The stage, or the status as a case spells it. */
  label: string;
  stage: FlowStage;
  /** One count per day of the CFD, in day order. */
  counts: number[];
};

export type Cfd = {
  by: CfdBy;
  /** The local dates, YYYY-MM-DD, oldest first; the last is today (its value is taken at `now`). */
  days: string[];
  /** Stacking order, bottom first: done, blocked, active, not_started; by status, done statuses first. */
  bands: CfdBand[];
};

type DeltaRow = { key: string; label: string; stage: FlowStage; ord: number; bucket: number; delta: number };

/**
 * The CFD of the `days` local days up to `now` in the project's zone, in one set-based query.
 *
 * Rather than joining every visit to every day end, each visit [entered, exited) of a case's timeline
 * counts +1 on the day it was entered and −1 on the day it was left (the day is a bucket found by binary
 * search among the day ends, `width_bucket`), and a running sum over the days gives each band: a visit
 * that begins and ends within one day adds nothing. Events before the first day fall into it, so a
 * visit that ended before the window nets 0. Two shortcuts keep a 100,000-task project quick:
 * - a case's current visit comes from flow_cases (`current_since`), so every case costs one row there;
 * - only the cases whose current visit began after the first day's end can have a closed visit that
 *   reaches a day end; only their timelines are rebuilt from the transitions (as
 *   db/functions/flow-facts-from-timeline.sql builds them: exact transitions, the first `from` status
 *   since creation, or ClickUp's time-in-status totals).
 * Cases that finished for good before the first day are left out (§13.1).
 */
export async function computeCfd(
  sql: Sql,
  s: MetricsSettings,
  opts: { now: Date; days: number; by: CfdBy },
): Promise<Cfd> {
  const { now, days, by } = opts;
  if (!Number.isInteger(days) || days < 1 || days > 3660) {
    throw new RangeError(`a CFD covers 1 to 3660 days, not ${days}`);
  }
  const tz = s.timeZone;
  const byStatus = by === "status";
  const [rows, labels] = await Promise.all([
    sql<DeltaRow[]>`
    with p as (
      select date_trunc('day', ${now}::timestamptz at time zone ${tz}) - make_interval(days => ${days - 1})
               as first_local
    ),
    b as (
      -- m0: the first day's start; th: the ends of every day but the last (today ends at now).
      select p.first_local at time zone ${tz} as m0,
             coalesce((select array_agg((p.first_local + make_interval(days => i)) at time zone ${tz} order by i)
                       from generate_series(1, ${days - 1}) i), '{}') as th
      from p
    ),
    cs as (
      select fc.case_id, fc.created_at, fc.current_status, fc.current_stage, fc.current_since
      from flow_cases fc, b
      where fc.project_id = ${s.projectId}
        and (fc.finished_at is null or fc.finished_at >= b.m0)
        and fc.current_since <= ${now}::timestamptz
        ${caseScope(sql, s, "fc.case_id")}
    ),
    ch as (
      -- Only these cases left a status after the first day's end.
      select cs.case_id, cs.created_at from cs, b where cs.current_since >= coalesce(b.th[1], ${now}::timestamptz)
    ),
    tr as (
      select t.case_id, t.from_status, t.from_type, t.from_orderindex, t.to_status, t.to_type,
             t.to_orderindex, t.occurred_at,
             row_number() over w as k, lead(t.occurred_at) over w as next_at
      from status_transitions t join ch on ch.case_id = t.case_id
      window w as (partition by t.case_id order by t.occurred_at, t.id)
    ),
    f as (select case_id, from_status, from_type, from_orderindex, occurred_at from tr where k = 1),
    tim0 as (
      select st.case_id, st.status_name, st.status_type, st.status_orderindex,
             st.total_minutes * 60.0::float8 as total_s, st.since,
             lead(st.since) over (partition by st.case_id order by st.since, st.is_current, st.status_name)
               as next_since,
             f.occurred_at as first_at
      from status_timings st join ch on ch.case_id = st.case_id left join f on f.case_id = st.case_id
      where f.case_id is null or st.since < f.occurred_at
    ),
    tim as (
      select case_id, status_name, status_type, status_orderindex, coalesce(next_since, first_at) as exited,
             case when next_since is not null then total_s
                  else greatest(total_s, extract(epoch from first_at - since)::float8) end as secs,
             since
      from tim0
    ),
    closed as (
      -- The closed visits of the changing cases (the open one is flow_cases' current visit).
      select case_id, to_status as status, to_type as stype, to_orderindex as oi, occurred_at as entered,
             next_at as exited
      from tr where next_at is not null
      union all
      select f.case_id, f.from_status, f.from_type, f.from_orderindex, ch.created_at, f.occurred_at
      from f join ch on ch.case_id = f.case_id
      where f.from_status is not null and ch.created_at < f.occurred_at
        and not exists (select 1 from tim where tim.case_id = f.case_id)
      union all
      select case_id, status_name, status_type, status_orderindex,
             least(since, exited - make_interval(secs => secs)), exited
      from tim where exited is not null
    ),
    ev as (
      select ${byStatus ? sql`flowbot_status_key(c.status)` : sql`x.stage::text`} as key,
             ${byStatus ? sql`btrim(c.status)` : sql`x.stage::text`} as label, x.stage,
             coalesce(c.oi, 0) as ord, v.at, v.delta
      from closed c cross join b
      left join stage_overrides o
        on o.project_id = ${s.projectId} and o.status_key = flowbot_status_key(c.status)
      cross join lateral (select coalesce(o.stage, flowbot_default_stage(c.status, c.stype)) as stage) x
      cross join lateral (values (c.entered, 1), (c.exited, -1)) v(at, delta)
      where c.exited >= coalesce(b.th[1], ${now}::timestamptz) and c.entered <= ${now}::timestamptz
      union all
      select ${byStatus ? sql`flowbot_status_key(cs.current_status)` : sql`cs.current_stage::text`},
             ${byStatus ? sql`btrim(cs.current_status)` : sql`cs.current_stage::text`}, cs.current_stage,
             ${byStatus ? sql`(select tc.status_orderindex from tracked_cases tc where tc.id = cs.case_id)` : sql`0`},
             cs.current_since, 1
      from cs
    )
    select ev.key, min(ev.label) as label, (array_agg(ev.stage))[1]::text as stage, min(ev.ord)::int as ord,
           (width_bucket(ev.at, b.th) + 1)::int as bucket, sum(ev.delta)::int as delta
    from ev, b
    where ev.at <= ${now}::timestamptz
    group by ev.key, 5`,
    sql<{ day: string }[]>`
      select to_char(date_trunc('day', ${now}::timestamptz at time zone ${tz}) - make_interval(days => i),
                     'YYYY-MM-DD') as day
      from generate_series(${days - 1}, 0, -1) i`,
  ]);
  return { by, days: labels.map((r) => r.day), bands: bandsOf(rows, days, by) };
}

/** Running sums of the per-day changes, one band per key, in stacking order. */
function bandsOf(rows: readonly DeltaRow[], days: number, by: CfdBy): CfdBand[] {
  const bands = new Map<string, CfdBand & { ord: number; deltas: number[] }>();
  if (by === "stage") {
    for (const stage of FLOW_STAGES) {
      bands.set(stage, {
        key: stage,
        label: stage,
        stage,
        ord: 0,
        counts: [],
        deltas: new Array(days).fill(0),
      });
    }
  }
  for (const row of rows) {
    let band = bands.get(row.key);
    if (!band) {
      band = { key: row.key, label: row.label, stage: row.stage, ord: row.ord, counts: [], deltas: [] };
      band.deltas = new Array(days).fill(0);
      bands.set(row.key, band);
    }
    band.ord = Math.min(band.ord, row.ord);
    band.deltas[row.bucket - 1]! += row.delta;
  }
  const rank = (stage: FlowStage) => FLOW_STAGES.length - 1 - FLOW_STAGES.indexOf(stage);
  const list = [...bands.values()].map(({ deltas, ord, ...band }) => {
    let running = 0;
    return { ...band, ord, counts: deltas.map((d) => (running += d)) };
  });
  const kept = by === "stage" ? list : list.filter((band) => band.counts.some((n) => n !== 0));
  // Bottom first: done, then the rest of the workflow backwards (by status: the highest orderindex first).
  kept.sort((a, b) =>
    by === "stage"
      ? rank(a.stage) - rank(b.stage)
      : Number(b.stage === "done") - Number(a.stage === "done") ||
        b.ord - a.ord ||
        a.key.localeCompare(b.key),
  );
  return kept.map(({ ord: _ord, ...band }) => band);
}
