import type { BlockAction, ButtonAction } from "@slack/bolt";
import type { KnownBlock } from "@slack/types";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { bindings } from "../../../db/schema.ts";
import { containerUrl } from "../../bindings/container.ts";
import { type BindingRow, listBindings, matchBinding } from "../../bindings/list-bindings.ts";
import { bindingDataCounts, unbindBinding } from "../../bindings/unbind-binding.ts";
import { findConnection } from "../../connection/connection-store.ts";
import { enqueueBackfill } from "../../sync/enqueue-backfill.ts";
import { enqueueReconcile } from "../../sync/reconcile/enqueue-reconcile.ts";
import { admin, anyone } from "../access/rules.ts";
import type { SlackRoutes } from "../access/slack-routes.ts";
import type { Subcommand } from "../commands/subcommand.ts";
import type { SlackServices } from "../slack-services.ts";

/** A table button's value: the binding's flowbot id. */
const bindingIdSchema = z
  .string()
  .regex(/^\d{1,15}$/)
  .transform(Number);

const statusLabel = { not_synced: "not synced", synced: "synced", paused: "paused", error: "error" } as const;

/** Block Kit rows for the bindings table, one section + action buttons per binding. */
export function backfillButton(b: Pick<BindingRow, "id" | "lastSyncedAt">) {
  return {
    type: "button" as const,
    action_id: "binding_backfill",
    text: { type: "plain_text" as const, text: b.lastSyncedAt ? "Re-backfill" : "Backfill now" },
    value: String(b.id),
  };
}

type Counts = Awaited<ReturnType<typeof bindingDataCounts>>;

/** The two destructive buttons, each behind a Slack confirm dialog that names what goes. */
function unbindButtons(b: Pick<BindingRow, "id" | "path">, counts: Counts) {
  return [
    {
      type: "button" as const,
      action_id: "binding_unbind",
      text: { type: "plain_text" as const, text: "Unbind" },
      value: String(b.id),
      confirm: {
        title: { type: "plain_text" as const, text: "Unbind?" },
        text: {
          type: "mrkdwn" as const,
          text: `Stop syncing #${b.id} ${b.path}. Its ${counts.tasks} tracked task(s) and their flow history stay in the metrics.`,
        },
        confirm: { type: "plain_text" as const, text: "Unbind" },
        deny: { type: "plain_text" as const, text: "Cancel" },
      },
    },
    {
      type: "button" as const,
      action_id: "binding_unbind_delete",
      style: "danger" as const,
      text: { type: "plain_text" as const, text: "Unbind & delete data" },
      value: String(b.id),
      confirm: {
        title: { type: "plain_text" as const, text: "Delete flow data?" },
        text: {
          type: "mrkdwn" as const,
          text: `Unbind #${b.id} ${b.path} and permanently delete ${counts.tasks} tracked task(s), ${counts.transitions} status change(s), ${counts.rework} rework event(s) and ${counts.comments} comment sentiment score(s). ClickUp is not changed: binding again and backfilling rebuilds them.`,
        },
        confirm: { type: "plain_text" as const, text: "Delete" },
        deny: { type: "plain_text" as const, text: "Cancel" },
        style: "danger" as const,
      },
    },
  ];
}

function bindingsBlocks(rows: BindingRow[], teamId: string, counts: Map<number, Counts>): KnownBlock[] {
  if (!rows.length) {
    return [
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text: "This channel binds nothing yet. An admin can add a space, folder or list with `/flow bind`.",
        },
      },
    ];
  }
  return rows.flatMap((b): KnownBlock[] => [
    {
      type: "section",
      text: {
        type: "mrkdwn",
        text: [
          `*#${b.id} ${b.path}* (${b.type} \`${b.containerId}\`, <${containerUrl(teamId, { type: b.type, id: b.containerId })}|ClickUp ↗>)`,
          `Status: *${statusLabel[b.syncStatus]}*${b.syncStatus === "error" && b.errorReason ? ` — ${b.errorReason}` : ""} · ${b.tasks} task(s) tracked · last sync ${b.lastSyncedAt ? `${b.lastSyncedAt.toISOString().slice(0, 16).replace("T", " ")} UTC` : "never"} · webhook ${b.webhookHealth ?? "none"}`,
          b.warning ? `:warning: ${b.warning}` : "",
        ]
          .filter(Boolean)
          .join("\n"),
      },
    },
    {
      type: "actions",
      block_id: `binding_${b.id}`,
      elements: [
        b.syncStatus === "paused"
          ? {
              type: "button",
              action_id: "binding_resume",
              text: { type: "plain_text", text: "Resume" },
              value: String(b.id),
            }
          : {
              type: "button",
              action_id: "binding_pause",
              text: { type: "plain_text", text: "Pause" },
              value: String(b.id),
            },
        backfillButton(b),
        ...unbindButtons(b, counts.get(b.id) ?? { tasks: 0, transitions: 0, rework: 0, comments: 0 }),
      ],
    },
  ]);
}

