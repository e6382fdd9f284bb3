import type { App } from "@slack/bolt";
import type { Subcommand } from "../../slack/commands/subcommand.ts";
import type { SlackServices } from "../../slack/slack-services.ts";

/** `/flow report` and the Flow view's Slack actions. */
export function reportSubcommands(_app: App, _services: SlackServices): Subcommand[] {
  return [];
}
