import type { Sql } from "postgres";
import { type AlertLevel, alertLadder } from "../digest/alert-levels.ts";
import { loadLabelSources } from "../segments/label-sources.ts";
import { loadSegmentDimension, type SegmentDimension } from "../segments/segment-settings.ts";
import {
  multiValueSql,
  type Segmenter,
  segmenterOf,
  segmentIsSql,
  segmentValueSql,
} from "../segments/segmenter.ts";
import { reworkEventsIn } from "./rework.ts";
import type { SegmentScope } from "./segments-scope.ts";
import { cycleColumn, type PercentileRow, percentileJson, percentiles } from "./sql-fragments.ts";
import type { AgeingThresholds, Percentiles } from "./types.ts";
import type { MetricsSettings } from "./window-settings.ts";
import { sleOf, thresholdsOf } from "./wip-ageing.ts";

/*
 * Cycle-time percentiles, SLE, throughput and WIP per segment (docs/flow-metrics.md §6.3, §7). Every case
 * is counted under the segment value it holds now (segmenter.ts); a segment's SLE and ageing ladder are its
 * own when it has the minimum sample of finished cases with a cycle time, else the project's, labelled.
 */

/** The fewest cycle times a segment's own percentiles stand on (docs/flow-metrics.md §7). */
export const MIN_SAMPLE = 5;

/** Where a segment's SLE comes from: its own 85th percentile, the project's SLE (too few finished), or none. */
export type SegmentSle =
  | { days: number; source: "own" }
  | { days: number; source: "project"; projectSource: "p85" | "manual" }
  | { days: null; source: "none" };

/** A segment's SLE, ageing thresholds and alert ladder (§7, §4.9): what "over SLE" measures a case against. */
export interface SegmentThreshold {
  /** The segment's sample: its cases finished in the window with a cycle time. */
  n: number;
  /** n ≥ MIN_SAMPLE: the segment's own percentiles set its SLE and ladder. */
  fullSample: boolean;
  sle: SegmentSle;
  thresholds: AgeingThresholds;
  ladder: AlertLevel[];
}

/** One segment's numbers over the window. */
interface SegmentStats {
  value: string;
  /** Cases finished in the window, those that skipped the workflow included (throughput, §4.6). */
  finished: number;
  /** Cycle-time percentiles of the finished cases with a start; `n` is the sample. */
  cycleTime: Percentiles;
  /** Cases in progress now. */
  wip: number;
}

export interface SegmentRow extends SegmentStats, SegmentThreshold {}

export interface SegmentBreakdown {
  /** The dimension's name ("task type", a tag group's or a field's name). */
  title: string;
  note: string | null;
  /** Segments with a case finished in the window or in progress, in the dimension's order. */
  rows: SegmentRow[];
  /** Of those cases, how many held more than one value of the tag group or labels field (§6.3). */
  multiValued: number;
  project: SegmentThreshold;
}

/** A segment's threshold from its own percentiles and the project's (the SLE rule of §7). */
export function segmentThreshold(
  s: MetricsSettings,
  own: Omit<Percentiles, "estimated">,
  project: Omit<Percentiles, "estimated">,
): SegmentThreshold {
  const fullSample = own.n >= MIN_SAMPLE;
  const projectSle = sleOf(s, project.p85);
  // An SLE set by hand is the project's: the fallback, never a replacement of a full sample's p85.
  const thresholds = fullSample ? thresholdsOf({ ...s, sleDays: null }, own) : thresholdsOf(s, project);
  const sle: SegmentSle =
    fullSample && own.p85 !== null
      ? { days: own.p85, source: "own" }
      : projectSle.days === null
        ? { days: null, source: "none" }
        : { days: projectSle.days, source: "project", projectSource: projectSle.source };
  return { n: own.n, fullSample, sle, thresholds, ladder: alertLadder(thresholds) };
}

/** The project's segmenter: null when it has no segment dimension (the whole project is one segment). */
export async function loadSegmenter(
  sql: Sql,
  projectId: number,
  dimension?: SegmentDimension,
): Promise<Segmenter | null> {
  const [dim, sources] = await Promise.all([
    dimension ?? loadSegmentDimension(sql, projectId),
    loadLabelSources(sql, projectId),
  ]);
  return segmenterOf(dim, sources);
}

/*
 * The task-field columns a segment value reads, carried out of a join so that the value is computed on
 * the joined rows only: left in the join, Postgres may compute it for every row of tracked_cases while
 * it scans them, which for a labels field costs a containment test per option and row.
 */
const fieldColumns = (sql: Sql) =>
  sql.unsafe("tc.task_type_id, tc.priority, tc.home_list_id, tc.tags, tc.field_values");

