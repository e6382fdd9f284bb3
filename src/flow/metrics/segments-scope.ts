import type { Sql } from "postgres";
import { type Segmenter, segmentIsSql } from "../segments/segmenter.ts";

/**
 * One segment (docs/flow-metrics.md §6.3): the cases whose segment value under `segmenter` is `value`.
 * `caseIds` (a Postgres array literal), when known, lists the segment's cases the report can read —
 * finished in its window, in progress, or with rework in it — found once by segmentCaseIds.
 */
export type SegmentScope = { segmenter: Segmenter; value: string; caseIds?: string };

/**
 * SQL fragment `and …`: the row's case (column `caseId`) is in the report's segment; nothing when the report
 * covers the whole project. Each metric query of a filtered report (§7) adds it, so cycle and lead time,
 * throughput, time in status, rework, WIP and ageing all count the segment's cases only. With the
 * segment's case ids at hand it is a semi-join on them; otherwise each row's case is looked up.
 */
export function caseScope(sql: Sql, s: { scope?: SegmentScope | undefined }, caseId: string) {
  if (!s.scope) return sql``;
  if (s.scope.caseIds !== undefined) {
    return sql`and ${sql(caseId)} in (select unnest(${s.scope.caseIds}::bigint[]))`;
  }
  return sql`and exists (select 1 from tracked_cases seg_tc where seg_tc.id = ${sql(caseId)}
                         and ${segmentIsSql(sql, s.scope.segmenter, "seg_tc", s.scope.value)})`;
}
