import { eq } from "drizzle-orm";
import { connections } from "../../../db/schema.ts";
import { findConnection } from "../../connection/connection-store.ts";
import { enqueueReconcile } from "../../sync/reconcile/enqueue-reconcile.ts";
import { admin } from "../access/rules.ts";
import type { Subcommand } from "../commands/subcommand.ts";
import type { SlackServices } from "../slack-services.ts";

/** `/flow module off|on`: stop or restart all syncing for the workspace; data is always kept. */
export function moduleSubcommand(services: SlackServices): Subcommand {
  return {
    name: "module",
    usage: "/flow module off|on",
    summary: "turn the ClickUp module off (data kept, no syncing) or back on",
    access: admin("run `/flow module`"),
    async run({ ack, args, access }) {
      const wanted = args[0]?.toLowerCase();
      if (wanted !== "on" && wanted !== "off") {
        await ack({
          response_type: "ephemeral",
          text: `Say \`/flow module off\` or \`/flow module on\`${args[0] ? ` (not \`${args[0]}\`)` : ""}.`,
        });
        return;
      }
      const { db } = services.database;
      const connection = await findConnection(db, access.teamId);
      if (!connection) {
        await ack({
          response_type: "ephemeral",
          text: "ClickUp is not connected yet: run `/flow connect` first.",
        });
        return;
      }
      const enabled = wanted === "on";
      await db.update(connections).set({ moduleEnabled: enabled }).where(eq(connections.id, connection.id));
      // Nothing synced while off: one full reconcile of every synced binding catches up.
      if (enabled) await enqueueReconcile(services.database.sql, { slackTeamId: access.teamId, sweep: true });
      services.logger.info(
        { slackTeamId: access.teamId, enabled, by: access.userId },
        "ClickUp module switched",
      );
      await ack({
        response_type: "ephemeral",
        text: enabled
          ? ":arrow_forward: The ClickUp module is on: syncing resumes."
          : ":pause_button: The ClickUp module is off. All data is kept; webhook deliveries are acknowledged and dropped and no sync jobs run until `/flow module on`.",
      });
    },
  };
}
