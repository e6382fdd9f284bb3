import type { Sql } from "postgres";
import { loadSegmenter, segmentOfCases, segmentThresholds } from "./segments.ts";
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
    const own = thresholds.of(segment).thresholds;
    return { ...item, ...judgeAge(item.ageDays, own), segment, thresholds: own };
  });
}
