import { eq } from "drizzle-orm";
import { z } from "zod";
import { clickupWebhooks } from "../../../db/schema.ts";
import { isClickUpError } from "../../clickup/index.ts";
import {
  countBindings,
  findConnection,
  removeConnection,
  webhooksOf,
} from "../../connection/connection-store.ts";
import { admin } from "../access/rules.ts";
import type { SlackRoutes } from "../access/slack-routes.ts";
import type { Subcommand } from "../commands/subcommand.ts";
import type { SlackServices } from "../slack-services.ts";
import { modal } from "../views/block-kit.ts";

const DISCONNECT_CALLBACK = "flow_disconnect";
const CHOICE_BLOCK = "choice";
/** The radio choice; anything else (or nothing) keeps the data. */
const choiceSchema = z.enum(["keep", "delete"]).catch("keep");

/** `/flow disconnect`: confirm, then stop syncing, delete flowbot's ClickUp webhooks and the token. */
export function disconnectSubcommand(routes: SlackRoutes, services: SlackServices): Subcommand {
  const rule = admin("disconnect ClickUp", "disconnect");
  routes.view(DISCONNECT_CALLBACK, rule, async ({ ack, view, client, access }) => {
    await ack();
    const { db } = services.database;
    const { teamId, userId } = access;
    // The channel the modal was opened in, as recorded when it opened.
    const channelId = access.view!.channelId;
    const deleteData =
      choiceSchema.parse(view.state.values[CHOICE_BLOCK]?.value?.selected_option?.value) === "delete";
    const connection = await findConnection(db, teamId);
    if (!connection) return;
    const token = services.sealer.open(connection.tokenSealed);
    const clickup = services.clickup(token);
    const webhooks = await webhooksOf(db, connection.id);
    const failed: string[] = [];
    for (const webhook of webhooks) {
      try {
        await clickup.deleteWebhook(webhook.id);
      } catch (err) {
        // Already gone in ClickUp is what we wanted; anything else is reported, not fatal.
        if (!isClickUpError(err, "not_found")) failed.push(`${webhook.id} (${(err as Error).message})`);
      }
      await db.delete(clickupWebhooks).where(eq(clickupWebhooks.id, webhook.id));
    }
    const removed = await removeConnection(db, connection, deleteData);
    services.logger.info(
      { slackTeamId: teamId, by: userId, deleteData, webhooks: webhooks.length, failed: failed.length },
      "ClickUp disconnected",
    );
    const text = [
      `:electric_plug: Disconnected ClickUp workspace *${connection.clickupTeamName}*. The token was removed.`,
      `Webhooks: ${webhooks.length - failed.length} of ${webhooks.length} deleted in ClickUp${
        failed.length
          ? `; could not delete ${failed.join(", ")} — remove them in ClickUp › Settings › Webhooks`
          : ""
      }.`,
      deleteData
        ? `Deleted ${removed.bindings} binding(s) with all their flow data${
            removed.unboundDeleted
              ? `, and the flow data kept by ${removed.unboundDeleted} unbound binding(s)`
              : ""
          }.`
        : `${removed.bindings} binding(s) paused; their flow data is kept. Run \`/flow connect\` to resume.`,
    ].join("\n");
    await client.chat.postEphemeral({ channel: channelId, user: userId, text });
  });

  return {
    name: "disconnect",
    usage: "/flow disconnect",
    summary: "stop syncing and remove the ClickUp token and webhooks (flow data kept unless you choose)",
    access: admin("run `/flow disconnect`"),
    async run({ ack, client, command, access }) {
      const { db } = services.database;
      const connection = await findConnection(db, access.teamId);
      if (!connection) {
        await ack({
          response_type: "ephemeral",
          text: "ClickUp is not connected, so there is nothing to disconnect.",
        });
        return;
      }
      await ack();
      const bound = await countBindings(db, access.teamId);
      await services.openModal(client, {
        triggerId: command.trigger_id,
        kind: "disconnect",
        teamId: access.teamId,
        userId: access.userId,
        channelId: command.channel_id,
        view: modal({
          callbackId: DISCONNECT_CALLBACK,
          title: "Disconnect ClickUp",
          submit: "Disconnect",
          blocks: [
            {
              type: "section",
              text: {
                type: "mrkdwn",
                text: `Disconnect *${connection.clickupTeamName}* (${connection.clickupTeamId})? Syncing stops for all ${bound} binding(s), flowbot's webhooks are deleted in ClickUp and the token is removed.`,
              },
            },
            {
              type: "input",
              block_id: CHOICE_BLOCK,
              label: { type: "plain_text", text: "Flow data" },
              element: {
                type: "radio_buttons",
                action_id: "value",
                initial_option: { text: { type: "plain_text", text: "Keep flow data" }, value: "keep" },
                options: [
                  { text: { type: "plain_text", text: "Keep flow data" }, value: "keep" },
                  {
                    text: { type: "plain_text", text: `Disconnect and delete data (${bound} binding(s))` },
                    value: "delete",
                  },
                ],
              },
            },
          ],
        }),
      });
    },
  };
}
