import type { App } from "@slack/bolt";
import type { Subcommand } from "../../slack/commands/subcommand.ts";
import type { SlackServices } from "../../slack/slack-services.ts";
import { settingsSubcommand } from "../settings/settings-subcommand.ts";

/** `/flow settings`, `/flow digest now` and the digest's buttons (snooze). */
export function digestSubcommands(app: App, services: SlackServices): Subcommand[] {
  return [settingsSubcommand(app, services)];
}
