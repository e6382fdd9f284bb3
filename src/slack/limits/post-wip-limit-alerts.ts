import type { WebClient } from "@slack/web-api";
import type { Database } from "../../db/connect-database.ts";
import type { WipLimitCount } from "../../flow/metrics/wip-limits.ts";
import { judgeWipLimits } from "../../flow/metrics/wip-limits-alert.ts";
import type { Logger } from "../../log/create-logger.ts";

/** The alert's text (docs/flow-metrics.md §10.1's example: "review is over its WIP limit: 4 / 3"). */
function overLimitText(c: WipLimitCount): string {
  const what = c.kind === "stage" ? `The ${c.label} stage` : c.label;
  return `:rotating_light: ${what} is over its WIP limit: ${c.count} / ${c.limit}`;
}

type Deps = { database: Database; logger: Logger; slack?: WebClient };

/**
 * Judges the project's limits and posts each newly fired one to the project channel; returns those
 * fired. Nothing is judged while the alert is off or Slack is not configured, so the states stay
 * as they were. A post that fails is logged, not retried: the limit has fired, and a second
 * attempt could not tell whether Slack showed the first.
 */
export async function postWipLimitAlerts(deps: Deps, projectId: number): Promise<WipLimitCount[]> {
  const { sql } = deps.database;
  const [project] = await sql<{ channelId: string; on: boolean }[]>`
    select p.channel_id as "channelId", coalesce(a.alert_at_once, false) as on
    from projects p left join wip_alert_settings a on a.project_id = p.id
    where p.id = ${projectId}`;
  if (!project?.on) return [];
  if (!deps.slack) {
    deps.logger.warn({ projectId }, "Slack is not configured; WIP limits not judged");
    return [];
  }
  const fired = await judgeWipLimits(sql, projectId);
  for (const limit of fired) {
    await deps.slack.chat
      .postMessage({ channel: project.channelId, text: overLimitText(limit) })
      .catch((err: unknown) =>
        deps.logger.warn({ err, projectId, target: limit.target }, "could not post a WIP limit alert"),
      );
  }
  if (fired.length > 0) deps.logger.info({ projectId, fired: fired.length }, "WIP limit alerts posted");
  return fired;
}