type StatsRow = {
  value: string | null;
  total: boolean;
  finished: number;
  wip: number;
  estimated: number;
  multi: number;
  cycle: PercentileRow;
};

/**
 * Per-segment and project numbers of the window [from, to] in one scan of its finished cases and the WIP:
 * grouping sets give each segment's row and the project's (all segments together) at once.
 */
async function segmentStats(
  sql: Sql,
  s: MetricsSettings,
  segmenter: Segmenter,
  from: Date,
  to: Date,
): Promise<{ segments: SegmentStats[]; project: SegmentStats; multiValued: number }> {
  const rows = await sql<StatsRow[]>`
    with c as (
      select fc.case_id, fc.finished_at is not null as finished, fc.estimated,
             case when fc.finished_at is not null then fc.${sql(cycleColumn(s))} end as cycle
      from flow_cases fc
      where fc.project_id = ${s.projectId}
        and fc.finished_at >= ${from}::timestamptz and fc.finished_at <= ${to}::timestamptz
      union all
      select fc.case_id, false, fc.estimated, null
      from flow_cases fc
      where fc.project_id = ${s.projectId} and fc.finished_at is null and fc.started_at is not null
    ),
    j as materialized (select c.*, ${fieldColumns(sql)} from c join tracked_cases tc on tc.id = c.case_id),
    v as (
      select j.*, ${segmentValueSql(sql, segmenter, "j")} as value, ${multiValueSql(sql, segmenter, "j")} as multi
      from j
    )
    select value, grouping(value) = 1 as total,
           (count(*) filter (where finished))::int as finished,
           (count(*) filter (where not finished))::int as wip,
           (count(*) filter (where cycle is not null and estimated))::int as estimated,
           (count(*) filter (where multi))::int as multi,
           ${percentileJson(sql, "cycle")} as cycle
    from v
    group by grouping sets ((value), ())`;
  const stats = (r: StatsRow): SegmentStats => ({
    value: r.value ?? "",
    finished: r.finished,
    wip: r.wip,
    cycleTime: { ...percentiles(r.cycle), estimated: r.estimated },
  });
  const total = rows.find((r) => r.total);
  const order = new Map(segmenter.values.map((v, i) => [v, i]));
  const segments = rows
    .filter((r) => !r.total)
    .map(stats)
    .sort(
      (a, b) =>
        (order.get(a.value) ?? order.size) - (order.get(b.value) ?? order.size) ||
        (a.value < b.value ? -1 : a.value > b.value ? 1 : 0),
    );
  const empty: StatsRow = {
    value: null,
    total: true,
    finished: 0,
    wip: 0,
    estimated: 0,
    multi: 0,
    cycle: { n: 0, p50: null, p70: null, p85: null, p95: null },
  };
  return { segments, project: stats(total ?? empty), multiValued: total?.multi ?? 0 };
}

/** The report's per-segment section (§7): each segment's numbers with its SLE and where it comes from. */
export async function segmentBreakdown(
  sql: Sql,
  s: MetricsSettings,
  segmenter: Segmenter,
  from: Date,
  to: Date,
): Promise<SegmentBreakdown> {
  const { segments, project, multiValued } = await segmentStats(sql, s, segmenter, from, to);
  return {
    title: segmenter.title,
    note: segmenter.note,
    rows: segments.map((seg) => ({ ...seg, ...segmentThreshold(s, seg.cycleTime, project.cycleTime) })),
    multiValued,
    project: projectThreshold(s, project.cycleTime),
  };
}

/** Each segment's SLE and ladder, and what a segment without a finished case in the window falls back to. */
export interface SegmentThresholds {
  segmenter: Segmenter | null;
  bySegment: Map<string, SegmentThreshold>;
  /** The project's own numbers, all segments together: the fallback of a segment with too few. */
  project: SegmentThreshold;
  /** The threshold of a segment value (the project's fallback for a value with no sample at all). */
  of(value: string | null | undefined): SegmentThreshold;
}

/**
 * Per-segment SLE, ageing thresholds and ladders for the window [from, to] (§7, §8.1). With no segment
 * dimension, every case's threshold is the project's, exactly as §4.9 has it. `segmenter` defaults to the
 * project's own (loadSegmenter).
 */
