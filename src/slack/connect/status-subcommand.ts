import { bindingsByStatus, findConnection, recentErrors } from "../../connection/connection-store.ts";
import { anyone } from "../access/rules.ts";
import type { Subcommand } from "../commands/subcommand.ts";
import type { SlackServices } from "../slack-services.ts";

const labels: Record<string, string> = {
  not_synced: "not synced",
  synced: "synced",
  paused: "paused",
  error: "error",
};

/** `/flow status`: the connection at a glance. Anyone may read it; no secret is ever shown. */
export function statusSubcommand(services: SlackServices): Subcommand {
  return {
    name: "status",
    usage: "/flow status",
    summary: "show the ClickUp connection, rate limit, module state, bindings and recent errors",
    access: anyone(),
    async run({ ack, access }) {
      const { db } = services.database;
      const connection = await findConnection(db, access.teamId);
      if (!connection) {
        await ack({
          response_type: "ephemeral",
          text: "ClickUp is not connected. A Slack workspace admin can connect it with `/flow connect`.",
        });
        return;
      }
      const [byStatus, errors] = await Promise.all([
        bindingsByStatus(db, access.teamId),
        recentErrors(db, access.teamId),
      ]);
      const bindingLine = Object.keys(byStatus).length
        ? Object.entries(byStatus)
            .map(([s, n]) => `${n} ${labels[s] ?? s}`)
            .join(", ")
        : "none yet — run `/flow bind` in a project channel";
      const at = Math.floor(connection.connectedAt.getTime() / 1000);
      const lines = [
        `*ClickUp workspace:* ${connection.clickupTeamName} (${connection.clickupTeamId})`,
        `*Token:* \`pk_…${connection.tokenLast4}\` of ${connection.tokenOwnerName}, connected by <@${connection.connectedBy}> <!date^${at}^{date_short_pretty} {time}|${connection.connectedAt.toISOString()}>`,
        `*Rate limit:* ${connection.rateLimitPerMin ? `${connection.rateLimitPerMin} requests/min (reported by ClickUp)` : "not observed yet"}`,
        `*Module:* ${connection.moduleEnabled ? "on" : "off — nothing syncs until an admin runs `/flow module on`"}`,
        `*Bindings:* ${bindingLine}`,
        errors.length
          ? `*Recent errors:*\n${errors.map((e) => `• ${e.occurredAt.toISOString().slice(0, 16)}Z ${e.code}: ${e.message}`).join("\n")}`
          : "*Recent errors:* none",
      ];
      await ack({ response_type: "ephemeral", text: lines.join("\n") });
    },
  };
}
