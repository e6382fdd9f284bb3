import type { Sql } from "postgres";
import { loadSegmenter, segmentOfCases, segmentThresholds } from "./segments.ts";
import { daysSql } from "./sql-fragments.ts";
import type { AgeingItem } from "./types.ts";
import type { MetricsSettings } from "./window-settings.ts";
import { judgeAge } from "./wip-ageing.ts";

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
): Promise<AgeingItem[]> {
  const segmenter = await loadSegmenter(sql, s.projectId);
  if (!segmenter || items.length === 0) return items;
  const [thresholds, segmentOf] = await Promise.all([
    segmentThresholds(sql, s, window, segmenter),
    segmentOfCases(
      sql,
      segmenter,
      items.map((i) => i.caseId),
    ),
  ]);
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
): Promise<number | null> {
  const segmenter = await loadSegmenter(sql, s.projectId);
  if (!segmenter) return null;
  const ages = await sql<{ caseId: number; age: number }[]>`
    select case_id::float8 as "caseId", ${daysSql(sql, s, sql`started_at`, sql`${now}::timestamptz`)} as age
    from flow_cases
    where project_id = ${s.projectId} and finished_at is null and started_at is not null`;
  if (ages.length === 0) return 0;
  const [thresholds, segmentOf] = await Promise.all([
    segmentThresholds(sql, s, window, segmenter),
    segmentOfCases(
      sql,
      segmenter,
      ages.map((a) => a.caseId),
    ),
  ]);
  return ages.filter((a) => judgeAge(a.age, thresholds.of(segmentOf.get(a.caseId)).thresholds).overThreshold)
    .length;
}
