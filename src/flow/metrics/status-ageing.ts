import type { Sql } from "postgres";
import { caseScope } from "./segments-scope.ts";
import { priorAndHistory } from "./signals-stuck.ts";
import type { MetricsSettings } from "./window-settings.ts";

/* Per-status ageing (docs/flow-metrics.md §13.3). */

/** Below this many finished cases with a time in the status, it gets no bands (§8.2's minimum sample). */
const STATUS_BANDS_MIN_SAMPLE = 5;

type StatusBands = {
  /** The status key (§2) and how a case spells it. */
  key: string;
  status: string;
  /** Finished cases in the window that entered it. */
  n: number;
  /** Nearest-rank percentiles of their time in it (days, the project's clock); null below the minimum sample. */
  bands: { p50: number; p70: number; p85: number; p95: number } | null;
  estimated: boolean;
};

type StatusAgeingPoint = {
  caseId: number;
  key: string;
  status: string;
  /** Earlier visits to the current status plus the current one (§8.2), on the project's clock. */
  days: number;
  estimated: boolean;
};

export type StatusAgeing = {
  columns: StatusBands[];
  /** The WIP cases, longest in their status first, at most `limit`. */
  points: StatusAgeingPoint[];
  /** Every WIP case, however many are listed. */
  wip: number;
};

type Row = { columns: StatusBands[] | null; points: StatusAgeingPoint[] | null; wip: number };

/**
 * The WIP cases' time in their current status and, per status, the bands from the cases finished in
 * [from, to]: the statuses WIP cases are in, and the `active` and `blocked` statuses finished cases
 * passed through. The time so far and the history are signals-stuck.ts's own (priorAndHistory), so a
 * dot above its column's 85th percentile is exactly a case stuck by its status's own limit; like that
 * limit, the bands come from the whole project's finished cases, all segments together (§8.2), while a
 * segment's report shows only that segment's dots.
 */
export async function statusAgeing(
  sql: Sql,
  s: MetricsSettings,
  opts: { now: Date; from: Date; to: Date; limit: number },
): Promise<StatusAgeing> {
  const { now, from, to } = opts;
  const current =
    s.clock === "working"
      ? sql`flowbot_working_days_at(${now}::timestamptz, ${s.timeZone})
              - flowbot_working_days_at(least(w.current_since, ${now}::timestamptz), ${s.timeZone})`
      : sql`greatest(extract(epoch from ${now}::timestamptz - w.current_since)::float8, 0) / 86400`;
  const [row] = await sql<Row[]>`
    with wip as (
      select fc.case_id, fc.current_status, flowbot_status_key(fc.current_status) as key, fc.current_since,
             fc.estimated
      from flow_cases fc
      where fc.project_id = ${s.projectId} and fc.finished_at is null and fc.started_at is not null
        ${caseScope(sql, s, "fc.case_id")}
    ),
    passed as (
      -- Statuses the window's finished cases passed through, with their stage under the project's mapping.
      select x.key, x.spelled
      from (select flowbot_status_key(fs.status_name) as key, min(btrim(fs.status_name)) as spelled,
                   (array_agg(fs.status_name))[1] as name, (array_agg(fs.status_type))[1] as stype
            from flow_case_status fs
            where fs.project_id = ${s.projectId}
              and fs.case_finished_at >= ${from}::timestamptz and fs.case_finished_at <= ${to}::timestamptz
            group by 1) x
      left join stage_overrides o on o.project_id = ${s.projectId} and o.status_key = x.key
      where coalesce(o.stage, flowbot_default_stage(x.name, x.stype)) in ('active', 'blocked')
    ),
    keys as (
      select key, min(spelled) as spelled
      from (select key, btrim(current_status) as spelled from wip union all select key, spelled from passed) k
      group by key
    ),
    ${priorAndHistory(sql, s, from, to)},
    lim as (
      select key, count(*)::int as n,
             percentile_disc(array[0.5, 0.7, 0.85, 0.95]::float8[]) within group (order by days) as p,
             bool_or(est) as est
      from hist group by key
    ),
    so_far as (
      select w.case_id, w.key, w.current_status, coalesce(p.days, 0) + ${current} as days,
             coalesce(p.est, w.estimated) as est
      from wip w left join prior p on p.case_id = w.case_id
    )
    select
      (select json_agg(json_build_object(
                'key', k.key, 'status', k.spelled, 'n', coalesce(l.n, 0),
                'bands', case when l.n >= ${STATUS_BANDS_MIN_SAMPLE}
                              then json_build_object('p50', l.p[1], 'p70', l.p[2], 'p85', l.p[3], 'p95', l.p[4]) end,
                'estimated', coalesce(l.est, false)) order by k.key)
       from keys k left join lim l on l.key = k.key) as columns,
      (select json_agg(json_build_object('caseId', x.case_id, 'key', x.key, 'status', btrim(x.current_status),
                                         'days', x.days, 'estimated', x.est) order by x.days desc, x.case_id)
       from (select * from so_far order by days desc, case_id limit ${opts.limit}) x) as points,
      (select count(*)::int from wip) as wip`;
  return { columns: row?.columns ?? [], points: row?.points ?? [], wip: row?.wip ?? 0 };
}
