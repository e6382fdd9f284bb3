import type { Task } from "graphile-worker";
import { syncPeople } from "../src/people/sync-people.ts";
import { createSlackUserDirectory } from "../src/slack/digest/slack-user-directory.ts";
import { parseJobPayload } from "../src/worker/job-catalog.ts";
import type { JobDeps } from "../src/worker/job-deps.ts";

/**
 * sync-people — one connection's ClickUp members (matched to Slack users by email), the time entries of its
 * tracked tasks and the goals linked to its bindings (src/people/sync-people.ts; docs/clickup.md §17–§19).
 * Queued after a backfill and by the hourly refresh-people cron.
 */
export default function syncPeopleJob(deps: JobDeps): Task<"sync-people"> {
  const slackUsers = deps.slack ? createSlackUserDirectory(deps.slack, deps.logger, deps.now) : undefined;
  return async (raw, helpers) => {
    const { connectionId } = parseJobPayload("sync-people", raw);
    const { sql } = deps.database;
    const [connection] = await sql<
      {
        id: number;
        clickupTeamId: string;
        slackTeamId: string;
        tokenSealed: string;
        moduleEnabled: boolean;
      }[]
    >`
      select id::float8 as id, clickup_team_id as "clickupTeamId", slack_team_id as "slackTeamId",
             token_sealed as "tokenSealed", module_enabled as "moduleEnabled"
      from connections where id = ${connectionId}`;
    if (!connection?.moduleEnabled) {
      deps.logger.info({ connectionId }, "connection gone or module off; people sync skipped");
      return;
    }
    const result = await syncPeople(
      {
        sql,
        clickup: deps.clickup(deps.sealer.open(connection.tokenSealed)),
        slackUsers,
        logger: deps.logger,
        now: new Date(deps.now()),
      },
      connection,
      helpers.abortSignal,
    );
    deps.logger.info({ connectionId, ...result }, "people, time entries and goals read");
  };
}
