import type { App, BlockAction, StaticSelectAction } from "@slack/bolt";
import { boundContainers, createBinding, ensureProject } from "../../bindings/binding-store.ts";
import type { Container } from "../../bindings/container.ts";
import { findBindingConflict } from "../../bindings/find-binding-conflict.ts";
import { isClickUpError } from "../../clickup/index.ts";
import { findConnection } from "../../connection/connection-store.ts";
import type { Subcommand } from "../commands/subcommand.ts";
import type { SlackServices } from "../slack-services.ts";
import { noticeModal } from "../views/notice-modal.ts";
import {
  ACTIONS,
  BIND_CALLBACK,
  BIND_CONFIRM_CALLBACK,
  type BindMetadata,
  bindModal,
  choiceOption,
  confirmBindModal,
  selectedContainer,
} from "./bind-modal.ts";
import { backfillButton } from "./bindings-commands.ts";
import { loadBindChoices } from "./load-bind-choices.ts";

type Meta = BindMetadata & { container?: Container };

/** `/flow bind`: drill down space → folder → list in a modal, Bind, then Confirm bind. */
export function bindSubcommand(app: App, services: SlackServices): Subcommand {
  const { db } = services.database;
  const clientFor = async (teamId: string) => {
    const connection = await findConnection(db, teamId);
    if (!connection) return undefined;
    return { connection, clickup: services.clickup(services.sealer.open(connection.tokenSealed)) };
  };

  const render = async (teamId: string, meta: BindMetadata) => {
    const found = await clientFor(teamId);
    if (!found) throw new Error("ClickUp is not connected");
    const choices = await loadBindChoices(found.clickup, found.connection.clickupTeamId, meta);
    const container = selectedContainer(meta, choices);
    const view = bindModal(meta, choices, found.connection.clickupTeamId);
    view.private_metadata = JSON.stringify({ ...meta, container });
    return view;
  };

  for (const [level, actionId] of Object.entries(ACTIONS)) {
    app.action<BlockAction<StaticSelectAction>>(actionId, async ({ ack, body, action, client }) => {
      await ack();
      const view = body.view!;
      const previous = JSON.parse(view.private_metadata) as Meta;
      const value = action.selected_option.value;
      const meta: BindMetadata = { channelId: previous.channelId };
      if (level === "space") meta.spaceId = value;
      if (level === "folder") Object.assign(meta, { spaceId: previous.spaceId, folderId: value });
      if (level === "list")
        Object.assign(meta, { spaceId: previous.spaceId, folderId: previous.folderId, listId: value });
      try {
        await client.views.update({
          view_id: view.id,
          hash: view.hash,
          view: await render(body.user.team_id ?? body.team?.id ?? "", meta),
        });
      } catch (err) {
        services.logger.warn({ err }, "could not refresh the bind modal");
      }
    });
    // Large workspaces: external selects search by name or id.
    app.options(actionId, async ({ ack, body, options }) => {
      const teamId = body.team?.id ?? "";
      const meta = JSON.parse(body.view?.private_metadata ?? "{}") as Meta;
      const found = await clientFor(teamId);
      if (!found) return ack({ options: [] });
      const choices = await loadBindChoices(
        found.clickup,
        found.connection.clickupTeamId,
        level === "space" ? {} : meta,
      );
      const pool = level === "space" ? choices.spaces : level === "folder" ? choices.folders : choices.lists;
      const q = options.value.trim().toLowerCase();
      const hits = pool.filter((c) => c.id === q || c.name.toLowerCase().includes(q)).slice(0, 100);
      await ack({ options: hits.map(choiceOption) });
    });
  }

  app.view(BIND_CALLBACK, async ({ ack, view, body }) => {
    const meta = JSON.parse(view.private_metadata) as Meta;
    const teamId = body.team?.id ?? body.user.team_id ?? "";
    const connection = await findConnection(db, teamId);
    if (!meta.container || !connection) {
      await ack({ response_action: "update", view: notice("Choose a space first, then Bind.") });
      return;
    }
    const conflict = findBindingConflict(meta.container, await boundContainers(db, teamId, meta.channelId));
    if (conflict) {
      await ack({ response_action: "push", view: notice(`:no_entry: ${conflict}`) });
      return;
    }
    await ack({
      response_action: "push",
      view: confirmBindModal(meta, meta.container, connection.clickupTeamId, services.config.publicUrl),
    });
  });

  app.view(BIND_CONFIRM_CALLBACK, async ({ ack, view, body, client }) => {
    const { channelId, container } = JSON.parse(view.private_metadata) as {
      channelId: string;
      container: Container;
    };
    const teamId = body.team?.id ?? body.user.team_id ?? "";
    const found = await clientFor(teamId);
    if (!found) {
      await ack({
        response_action: "update",
        view: notice("ClickUp is not connected any more: run /flow connect."),
      });
      return;
    }
    try {
      const fetchers = {
        space: found.clickup.getSpace,
        folder: found.clickup.getFolder,
        list: found.clickup.getList,
      };
      await fetchers[container.type](container.id, { signal: AbortSignal.timeout(2000) });
    } catch (err) {
      const reason =
        isClickUpError(err, "not_authorized") || isClickUpError(err, "not_found")
          ? `The connected ClickUp token cannot see ${container.type} ${container.id}. Give ${found.connection.tokenOwnerName} access in ClickUp, or choose another container.`
          : "ClickUp did not answer in time; nothing was bound. Try again in a minute.";
      await ack({ response_action: "update", view: notice(`:no_entry: ${reason}`) });
      return;
    }
    // Checked again: another admin may have bound something meanwhile.
    const conflict = findBindingConflict(container, await boundContainers(db, teamId, channelId));
    if (conflict) {
      await ack({ response_action: "update", view: notice(`:no_entry: ${conflict}`) });
      return;
    }
    const projectId = await ensureProject(db, teamId, channelId);
    const bindingId = await createBinding(db, projectId, container, body.user.id);
    await ack({ response_action: "clear" });
    services.logger.info({ bindingId, container: container.id, channelId }, "container bound");
    await client.chat.postEphemeral({
      channel: channelId,
      user: body.user.id,
      text: `Bound ${container.type} ${container.path} (${container.id}). Status: not synced.`,
      blocks: [
        {
          type: "section",
          text: {
            type: "mrkdwn",
            text: `:link: Bound the ${container.type} *${container.path}* (\`${container.id}\`) to <#${channelId}>. Status: _not synced_.`,
          },
        },
        { type: "actions", elements: [backfillButton({ id: bindingId, lastSyncedAt: null })] },
      ],
    });
  });

  return {
    name: "bind",
    usage: "/flow bind",
    summary: "bind a ClickUp space, folder or list to this channel's project",
    adminOnly: true,
    async run({ ack, client, command }) {
      if (!(await findConnection(db, command.team_id))) {
        await ack({
          response_type: "ephemeral",
          text: "Connect ClickUp first: `/flow connect`, then `/flow bind` here.",
        });
        return;
      }
      await ack();
      const meta: BindMetadata = { channelId: command.channel_id };
      // Open at once (trigger ids expire after 3 s), then fill in the spaces.
      const opened = await client.views.open({
        trigger_id: command.trigger_id,
        view: bindModal(meta, undefined, ""),
      });
      try {
        await client.views.update({ view_id: opened.view!.id!, view: await render(command.team_id, meta) });
      } catch (err) {
        services.logger.warn({ err }, "could not load ClickUp spaces for the bind modal");
        await client.views.update({
          view_id: opened.view!.id!,
          view: notice(`Could not load your ClickUp spaces: ${(err as Error).message}`),
        });
      }
    },
  };
}

const notice = (text: string) => noticeModal("Bind ClickUp", text);
