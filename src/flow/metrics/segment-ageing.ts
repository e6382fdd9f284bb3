import type { Sql } from "postgres";
import { segmentValueSql } from "../segments/segmenter.ts";
import { loadSegmenter, type SegmentThresholds, segmentOfCases, segmentThresholds } from "./segments.ts";
import { daysSql } from "./sql-fragments.ts";
import type { AgeingItem } from "./types.ts";
import type { MetricsSettings } from "./window-settings.ts";
import { judgeAge } from "./wip-ageing.ts";

/**
 * The per-segment thresholds of a project with a segment dimension over the window; null without one.
 * Read once and handed to judgeBySegment and overThresholdBySegment when a caller needs both.
 */
export async function loadSegmentJudge(
  sql: Sql,
  s: MetricsSettings,
  window: { from: Date; to: Date },
): Promise<SegmentThresholds | null> {
  const segmenter = await loadSegmenter(sql, s.projectId);
  return segmenter ? segmentThresholds(sql, s, window, segmenter) : null;
}

/**
 * Over SLE per segment (docs/flow-metrics.md §8.1): in a project with a segment dimension, each WIP case
 * is measured against its own segment's thresholds (§7: the segment's percentiles with a full sample,
 * else the project's), so pace, "over SLE" and "at risk" are its segment's. Each item carries those
 * thresholds (the digest climbs its ladder). Without a dimension the items are returned as they are.
 */
export async function judgeBySegment(
  sql: Sql,
  s: MetricsSettings,
  window: { from: Date; to: Date },
  items: AgeingItem[],
  judge?: SegmentThresholds | null,
): Promise<AgeingItem[]> {
  if (items.length === 0) return items;
  const thresholds = judge === undefined ? await loadSegmentJudge(sql, s, window) : judge;
  if (!thresholds?.segmenter) return items;
  const segmentOf = await segmentOfCases(
    sql,
    thresholds.segmenter,
    items.map((i) => i.caseId),
  );
  return items.map((item) => {
    const segment = segmentOf.get(item.caseId);
    const of = thresholds.of(segment);
    return {
      ...item,
      ...judgeAge(item.ageDays, of.thresholds),
      segment,
      thresholds: of.thresholds,
      segmentOwnSample: of.fullSample,
    };
  });
}

/**
 * How many WIP cases are over their own segment's threshold (§8.1), for the headline and the report's
 * count in a project with a segment dimension; null without one (the caller's one-threshold count
 * stands). Reads only each WIP case's age and segment, not the listed items' details.
 */
export async function overThresholdBySegment(
  sql: Sql,
  s: MetricsSettings,
  window: { from: Date; to: Date },
  now: Date,
  judge?: SegmentThresholds | null,
): Promise<number | null> {
  const thresholds = judge === undefined ? await loadSegmentJudge(sql, s, window) : judge;
  if (!thresholds?.segmenter) return null;
  const ages = await sql<{ age: number; value: string }[]>`
    select ${daysSql(sql, s, sql`fc.started_at`, sql`${now}::timestamptz`)} as age,
           ${segmentValueSql(sql, thresholds.segmenter, "tc")} as value
    from flow_cases fc join tracked_cases tc on tc.id = fc.case_id
    where fc.project_id = ${s.projectId} and fc.finished_at is null and fc.started_at is not null`;
  return ages.filter((a) => judgeAge(a.age, thresholds.of(a.value).thresholds).overThreshold).length;
}
