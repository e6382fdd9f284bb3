import type { WebClient } from "@slack/web-api";
import type { Subcommand } from "../commands/subcommand.ts";

/** The App Home tab. Until projects exist it explains how to start; later issues add the Flow page. */
export async function publishHome(
  client: WebClient,
  userId: string,
  subcommands: Subcommand[],
): Promise<void> {
  await client.views.publish({
    user_id: userId,
    view: {
      type: "home",
      blocks: [
        { type: "header", text: { type: "plain_text", text: "flowbot" } },
        {
          type: "section",
          text: {
            type: "mrkdwn",
            text: "Flow metrics from how your ClickUp work moves through its statuses. Type `/flow` in a channel to start.",
          },
        },
        { type: "divider" },
        {
          type: "section",
          text: {
            type: "mrkdwn",
            text: subcommands.map((s) => `• \`${s.usage}\` — ${s.summary}`).join("\n"),
          },
        },
      ],
    },
  });
}
