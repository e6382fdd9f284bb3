import type { Sql } from "postgres";
import { FLOW_STAGES, type FlowStage } from "../stage-mapping.ts";
import { caseScope } from "./segments-scope.ts";
import type { MetricsSettings } from "./window-settings.ts";

/* The cumulative flow diagram (docs/flow-metrics.md §13.1). */

export type CfdBy = "stage" | "status";

/** One band: the cases in one stage, or one status (by key, §2), at each day's end. */
type CfdBand = {
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
 * Cases that finished for good before the first day are left out (§13.1). What remains costly is reading
 * the changing cases' transitions in timeline order: bench/forecast-cfd.ts times 90 days of a
 * 100,000-case project (1,000,000 transitions) at about 440 ms on a busy two-core machine.
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
      -- Each changing case's transitions through the (case_id, occurred_at) index, in timeline order, each
      -- with the day it fell on (bk: how many day ends came before it) and the day of the next one.
      select ch.case_id, ch.created_at, t.from_status, t.from_type, t.from_orderindex, t.to_status, t.to_type,
             t.to_orderindex, t.occurred_at, t.bk, t.next_bk, t.first
      from ch cross join b cross join lateral (
        select t.from_status, t.from_type, t.from_orderindex, t.to_status, t.to_type, t.to_orderindex,
               t.occurred_at, width_bucket(t.occurred_at, b.th) as bk,
               lead(width_bucket(t.occurred_at, b.th)) over w as next_bk, row_number() over w = 1 as first
        from status_transitions t where t.case_id = ch.case_id
        window w as (order by t.occurred_at, t.id)) t
    ),
    tim as (
      -- ClickUp's time-in-status totals placed before the first transition (estimated; few cases have any).
      select st.case_id, st.status_name, st.status_type, st.status_orderindex,
             coalesce(lead(st.since) over w, f.first_at) as exited,
             case when lead(st.since) over w is not null then st.total_minutes * 60.0::float8
                  else greatest(st.total_minutes * 60.0::float8, extract(epoch from f.first_at - st.since)::float8)
             end as secs,
             st.since
      from status_timings st join ch on ch.case_id = st.case_id
      left join lateral (select t.occurred_at as first_at from status_transitions t where t.case_id = st.case_id
                         order by t.occurred_at, t.id limit 1) f on true
      where f.first_at is null or st.since < f.first_at
      window w as (partition by st.case_id order by st.since, st.is_current, st.status_name)
    ),
    closed as (
      -- The closed visits of the changing cases (the open one is flow_cases' current visit) that reach a
      -- day end, by the days they were entered and left: each transition's status until the next, and
      -- before the first, its from-status since creation. A visit left on the day it began adds nothing.
      select to_status as status, to_type as stype, to_orderindex as oi, bk as bin, next_bk as bout
      from tr where next_bk >= 1 and next_bk <> bk
      union all
      select tr.from_status, tr.from_type, tr.from_orderindex, width_bucket(tr.created_at, b.th), tr.bk
      from tr cross join b
      where tr.first and tr.from_status is not null and tr.created_at < tr.occurred_at and tr.bk >= 1
        and width_bucket(tr.created_at, b.th) <> tr.bk
        and not exists (select 1 from tim where tim.case_id = tr.case_id)
      union all
      select status_name, status_type, status_orderindex,
             width_bucket(least(since, exited - make_interval(secs => secs)), b.th), width_bucket(exited, b.th)
      from tim cross join b where exited is not null
    ),
    vis as (
      select status, stype, min(oi) as oi, bin + 1 as bin, bout + 1 as bout, count(*)::int as n
      from closed where bout >= 1 and bin <> bout
      group by 1, 2, 4, 5
    ),
    cur as (
      select cs.current_status as status, cs.current_stage as stage,
             ${byStatus ? sql`min(tc.status_orderindex)` : sql`0`} as oi,
             width_bucket(cs.current_since, b.th) + 1 as bucket, count(*)::int as n
      from cs cross join b
      ${byStatus ? sql`join tracked_cases tc on tc.id = cs.case_id` : sql``}
      group by 1, 2, 4
    ),
    ev as (
      select v.status, coalesce(o.stage, flowbot_default_stage(v.status, v.stype)) as stage, v.oi, e.bucket,
             e.delta * v.n as delta
      from vis v
      left join stage_overrides o
        on o.project_id = ${s.projectId} and o.status_key = flowbot_status_key(v.status)
      cross join lateral (values (v.bin, 1), (v.bout, -1)) e(bucket, delta)
      union all
      select status, stage, oi, bucket, n from cur
    )
    select ${byStatus ? sql`flowbot_status_key(ev.status)` : sql`ev.stage::text`} as key,
           ${byStatus ? sql`min(btrim(ev.status))` : sql`ev.stage::text`} as label,
           min(ev.stage::text) as stage, min(ev.oi)::int as ord, ev.bucket::int as bucket,
           sum(ev.delta)::int as delta
    from ev
    where ev.bucket <= ${days}
    group by 1, 5`,
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
