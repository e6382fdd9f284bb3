import type { BlockAction, ButtonAction } from "@slack/bolt";
import { z } from "zod";
import type { AccessRequest } from "../access/read-request.ts";
import { type ChannelAnswer, channelMember } from "../access/rules.ts";
import type { SlackRoutes } from "../access/slack-routes.ts";
import type { SlackServices } from "../slack-services.ts";
import { escapeMrkdwn } from "../views/mrkdwn.ts";
import { DIGEST_ACTIONS } from "./render-digest.ts";

const SNOOZE_DAYS = 3;
const valueSchema = z.object({ p: z.number().int().positive(), c: z.number().int().positive() });

/**
 * The digest's buttons, for members of the project's channel, pressed on a digest of that project (in
 * its channel or its digest channel). "Snooze 3 days" hides a task from alerts for three days; "Snooze
 * until it moves" until the task leaves its current status. Either way, once the snooze ends the task may
 * alert again at its current rung. A new snooze replaces the task's previous one. The clicker gets an
 * ephemeral answer.
 */
export function registerSnoozeActions(routes: SlackRoutes, services: SlackServices): void {
  const { sql } = services.database;

  /** The project channel of the button's project, if the button was pressed where its digests go. */
  const projectChannel = async (request: AccessRequest): Promise<ChannelAnswer> => {
    const parsed = valueSchema.safeParse(safeJson(request.value));
    const [project] = parsed.success
      ? await sql<{ channel_id: string; digest_channel_id: string | null }[]>`
          select channel_id, digest_channel_id from projects
          where id = ${parsed.data.p} and slack_team_id = ${request.teamId ?? ""}`
      : [];
    if (!project) {
      return {
        refused: ":thinking_face: That task is no longer tracked by flowbot, so there is nothing to snooze.",
      };
    }
    const digestChannels = [project.channel_id, project.digest_channel_id ?? project.channel_id];
    if (!request.channelId || !digestChannels.includes(request.channelId)) {
      return {
        refused: `:no_entry: That button belongs to the digest of <#${project.channel_id}>, not to this channel, so nothing was done.`,
      };
    }
    return { channelId: project.channel_id };
  };

  // A URL button still sends an action; acknowledge it so Slack shows no error.
  routes.action(DIGEST_ACTIONS.open, channelMember("use this digest", projectChannel), async ({ ack }) => {
    await ack();
  });

  for (const mode of ["3d", "moves"] as const) {
    const actionId = mode === "3d" ? DIGEST_ACTIONS.snooze3d : DIGEST_ACTIONS.snoozeMoves;
    routes.action<BlockAction<ButtonAction>>(
      actionId,
      channelMember("snooze this digest's alerts", projectChannel),
      async ({ ack, action, body, client, access }) => {
        await ack();
        const channel = body.channel?.id ?? body.container?.channel_id;
        const tell = (text: string) =>
          channel
            ? client.chat
                .postEphemeral({ channel, user: access.userId, text })
                .then(() => undefined)
                .catch((err: unknown) => services.logger.warn({ err }, "could not confirm a snooze"))
            : Promise.resolve();
        const parsed = valueSchema.safeParse(safeJson(action.value));
        // The case must be a task of the project whose channel the guard checked.
        const [task] = parsed.success
          ? await sql<{ name: string; status: string }[]>`
              select c.name, c.status_name as status
              from tracked_cases c join bindings b on b.id = c.binding_id join projects p on p.id = b.project_id
              where c.id = ${parsed.data.c} and p.id = ${parsed.data.p} and p.slack_team_id = ${access.teamId}
                and p.channel_id = ${access.channelId ?? ""}`
          : [];
        if (!parsed.success || !task) {
          await tell(
            ":thinking_face: That task is no longer tracked by flowbot, so there is nothing to snooze.",
          );
          return;
        }
        const { p: projectId, c: caseId } = parsed.data;
        const until = mode === "3d" ? new Date(services.now() + SNOOZE_DAYS * 24 * 60 * 60 * 1000) : null;
        await sql.begin(async (tx) => {
          await tx`delete from snoozes where project_id = ${projectId} and case_id = ${caseId}`;
          await tx`
            insert into snoozes (project_id, case_id, until, until_status_changes_from, created_by, created_at)
            values (${projectId}, ${caseId}, ${until ?? null}::timestamptz,
              ${mode === "moves" ? task.status : null}, ${access.userId}, ${new Date(services.now())}::timestamptz)`;
        });
        services.logger.info({ projectId, caseId, mode }, "digest alert snoozed");
        const name = `*${escapeMrkdwn(task.name)}*`;
        await tell(
          until
            ? `:zzz: Snoozed ${name} for ${SNOOZE_DAYS} days: no digest alerts for it (ageing, stuck or stalled) until <!date^${Math.floor(until.getTime() / 1000)}^{date_short_pretty} {time}|${until.toISOString().slice(0, 16).replace("T", " ")} UTC>.`
            : `:zzz: Snoozed ${name} until it moves: no digest alerts for it (ageing, stuck or stalled) while it stays in _${escapeMrkdwn(task.status)}_.`,
        );
      },
    );
  }
}

function safeJson(value: string | undefined): unknown {
  try {
    return JSON.parse(value ?? "");
  } catch {
    return undefined;
  }
}
