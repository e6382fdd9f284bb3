import type { AckFn, RespondArguments, RespondFn, SlashCommand } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import type { SlackServices } from "../slack-services.ts";

export type SubcommandContext = {
  /** Words after the subcommand name, e.g. ["30d"] for `/flow report 30d`. */
  args: string[];
  command: SlashCommand;
  ack: AckFn<string | RespondArguments>;
  respond: RespondFn;
  client: WebClient;
  services: SlackServices;
};

/** One `/flow <name>` subcommand. Help is generated from these, so it lists exactly what works. */
export type Subcommand = {
  name: string;
  /** Shown in help, e.g. "/flow report [30d|90d]". */
  usage: string;
  summary: string;
  /** Only Slack workspace admins/owners and FLOWBOT_ADMINS may run it. */
  adminOnly?: boolean;
  run(ctx: SubcommandContext): Promise<void>;
};