/** `/flow bindings`, `/flow pause <binding>` and `/flow resume <binding>`, and the matching buttons. */
export function bindingsSubcommands(routes: SlackRoutes, services: SlackServices): Subcommand[] {
  const { db } = services.database;

  /**
   * A table button for admins (the guard refuses anyone else): ack, find the button's binding among
   * this channel's, then answer the clicker with what `run` says (an ephemeral reply that leaves the
   * table in place).
   */
  const adminButton = (
    actionId: string,
    does: string,
    run: (ctx: { teamId: string; channelId: string; binding: BindingRow; userId: string }) => Promise<string>,
  ) => {
    routes.action<BlockAction<ButtonAction>>(
      actionId,
      admin(does),
      async ({ ack, action, respond, client, body, access }) => {
        await ack();
        const { teamId, userId, channelId } = access;
        const id = bindingIdSchema.safeParse(action.value);
        let text: string;
        if (!channelId || !id.success) {
          text =
            "That button does not name a binding of this channel; run `/flow bindings` for a fresh table.";
        } else {
          const binding = (await listBindings(db, teamId, channelId)).find((b) => b.id === id.data);
          text = binding
            ? await run({ teamId, channelId, binding, userId })
            : "That binding is not in this channel any more (it may have been unbound); `/flow bindings` shows the current ones.";
        }
        if (body.response_url) await respond({ response_type: "ephemeral", replace_original: false, text });
        else if (channelId) await client.chat.postEphemeral({ channel: channelId, user: userId, text });
      },
    );
  };

  /** The binding an admin named, or a message listing the channel's bindings to choose from. */
  const findBinding = async (
    teamId: string,
    channelId: string,
    ref: string,
  ): Promise<BindingRow | string> => {
    const rows = await listBindings(db, teamId, channelId);
    const binding = matchBinding(rows, ref);
    if (binding) return binding;
    return rows.length
      ? `No binding \`${ref}\` in this channel. Use a number, ClickUp id or name from \`/flow bindings\`: ${rows.map((b) => `#${b.id} ${b.name} (${b.containerId})`).join(", ")}.`
      : "This channel binds nothing yet: `/flow bind` first.";
  };

  const setPaused = async (binding: BindingRow, paused: boolean): Promise<string> => {
    if (paused && binding.syncStatus === "paused") return `#${binding.id} ${binding.path} is already paused.`;
    if (!paused && binding.syncStatus !== "paused")
      return `#${binding.id} ${binding.path} is not paused (it is ${statusLabel[binding.syncStatus]}).`;
    // Resume returns to "synced" only if it had synced; otherwise it still needs its backfill.
    const next = paused ? "paused" : binding.lastSyncedAt ? "synced" : "not_synced";
    await db.update(bindings).set({ syncStatus: next }).where(eq(bindings.id, binding.id));
    services.logger.info({ bindingId: binding.id, paused }, paused ? "binding paused" : "binding resumed");
    // Deliveries were dropped while paused: one full reconcile catches up (skipped unless synced).
    if (!paused) await enqueueReconcile(services.database.sql, { bindingIds: [binding.id], sweep: true });
    return paused
      ? `:pause_button: Paused #${binding.id} ${binding.path}. Its data is kept; ClickUp deliveries for it are dropped until you resume.`
      : `:arrow_forward: Resumed #${binding.id} ${binding.path}.`;
  };

  adminButton("binding_pause", "pause bindings", (c) => setPaused(c.binding, true));
  adminButton("binding_resume", "resume bindings", (c) => setPaused(c.binding, false));

  for (const [actionId, deleteData] of [
    ["binding_unbind", false],
    ["binding_unbind_delete", true],
  ] as const) {
    adminButton(actionId, "unbind", async ({ teamId, binding, userId }) => {
      const counts = await bindingDataCounts(db, binding.id);
      const connection = await findConnection(db, teamId);
      const clickup = connection ? services.clickup(services.sealer.open(connection.tokenSealed)) : undefined;
      const webhookNote = await unbindBinding(db, clickup, binding.id, deleteData, new Date(services.now()));
      services.logger.info({ bindingId: binding.id, deleteData, by: userId }, "binding unbound");
      return deleteData
        ? `:wastebasket: Unbound #${binding.id} ${binding.path} and deleted ${counts.tasks} tracked task(s), ${counts.transitions} status change(s), ${counts.rework} rework event(s) and ${counts.comments} comment sentiment score(s). ${webhookNote}`
        : `:heavy_minus_sign: Unbound #${binding.id} ${binding.path}. Syncing stopped; its flow data stays. ${webhookNote}`;
    });
  }

  const startBackfill = async (
    teamId: string,
    channelId: string,
    binding: BindingRow,
    userId: string,
  ): Promise<string> => {
    if (binding.syncStatus === "paused")
      return `#${binding.id} ${binding.path} is paused: \`/flow resume ${binding.id}\` first.`;
    const connection = await findConnection(db, teamId);
    if (!connection?.moduleEnabled)
      return "The ClickUp module is off (or ClickUp is not connected): nothing syncs until `/flow module on`.";
    await enqueueBackfill(services.database, binding.id, { channelId, userId });
    return `:arrows_counterclockwise: Backfill of #${binding.id} ${binding.path} queued. \`/flow bindings\` shows its progress and result.`;
  };

  adminButton("binding_backfill", "start a backfill", (c) =>
    startBackfill(c.teamId, c.channelId, c.binding, c.userId),
  );

  const unbindCommand = (name: "unbind" | "unbind-data", deleteData: boolean): Subcommand => ({
    name,
    usage: `/flow ${name} <binding>`,
    summary: deleteData
      ? "unbind and permanently delete that binding's flow data (asks first)"
      : "stop syncing a binding and keep its flow data (asks first)",
    access: admin(`run \`/flow ${name}\``),
    async run({ ack, args, command, access }) {
      const rows = await listBindings(db, access.teamId, command.channel_id);
      const binding = args.length ? matchBinding(rows, args.join(" ")) : undefined;
      if (!binding) {
        await ack({
          response_type: "ephemeral",
          text: rows.length
            ? `Say which binding: \`/flow ${name} <number, ClickUp id or name>\`. This channel has: ${rows.map((b) => `#${b.id} ${b.name} (${b.containerId})`).join(", ")}.`
            : "This channel binds nothing yet.",
        });
        return;
      }
      const buttons = unbindButtons(binding, await bindingDataCounts(db, binding.id)).filter(
        (b) => b.action_id === (deleteData ? "binding_unbind_delete" : "binding_unbind"),
      );
      await ack({
        response_type: "ephemeral",
        text: `Unbind #${binding.id} ${binding.path}?`,
        blocks: [
          { type: "section", text: { type: "mrkdwn", text: `Unbind *#${binding.id} ${binding.path}*?` } },
          { type: "actions", elements: buttons },
        ],
      });
    },
  });

  const pauseCommand = (name: "pause" | "resume", paused: boolean): Subcommand => ({
    name,
    usage: `/flow ${name} <binding>`,
    summary: paused ? "stop syncing a binding without losing its data" : "restart syncing a paused binding",
    access: admin(`run \`/flow ${name}\``),
    async run({ ack, args, command, access }) {
      if (!args.length) {
        await ack({
          response_type: "ephemeral",
          text: `Say which binding: \`/flow ${name} <number, ClickUp id or name>\` — see \`/flow bindings\`.`,
        });
        return;
      }
      const binding = await findBinding(access.teamId, command.channel_id, args.join(" "));
      await ack({
        response_type: "ephemeral",
        text: typeof binding === "string" ? binding : await setPaused(binding, paused),
      });
    },
  });

  return [
    {
      name: "bindings",
      usage: "/flow bindings",
      summary: "list this channel's bindings with sync status, counts, last sync and actions",
      access: anyone(),
      async run({ ack, command, access }) {
        const connection = await findConnection(db, access.teamId);
        const rows = await listBindings(db, access.teamId, command.channel_id);
        const counts = new Map(
          await Promise.all(rows.map(async (b) => [b.id, await bindingDataCounts(db, b.id)] as const)),
        );
        const blocks = bindingsBlocks(rows, connection?.clickupTeamId ?? "", counts);
        await ack({
          response_type: "ephemeral",
          text: `${rows.length} binding(s) in this channel`,
          blocks: blocks.slice(0, 50),
        });
      },
    },
    pauseCommand("pause", true),
    pauseCommand("resume", false),
    {
      name: "backfill",
      usage: "/flow backfill <binding>",
      summary: "pull a binding's tasks from ClickUp again and re-check its webhook",
      access: admin("run `/flow backfill`"),
      async run({ ack, args, command, access }) {
        if (!args.length) {
          await ack({
            response_type: "ephemeral",
            text: "Say which binding: `/flow backfill <number, ClickUp id or name>` — see `/flow bindings`.",
          });
          return;
        }
        const binding = await findBinding(access.teamId, command.channel_id, args.join(" "));
        await ack({
          response_type: "ephemeral",
          text:
            typeof binding === "string"
              ? binding
              : await startBackfill(access.teamId, command.channel_id, binding, access.userId),
        });
      },
    },
    unbindCommand("unbind", false),
    unbindCommand("unbind-data", true),
  ];
}
