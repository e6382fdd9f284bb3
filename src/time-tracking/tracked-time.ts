import type { Sql } from "postgres";
import { caseScope, type SegmentScope } from "../flow/metrics/segments-scope.ts";
import { type Segmenter, segmentValueSql } from "../flow/segments/segmenter.ts";

/** One segment's tracked time against its cycle time (docs/flow-metrics.md §15). */
export type TrackedTimeRow = {
  /** The segment value, or null for the whole project. */
  segment: string | null;
  /** Finished cases with tracked time, and the sums over them (hours, elapsed). */
  withTime: number;
  trackedHours: number;
  cycleHours: number;
  /** Σ tracked ÷ Σ cycle over `withTime`; may exceed 1. */
  share: number | null;
  /** Finished cases of the window without any stopped entry. */
  without: number;
};

export type TrackedTime = {
  project: TrackedTimeRow;
  /** Per segment value, in the project's segment order; empty when the project is not segmented. */
  segments: TrackedTimeRow[];
  /** Up to five finished cases without tracked time, oldest finish first. */
  untracked: { name: string; url: string }[];
};

const NAMED_UNTRACKED = 5;

/**
 * Tracked time of the cases finished in the window (docs/flow-metrics.md §15): per case the stopped entries'
 * durations (running timers count nothing), against elapsed cycle time, summed per segment over the cases
 * that have tracked time. Null when no case finished in the window has any, so that a workspace that does
 * not track time gets no section.
 */
export async function trackedTime(
  sql: Sql,
  projectId: number,
  window: { from: Date; to: Date },
  options: { segmenter?: Segmenter | null; scope?: SegmentScope } = {},
): Promise<TrackedTime | null> {
  const segment = options.segmenter ? segmentValueSql(sql, options.segmenter, "tc") : sql`null::text`;
  const rows = await sql<
    { segment: string | null; name: string; url: string; tracked_ms: number | null; cycle_s: number }[]
  >`
    select ${segment} as segment, tc.name, tc.url,
           extract(epoch from fc.finished_at - fc.started_at)::float8 as cycle_s,
           (select sum(te.duration_ms)::float8 from time_entries te
            where te.case_id = fc.case_id and te.duration_ms is not null) as tracked_ms
    from flow_cases fc join tracked_cases tc on tc.id = fc.case_id
    where fc.project_id = ${projectId} and fc.started_at is not null
      and fc.finished_at >= ${window.from}::timestamptz and fc.finished_at <= ${window.to}::timestamptz
      ${caseScope(sql, options, "fc.case_id")}
    order by fc.finished_at, fc.case_id`;
  if (!rows.some((r) => r.tracked_ms !== null)) return null;

  type Row = (typeof rows)[number];
  const sum = (label: string | null, of: readonly Row[]): TrackedTimeRow => {
    const timed = of.filter((r) => r.tracked_ms !== null);
    const trackedHours = timed.reduce((s, r) => s + (r.tracked_ms ?? 0), 0) / 3_600_000;
    const cycleHours = timed.reduce((s, r) => s + r.cycle_s, 0) / 3600;
    return {
      segment: label,
      withTime: timed.length,
      trackedHours,
      cycleHours,
      share: cycleHours > 0 ? trackedHours / cycleHours : null,
      without: of.length - timed.length,
    };
  };
  const order = options.segmenter?.values ?? [];
  const values = [...new Set(rows.map((r) => r.segment ?? ""))].sort((a, b) => {
    const ia = order.indexOf(a);
    const ib = order.indexOf(b);
    return (ia < 0 ? order.length : ia) - (ib < 0 ? order.length : ib) || a.localeCompare(b);
  });
  return {
    project: sum(null, rows),
    segments: options.segmenter
      ? values.map((v) =>
          sum(
            v,
            rows.filter((r) => (r.segment ?? "") === v),
          ),
        )
      : [],
    untracked: rows
      .filter((r) => r.tracked_ms === null)
      .slice(0, NAMED_UNTRACKED)
      .map((r) => ({ name: r.name, url: r.url })),
  };
}
