import type { App } from "@slack/bolt";
import type { Subcommand } from "../../slack/commands/subcommand.ts";
import type { SlackServices } from "../../slack/slack-services.ts";

/** `/flow settings`, `/flow digest now` and the digest's buttons (snooze). */
export function digestSubcommands(_app: App, _services: SlackServices): Subcommand[] {
  return [];
}
