import type { Sql } from "postgres";
import { clip } from "../slack/views/block-kit.ts";
import { dateFormatter, escapeMrkdwn } from "../slack/views/mrkdwn.ts";
import { projectGoals } from "./project-goals.ts";

const SHOWN = 3;

/**
 * The App Home's goal line of a project (docs/clickup.md §19): its linked goals' progress and due date, soonest
 * due first; undefined when none is linked and none was skipped.
 */
export async function homeGoalLine(
  sql: Sql,
  projectId: number,
  timeZone: string,
): Promise<string | undefined> {
  const { goals, skipped } = await projectGoals(sql, projectId);
  if (goals.length === 0 && skipped === 0) return undefined;
  const day = dateFormatter(timeZone, true);
  const parts = goals
    .slice(0, SHOWN)
    .map(
      (g) =>
        `${escapeMrkdwn(clip(g.name, 40))} *${g.percent === null ? "–" : `${Math.round(g.percent)}%`}*${g.dueAt ? ` due ${day(g.dueAt)}` : ""}`,
    );
  if (goals.length > SHOWN) parts.push(`+${goals.length - SHOWN} more`);
  if (skipped > 0) parts.push(`_${skipped} not visible to the ClickUp token_`);
  return `:dart: ${parts.join(" · ")}`;
}
