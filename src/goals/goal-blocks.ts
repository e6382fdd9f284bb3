import type { KnownBlock } from "@slack/types";
import { clip, section } from "../slack/views/block-kit.ts";
import { dateFormatter, escapeMrkdwn, link, plural } from "../slack/views/mrkdwn.ts";
import type { GoalForecast } from "./goal-forecast.ts";
import type { ProjectGoals } from "./project-goals.ts";

const SHOWN = 8;

/**
 * The goals section of the report and App Home (docs/clickup.md §19): each linked goal's progress and due
 * date, its open linked tasks, and the forecast line when one is wired in. Nothing when no goal is linked
 * and none was skipped.
 */
export async function goalBlocks(
  goals: ProjectGoals,
  options: { projectId: number; timeZone: string; now: Date; forecast: GoalForecast },
): Promise<KnownBlock[]> {
  if (goals.goals.length === 0 && goals.skipped === 0) return [];
  const day = dateFormatter(options.timeZone, true);
  const lines = ["*Goals* linked to this project's lists and tasks"];
  for (const g of goals.goals.slice(0, SHOWN)) {
    const name = g.url ? link(g.url, g.name, 60) : escapeMrkdwn(clip(g.name, 60));
    const percent = g.percent === null ? "–" : `${Math.round(g.percent)}%`;
    const due = g.dueAt ? `due ${day(g.dueAt)}${g.dueAt < options.now ? " (past)" : ""}` : "no due date";
    lines.push(`• ${name}: *${percent}* · ${due} · ${plural(g.openTaskIds.length, "linked task")} open`);
    if (g.dueAt && g.openTaskIds.length > 0) {
      const forecast = await options.forecast({
        projectId: options.projectId,
        goalId: g.goalId,
        openTaskIds: g.openTaskIds,
        dueAt: g.dueAt,
        now: options.now,
      });
      if (forecast) lines.push(`   ${forecast}`);
    }
  }
  if (goals.goals.length > SHOWN) lines.push(`…and ${goals.goals.length - SHOWN} more`);
  if (goals.skipped > 0)
    lines.push(
      `_${plural(goals.skipped, "goal")} skipped: the connected ClickUp user cannot see ${goals.skipped === 1 ? "it" : "them"}._`,
    );
  return [section(lines.join("\n"))];
}
