import type { Sql } from "postgres";
import { type Segmenter, segmentValueSql } from "../segments/segmenter.ts";

/** One segment (docs/flow-metrics.md §6.3): the cases whose segment value under `segmenter` is `value`. */
export type SegmentScope = { segmenter: Segmenter; value: string };

/**
 * SQL fragment `and …`: the row's case (column `caseId`) is in the report's segment; nothing when the report
 * covers the whole project. Each metric query of a filtered report (§7) adds it, so cycle and lead time,
 * throughput, time in status, rework, WIP and ageing all count the segment's cases only. It looks the case
 * up by primary key, so a query reads no more rows than it does for the whole project.
 */
export function caseScope(sql: Sql, s: { scope?: SegmentScope | undefined }, caseId: string) {
  if (!s.scope) return sql``;
  return sql`and exists (select 1 from tracked_cases seg_tc where seg_tc.id = ${sql(caseId)}
                         and ${segmentValueSql(sql, s.scope.segmenter, "seg_tc")} = ${s.scope.value}::text)`;
}