export async function segmentThresholds(
  sql: Sql,
  s: MetricsSettings,
  window: { from: Date; to: Date },
  segmenter?: Segmenter | null,
): Promise<SegmentThresholds> {
  const seg = segmenter === undefined ? await loadSegmenter(sql, s.projectId) : segmenter;
  if (!seg) {
    const [row] = await sql<{ cycle: PercentileRow }[]>`
      select ${percentileJson(sql, "cycle")} as cycle
      from (select ${sql(cycleColumn(s))} as cycle from flow_cases
            where project_id = ${s.projectId} and started_at is not null
              and finished_at >= ${window.from}::timestamptz and finished_at <= ${window.to}::timestamptz) fc`;
    const p = percentiles(row?.cycle ?? { n: 0, p50: null, p70: null, p85: null, p95: null });
    const project = projectThreshold(s, p);
    return { segmenter: null, bySegment: new Map(), project, of: () => project };
  }
  const { segments, project } = await segmentStats(sql, s, seg, window.from, window.to);
  const bySegment = new Map(
    segments.map((x) => [x.value, segmentThreshold(s, x.cycleTime, project.cycleTime)] as const),
  );
  const fallback = segmentThreshold(s, { ...project.cycleTime, n: 0 }, project.cycleTime);
  return {
    segmenter: seg,
    bySegment,
    project: projectThreshold(s, project.cycleTime),
    of: (value) => (value === null || value === undefined ? fallback : (bySegment.get(value) ?? fallback)),
  };
}

/** The project's thresholds as §4.8–§4.9 define them (an SLE set by hand wins). */
function projectThreshold(s: MetricsSettings, p: Omit<Percentiles, "estimated">): SegmentThreshold {
  const thresholds = thresholdsOf(s, p);
  const sle = sleOf(s, p.p85);
  return {
    n: p.n,
    fullSample: p.n >= MIN_SAMPLE,
    sle:
      sle.days === null
        ? { days: null, source: "none" }
        : { days: sle.days, source: "project", projectSource: sle.source },
    thresholds,
    ladder: alertLadder(thresholds),
  };
}

/** The segment value each of `caseIds` holds now; a case id that is not a case is left out. */
export async function segmentOfCases(
  sql: Sql,
  segmenter: Segmenter,
  caseIds: readonly number[],
): Promise<Map<number, string>> {
  if (caseIds.length === 0) return new Map();
  const rows = await sql<{ caseId: number; value: string }[]>`
    select tc.id::float8 as "caseId", ${segmentValueSql(sql, segmenter, "tc")} as value
    from tracked_cases tc where tc.id = any(${caseIds.map(String)}::bigint[])`;
  return new Map(rows.map((r) => [r.caseId, r.value]));
}

/** Every segment value the project's cases hold now, with how many cases hold it (most first). */
export async function segmentCounts(
  sql: Sql,
  projectId: number,
  segmenter: Segmenter,
): Promise<{ value: string; cases: number }[]> {
  return sql<{ value: string; cases: number }[]>`
    select value, count(*)::int as cases
    from (select ${segmentValueSql(sql, segmenter, "tc")} as value
          from tracked_cases tc
          where tc.binding_id in (select id from bindings where project_id = ${projectId})
            and tc.tracked and tc.deleted_at is null) x
    group by value order by cases desc, value`;
}

/** Whether any case of the project holds `value` now (stops at the first). */
export async function segmentHeld(
  sql: Sql,
  projectId: number,
  segmenter: Segmenter,
  value: string,
): Promise<boolean> {
  const [row] = await sql<{ held: boolean }[]>`
    select exists (
      select 1 from tracked_cases tc
      where tc.binding_id in (select id from bindings where project_id = ${projectId})
        and tc.tracked and tc.deleted_at is null
        and ${segmentIsSql(sql, segmenter, "tc", value)}) as held`;
  return row?.held ?? false;
}

/**
 * The segment's cases a report of [from, to] reads, as a Postgres array literal: those finished in the
 * window, those in progress, and those with rework in it (a case that skipped the workflow and was
 * reopened is neither). Found once, in one pass over these cases, so that each query of the report
 * (caseScope) is a semi-join on them rather than a look at every case of the project.
 */
export async function segmentCaseIds(
  sql: Sql,
  projectId: number,
  scope: SegmentScope,
  from: Date,
  to: Date,
): Promise<string> {
  const [row] = await sql<{ ids: string }[]>`
    with c as (
      select case_id from flow_cases
      where project_id = ${projectId} and finished_at >= ${from}::timestamptz and finished_at <= ${to}::timestamptz
      union
      select case_id from flow_cases
      where project_id = ${projectId} and finished_at is null and started_at is not null
      union
      select r.case_id ${reworkEventsIn(sql, projectId, { from, fromInclusive: true, to })}
    )
    , j as materialized (select c.case_id, ${fieldColumns(sql)} from c join tracked_cases tc on tc.id = c.case_id)
    select coalesce(array_agg(j.case_id order by j.case_id)::text, '{}') as ids
    from j where ${segmentIsSql(sql, scope.segmenter, "j", scope.value)}`;
  return row?.ids ?? "{}";
}
