import type { WebClient } from "@slack/web-api";
import { findConnection } from "../../connection/connection-store.ts";
import { listMembers, mapMember } from "../../people/member-map.ts";
import { enqueuePeopleSync } from "../../people/sync-people.ts";
import { admin } from "../access/rules.ts";
import type { SlackRoutes } from "../access/slack-routes.ts";
import type { Subcommand } from "../commands/subcommand.ts";
import type { SlackServices } from "../slack-services.ts";
import { noticeModal } from "../views/notice-modal.ts";
import { memberName, PEOPLE_CALLBACK, PEOPLE_FIELDS, peopleModal } from "./people-modal.ts";
import { parsePeopleSubmission } from "./people-submission.ts";

/** Whether `userId` is a real person of this Slack workspace (users.info), as a mention target must be. */
async function slackUserProblem(
  client: WebClient,
  teamId: string,
  userId: string,
): Promise<string | undefined> {
  try {
    const { user } = await client.users.info({ user: userId });
    if (!user || user.team_id !== teamId) return "That user is not a member of this Slack workspace.";
    if (user.is_bot || user.deleted) return "Choose a person: that user is a bot or deactivated.";
    return undefined;
  } catch {
    return "Slack could not confirm that user; try again or choose another.";
  }
}

/**
 * `/flow people` (admins): the connection's ClickUp members with their Slack match (docs/clickup.md §17), in
 * a recorded modal that maps one by hand. The submission trusts nothing it carries: the guard checks the
 * admin and the recorded modal, the member must be one of this workspace's connection, the Slack user one of
 * this workspace's people, and the connection the one the modal was opened for.
 */
export function peopleSubcommand(routes: SlackRoutes, services: SlackServices): Subcommand {
  const { db, sql } = services.database;

  routes.view(
    PEOPLE_CALLBACK,
    admin("map ClickUp members to Slack users", "people"),
    async ({ ack, view, client, access }) => {
      const connection = await findConnection(db, access.teamId);
      let openedFor: unknown;
      try {
        openedFor = (JSON.parse(view.private_metadata || "{}") as { connectionId?: unknown }).connectionId;
      } catch {
        openedFor = undefined;
      }
      if (!connection || openedFor !== connection.id) {
        await ack({
          response_action: "update",
          view: noticeModal(
            "People",
            ":warning: The ClickUp connection changed since this dialog was opened, so nothing was changed. Run `/flow people` again.",
          ),
        });
        return;
      }
      const parsed = parsePeopleSubmission(view.state.values);
      if (!parsed.ok) {
        await ack({ response_action: "errors", errors: parsed.errors });
        return;
      }
      const members = await listMembers(sql, access.teamId);
      const member = members.find((m) => m.clickupUserId === parsed.clickupUserId);
      if (!member) {
        await ack({
          response_action: "errors",
          errors: {
            [PEOPLE_FIELDS.member]: `That is not a member of the connected ClickUp workspace ${connection.clickupTeamName}; nothing was changed.`,
          },
        });
        return;
      }
      if (parsed.slackUserId) {
        const problem = await slackUserProblem(client, access.teamId, parsed.slackUserId);
        if (problem) {
          await ack({ response_action: "errors", errors: { [PEOPLE_FIELDS.slackUser]: problem } });
          return;
        }
      }
      const saved = await mapMember(
        sql,
        access.teamId,
        member.clickupUserId,
        parsed.slackUserId,
        access.userId,
      );
      if (!saved) {
        await ack({
          response_action: "errors",
          errors: {
            [PEOPLE_FIELDS.member]: "That member left the ClickUp workspace meanwhile; nothing was changed.",
          },
        });
        return;
      }
      services.logger.info(
        {
          slackTeamId: access.teamId,
          clickupUserId: member.clickupUserId,
          slackUserId: parsed.slackUserId,
          by: access.userId,
        },
        "ClickUp member mapped by hand",
      );
      const name = memberName(member);
      await ack({
        response_action: "update",
        view: noticeModal(
          "People",
          parsed.slackUserId
            ? `:white_check_mark: *${name}* is now mentioned as <@${parsed.slackUserId}> in digests and alerts.`
            : `:white_check_mark: *${name}* has no mapping any more; the next members read matches them by email again.`,
        ),
      });
    },
  );

  return {
    name: "people",
    usage: "/flow people",
    summary: "ClickUp members and the Slack users digests mention for them; map one by hand",
    access: admin("map ClickUp members to Slack users"),
    async run({ ack, client, command, access }) {
      const connection = await findConnection(db, access.teamId);
      if (!connection) {
        await ack({
          response_type: "ephemeral",
          text: "ClickUp is not connected. Connect it with `/flow connect` first; its members are read then.",
        });
        return;
      }
      const members = await listMembers(sql, access.teamId);
      if (members.length === 0) {
        await enqueuePeopleSync(sql, connection.id);
        await ack({
          response_type: "ephemeral",
          text: "flowbot has not read the ClickUp workspace's members yet; it is reading them now. Run `/flow people` again in a minute.",
        });
        return;
      }
      await ack();
      await services.openModal(client, {
        triggerId: command.trigger_id,
        view: peopleModal(connection.id, members),
        kind: "people",
        teamId: access.teamId,
        userId: access.userId,
        channelId: command.channel_id,
      });
    },
  };
}
