import { enqueueDigest } from "../../flow/digest/enqueue-digest.ts";
import { findProject } from "../../flow/settings/project-settings.ts";
import { admin } from "../access/rules.ts";
import type { SlackRoutes } from "../access/slack-routes.ts";
import type { Subcommand } from "../commands/subcommand.ts";
import type { SlackServices } from "../slack-services.ts";
import { registerSnoozeActions } from "./snooze-actions.ts";

/** `/flow digest now` and the digest's buttons (snooze). */
export function digestSubcommands(routes: SlackRoutes, services: SlackServices): Subcommand[] {
  registerSnoozeActions(routes, services);
  return [digestNowSubcommand(services)];
}

/**
 * `/flow digest now` (admins): posts this channel's digest at once, through the same job as the schedule
 * — it claims a digest run for this instant and marks what it alerts, so the next scheduled digest does
 * not repeat it. The admin hears back ephemerally, also when there was nothing to report.
 */
function digestNowSubcommand(services: SlackServices): Subcommand {
  return {
    name: "digest",
    usage: "/flow digest now",
    summary: "post this channel's flow digest now",
    access: admin("run `/flow digest now`"),
    async run({ ack, args, command, access }) {
      if (args[0]?.toLowerCase() !== "now") {
        await ack({
          response_type: "ephemeral",
          text: "Did you mean `/flow digest now`? It posts this channel's digest immediately; the schedule is in `/flow settings`.",
        });
        return;
      }
      const project = await findProject(services.database.db, access.teamId, command.channel_id);
      if (!project) {
        await ack({
          response_type: "ephemeral",
          text: "This channel is not a flowbot project yet. Bind a ClickUp list here with `/flow bind` first.",
        });
        return;
      }
      const queued = await enqueueDigest(services.database.sql, project.id, new Date(services.now()), {
        userId: access.userId,
        channelId: command.channel_id,
      });
      if (!queued) {
        await ack({ response_type: "ephemeral", text: "A digest for this project is already on its way." });
        return;
      }
      await ack({
        response_type: "ephemeral",
        text: `:hourglass_flowing_sand: Building the flow digest for <#${project.channelId}>; it goes to <#${project.digestChannelId ?? project.channelId}>.`,
      });
    },
  };
}
