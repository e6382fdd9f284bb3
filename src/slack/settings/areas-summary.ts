import type { Sql } from "postgres";
import { loadHolidaySettings } from "../../flow/holidays/save-holidays.ts";
import { loadBlockedRules } from "../../flow/metrics/blocked-rules.ts";
import { loadSignalSettings } from "../../flow/metrics/signals-settings.ts";
import { loadWipLimits } from "../../flow/metrics/wip-limits-settings.ts";
import { loadLabelSources } from "../../flow/segments/label-sources.ts";
import { loadSegmentDimension } from "../../flow/segments/segment-settings.ts";
import { describeBlockedRules } from "./blocked-modal.ts";
import { describeHolidays } from "./holidays-modal.ts";
import { describeLimits } from "./limits-summary.ts";
import { describeSegments } from "./segments-modal.ts";
import { describeSignals } from "./signals-submission.ts";

/**
 * The settings areas kept apart from the main modal (segments, signals, WIP limits, blocked rules,
 * holidays), one line each with the command that changes them: the `/flow settings` confirmation shows
 * the whole of a project's settings, not only the part just saved.
 */
export async function areasSummary(sql: Sql, projectId: number): Promise<string> {
  const [dimension, { fields }, signals, limits, rules, holidays] = await Promise.all([
    loadSegmentDimension(sql, projectId),
    loadLabelSources(sql, projectId),
    loadSignalSettings(sql, projectId),
    loadWipLimits(sql, projectId),
    loadBlockedRules(sql, projectId),
    loadHolidaySettings(sql, projectId),
  ]);
  const line = (text: string, area: string) => `\n${text} Change with \`/flow settings ${area}\`.`;
  return [
    line(describeSegments(dimension, fields), "segments"),
    line(describeSignals(signals), "signals"),
    line(describeLimits(limits), "limits"),
    line(describeBlockedRules(rules, fields), "blocked"),
    line(
      describeHolidays({
        country: holidays?.country ?? null,
        region: holidays?.region ?? null,
        blackouts: holidays?.blackouts ?? [],
      }),
      "holidays",
    ),
  ].join("");
}
