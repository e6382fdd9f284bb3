import type { BlockAction, ExternalSelectAction, StaticSelectAction } from "@slack/bolt";
import { boundContainers, createBinding, ensureProject } from "../../bindings/binding-store.ts";
import { findBindingConflict } from "../../bindings/find-binding-conflict.ts";
import { findConnection } from "../../connection/connection-store.ts";
import { admin } from "../access/rules.ts";
import type { SlackRoutes } from "../access/slack-routes.ts";
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
} from "./bind-modal.ts";
import { backfillButton } from "./bindings-commands.ts";
import { type BindSelection, loadBindChoices, NO_FOLDER } from "./load-bind-choices.ts";
import { clickUpId, readBindMetadata, readConfirmMetadata } from "./read-bind-metadata.ts";
import { resolveContainer } from "./resolve-container.ts";

/** Everything inside the bind modal is for admins, from the modal they opened with /flow bind. */
const inBindModal = admin("bind ClickUp containers", "bind");

/** `/flow bind`: drill down space → folder → list in a modal, Bind, then Confirm bind. */
export function bindSubcommand(routes: SlackRoutes, services: SlackServices): Subcommand {
  const { db } = services.database;
  const clientFor = async (teamId: string) => {
    const connection = await findConnection(db, teamId);
    if (!connection) return undefined;
    return { connection, clickup: services.clickup(services.sealer.open(connection.tokenSealed)) };
  };

  const render = async (teamId: string, selection: BindSelection) => {
    const found = await clientFor(teamId);
    if (!found) throw new Error("ClickUp is not connected");
    const choices = await loadBindChoices(found.clickup, found.connection.clickupTeamId, selection);
    return bindModal(selection, choices, found.connection.clickupTeamId);
  };

  for (const [level, actionId] of Object.entries(ACTIONS)) {
    routes.action<BlockAction<StaticSelectAction | ExternalSelectAction>>(
      actionId,
      inBindModal,
      async ({ ack, body, action, client, access }) => {
        await ack();
        const view = body.view;
        const value = (level === "folder" ? clickUpId.or(noFolder) : clickUpId).safeParse(
          action.selected_option?.value,
        );
        if (!view || !value.success) return;
        const previous = readBindMetadata(view.private_metadata);
        const selection: BindSelection = {};
        if (level === "space") selection.spaceId = value.data;
        if (level === "folder") Object.assign(selection, { spaceId: previous.spaceId, folderId: value.data });
        if (level === "list")
          Object.assign(selection, {
            spaceId: previous.spaceId,
            folderId: previous.folderId,
            listId: value.data,
          });
        try {
          await client.views.update({
            view_id: view.id,
            hash: view.hash,
            view: await render(access.teamId, selection),
          });
        } catch (err) {
          services.logger.warn({ err }, "could not refresh the bind modal");
        }
      },
    );
    // Large workspaces: external selects search by name or id.
    routes.options(actionId, inBindModal, async ({ ack, body, options, access }) => {
      const meta = readBindMetadata(body.view?.private_metadata);
      const found = await clientFor(access.teamId);
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

  routes.view(BIND_CALLBACK, inBindModal, async ({ ack, view, access }) => {
    const meta: BindMetadata = readBindMetadata(view.private_metadata);
    const channelId = access.view!.channelId;
    const connection = await findConnection(db, access.teamId);
    if (!meta.container || !connection) {
      await ack({ response_action: "update", view: notice("Choose a space first, then Bind.") });
      return;
    }
    const conflict = findBindingConflict(meta.container, await boundContainers(db, access.teamId, channelId));
    if (conflict) {
      await ack({ response_action: "push", view: notice(`:no_entry: ${conflict}`) });
      return;
    }
    await ack({
      response_action: "push",
      view: confirmBindModal(channelId, meta.container, connection.clickupTeamId, services.config.publicUrl),
    });
  });

  routes.view(BIND_CONFIRM_CALLBACK, inBindModal, async ({ ack, view, client, access }) => {
    const { teamId, userId } = access;
    // The channel of the /flow bind that opened the modal stack, never one the payload names.
    const channelId = access.view!.channelId;
    const ref = readConfirmMetadata(view.private_metadata);
    if (!ref) {
      await ack({
        response_action: "update",
        view: notice("This dialog is damaged; run `/flow bind` again."),
      });
      return;
    }
    const found = await clientFor(teamId);
    if (!found) {
      await ack({
        response_action: "update",
        view: notice("ClickUp is not connected any more: run /flow connect."),
      });
      return;
    }
    let resolved: Awaited<ReturnType<typeof resolveContainer>>;
    try {
      resolved = await resolveContainer(
        found.clickup,
        found.connection.clickupTeamId,
        ref,
        AbortSignal.timeout(2000),
      );
    } catch (err) {
      services.logger.warn({ err, container: ref.id }, "could not check a container with ClickUp");
      await ack({
        response_action: "update",
        view: notice(":no_entry: ClickUp did not answer in time; nothing was bound. Try again in a minute."),
      });
      return;
    }
    if (!resolved.ok) {
      await ack({
        response_action: "update",
        view: notice(
          `:no_entry: ${resolved.reason} Give ${found.connection.tokenOwnerName} access in ClickUp, or choose another container.`,
        ),
      });
      return;
    }
    const { container } = resolved;
    // Checked again: another admin may have bound something meanwhile.
    const conflict = findBindingConflict(container, await boundContainers(db, teamId, channelId));
    if (conflict) {
      await ack({ response_action: "update", view: notice(`:no_entry: ${conflict}`) });
      return;
    }
    const projectId = await ensureProject(db, teamId, channelId);
    const bindingId = await createBinding(db, projectId, container, userId);
    await ack({ response_action: "clear" });
    services.logger.info({ bindingId, container: container.id, channelId }, "container bound");
    await client.chat.postEphemeral({
      channel: channelId,
      user: userId,
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
    access: admin("run `/flow bind`"),
    async run({ ack, client, command, access }) {
      if (!(await findConnection(db, access.teamId))) {
        await ack({
          response_type: "ephemeral",
          text: "Connect ClickUp first: `/flow connect`, then `/flow bind` here.",
        });
        return;
      }
      await ack();
      // Open at once (trigger ids expire after 3 s), then fill in the spaces.
      const viewId = await services.openModal(client, {
        triggerId: command.trigger_id,
        view: bindModal({}, undefined, ""),
        kind: "bind",
        teamId: access.teamId,
        userId: access.userId,
        channelId: command.channel_id,
      });
      try {
        await client.views.update({ view_id: viewId, view: await render(access.teamId, {}) });
      } catch (err) {
        services.logger.warn({ err }, "could not load ClickUp spaces for the bind modal");
        await client.views.update({
          view_id: viewId,
          view: notice(`Could not load your ClickUp spaces: ${(err as Error).message}`),
        });
      }
    },
  };
}

const noFolder = clickUpId.refine((v) => v === NO_FOLDER);
const notice = (text: string) => noticeModal("Bind ClickUp", text);
