import type { KnownBlock } from "@slack/types";
import type { Sql } from "postgres";
import type { SegmentScope } from "../../flow/metrics/segments-scope.ts";
import type { FlowReport } from "../../flow/metrics/types.ts";
import type { ReportProject } from "../../flow/report-projects.ts";
import type { Segmenter } from "../../flow/segments/segmenter.ts";
import { goalBlocks } from "../../goals/goal-blocks.ts";
import { type GoalForecast, noGoalForecast } from "../../goals/goal-forecast.ts";
import { projectGoals } from "../../goals/project-goals.ts";
import { trackedTime } from "../../time-tracking/tracked-time.ts";
import { trackedTimeBlocks } from "../../time-tracking/tracked-time-blocks.ts";

/**
 * The report's sections from ClickUp's time entries and goals (docs/flow-metrics.md §15, docs/clickup.md §19):
 * tracked vs cycle time per segment — absent when no finished task has tracked time — and the linked goals.
 * `forecast` is the seam for the goals' forecast line (src/goals/goal-forecast.ts).
 */
export async function reportExtras(
  sql: Sql,
  project: ReportProject,
  report: FlowReport,
  options: {
    at: Date;
    breakdown: Segmenter | null;
    scope: SegmentScope | undefined;
    forecast?: GoalForecast;
  },
): Promise<KnownBlock[]> {
  const tracked = await trackedTime(sql, project.id, report.window, {
    segmenter: options.breakdown,
    ...(options.scope ? { scope: options.scope } : {}),
  });
  const goals = options.scope
    ? []
    : await goalBlocks(await projectGoals(sql, project.id), {
        projectId: project.id,
        timeZone: project.timeZone,
        now: options.at,
        forecast: options.forecast ?? noGoalForecast,
      });
  return [...trackedTimeBlocks(tracked), ...goals];
}
