import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import type { KnownBlock } from "@slack/types";
import { eq } from "drizzle-orm";
import { bindings } from "../../../db/schema.ts";
import { containerUrl } from "../../bindings/container.ts";
import { type BindingRow, listBindings, matchBinding } from "../../bindings/list-bindings.ts";
import { findConnection } from "../../connection/connection-store.ts";
import type { Subcommand } from "../commands/subcommand.ts";
import type { SlackServices } from "../slack-services.ts";

const statusLabel = { not_synced: "not synced", synced: "synced", paused: "paused", error: "error" } as const;

/** Block Kit rows for the bindings table, one section + action buttons per binding. */
export function bindingsBlocks(rows: BindingRow[], teamId: string): KnownBlock[] {
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
          `Status: *${statusLabel[b.syncStatus]}*${b.syncStatus === "error" && b.errorReason ? ` — ${b.errorReason}` : ""} · ${b.tasks} task(s) tracked · last sync ${b.lastSyncedAt ? b.lastSyncedAt.toISOString().slice(0, 16).replace("T", " ") + " UTC" : "never"} · webhook ${b.webhookHealth ?? "none"}`,
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
      ],
    },
  ]);
}

/** `/flow bindings`, `/flow pause <binding>` and `/flow resume <binding>`, and the matching buttons. */
export function bindingsSubcommands(app: App, services: SlackServices): Subcommand[] {
  const { db } = services.database;

  const setPaused = async (
    teamId: string,
    channelId: string,
    ref: string,
    paused: boolean,
  ): Promise<string> => {
    const rows = await listBindings(db, teamId, channelId);
    const binding = matchBinding(rows, ref);
    if (!binding) {
      return rows.length
        ? `No binding \`${ref}\` in this channel. Use a number, ClickUp id or name from \`/flow bindings\`: ${rows.map((b) => `#${b.id} ${b.name} (${b.containerId})`).join(", ")}.`
        : "This channel binds nothing yet: `/flow bind` first.";
    }
    if (paused && binding.syncStatus === "paused") return `#${binding.id} ${binding.path} is already paused.`;
    if (!paused && binding.syncStatus !== "paused")
      return `#${binding.id} ${binding.path} is not paused (it is ${statusLabel[binding.syncStatus]}).`;
    // Resume returns to "synced" only if it had synced; otherwise it still needs its backfill.
    const next = paused ? "paused" : binding.lastSyncedAt ? "synced" : "not_synced";
    await db.update(bindings).set({ syncStatus: next }).where(eq(bindings.id, binding.id));
    services.logger.info({ bindingId: binding.id, paused }, paused ? "binding paused" : "binding resumed");
    return paused
      ? `:pause_button: Paused #${binding.id} ${binding.path}. Its data is kept; ClickUp deliveries for it are dropped until you resume.`
      : `:arrow_forward: Resumed #${binding.id} ${binding.path}.`;
  };

  for (const [actionId, paused] of [
    ["binding_pause", true],
    ["binding_resume", false],
  ] as const) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, respond }) => {
      await ack();
      const teamId = body.team?.id ?? body.user.team_id ?? "";
      if (!(await services.isAdmin(teamId, body.user.id))) {
        await respond({
          response_type: "ephemeral",
          replace_original: false,
          text: ":lock: Only flowbot admins (Slack workspace admins and owners) can pause or resume bindings.",
        });
        return;
      }
      const text = await setPaused(teamId, body.channel?.id ?? "", action.value ?? "", paused);
      await respond({ response_type: "ephemeral", replace_original: false, text });
    });
  }

  const pauseCommand = (name: "pause" | "resume", paused: boolean): Subcommand => ({
    name,
    usage: `/flow ${name} <binding>`,
    summary: paused ? "stop syncing a binding without losing its data" : "restart syncing a paused binding",
    adminOnly: true,
    async run({ ack, args, command }) {
      if (!args.length) {
        await ack({
          response_type: "ephemeral",
          text: `Say which binding: \`/flow ${name} <number, ClickUp id or name>\` — see \`/flow bindings\`.`,
        });
        return;
      }
      await ack({
        response_type: "ephemeral",
        text: await setPaused(command.team_id, command.channel_id, args.join(" "), paused),
      });
    },
  });

  return [
    {
      name: "bindings",
      usage: "/flow bindings",
      summary: "list this channel's bindings with sync status, counts, last sync and actions",
      async run({ ack, command }) {
        const connection = await findConnection(db, command.team_id);
        const rows = await listBindings(db, command.team_id, command.channel_id);
        const blocks = bindingsBlocks(rows, connection?.clickupTeamId ?? "");
        await ack({
          response_type: "ephemeral",
          text: `${rows.length} binding(s) in this channel`,
          blocks: blocks.slice(0, 50),
        });
      },
    },
    pauseCommand("pause", true),
    pauseCommand("resume", false),
  ];
}
