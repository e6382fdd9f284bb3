import { countBindings, findConnection, saveConnection } from "../../connection/connection-store.ts";
import { admin } from "../access/rules.ts";
import type { SlackRoutes } from "../access/slack-routes.ts";
import type { Subcommand } from "../commands/subcommand.ts";
import type { SlackServices } from "../slack-services.ts";
import {
  CONNECT_CALLBACK,
  connectedModal,
  connectModal,
  TOKEN_BLOCK,
  WORKSPACE_BLOCK,
} from "./connect-modal.ts";
import { validateConnectInput } from "./validate-connect-input.ts";

/** `/flow connect`: a modal whose submission is validated field by field, then stored sealed. */
export function connectSubcommand(routes: SlackRoutes, services: SlackServices): Subcommand {
  routes.view(CONNECT_CALLBACK, admin("connect ClickUp", "connect"), async ({ ack, view, access }) => {
    const values = view.state.values;
    const token = values[TOKEN_BLOCK]?.value?.value ?? "";
    const workspace = values[WORKSPACE_BLOCK]?.value?.value ?? "";
    const { teamId, userId } = access;
    const check = await validateConnectInput(token, workspace, services.clickup);
    if (!check.ok) {
      await ack({ response_action: "errors", errors: check.errors });
      return;
    }
    const { db } = services.database;
    const existing = await findConnection(db, teamId);
    if (existing && existing.clickupTeamId !== check.team.id) {
      const bound = await countBindings(db, teamId);
      if (bound > 0) {
        await ack({
          response_action: "errors",
          errors: {
            [WORKSPACE_BLOCK]: `This Slack workspace is connected to ClickUp workspace ${existing.clickupTeamName} (${existing.clickupTeamId}) with ${bound} binding(s). Unbind them first (/flow bindings), then connect the other workspace.`,
          },
        });
        return;
      }
    }
    const trimmed = token.trim();
    const rate = services.clickup(trimmed).rateLimit();
    await saveConnection(db, {
      slackTeamId: teamId,
      clickupTeamId: check.team.id,
      clickupTeamName: check.team.name,
      tokenSealed: services.sealer.seal(trimmed),
      tokenLast4: trimmed.slice(-4),
      tokenOwnerId: check.user.id,
      tokenOwnerName: check.user.username,
      tokenOwnerEmail: check.user.email,
      connectedBy: userId,
      connectedAt: new Date(services.now()),
      rateLimitPerMin: rate.limit ?? null,
      rateLimitObservedAt: rate.limit ? new Date(services.now()) : null,
    });
    services.logger.info(
      { slackTeamId: teamId, clickupTeamId: check.team.id, by: userId, replaced: Boolean(existing) },
      "ClickUp workspace connected",
    );
    await ack({
      response_action: "update",
      view: connectedModal(
        [
          `:white_check_mark: Connected *${check.team.name}* (ClickUp workspace ${check.team.id}).`,
          `The token \`pk_…${trimmed.slice(-4)}\` belongs to *${check.user.username}*${check.user.email ? ` (${check.user.email})` : ""}; flowbot sees what they can see.`,
          existing && existing.clickupTeamId === check.team.id
            ? "The token was replaced; all bindings are kept."
            : "",
          "*Next:* in a project channel, run `/flow bind` to choose the spaces, folders or lists that make up the project.",
        ]
          .filter(Boolean)
          .join("\n"),
      ),
    });
  });

  return {
    name: "connect",
    usage: "/flow connect",
    summary: "connect this Slack workspace to a ClickUp workspace with a personal API token",
    access: admin("run `/flow connect`"),
    async run({ ack, client, command, access }) {
      await ack();
      await services.openModal(client, {
        triggerId: command.trigger_id,
        view: connectModal(),
        kind: "connect",
        teamId: access.teamId,
        userId: access.userId,
        channelId: command.channel_id,
      });
    },
  };
}
