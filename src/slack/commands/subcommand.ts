import type { AckFn, RespondArguments, RespondFn, SlashCommand } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import type { Access } from "../access/check-access.ts";
import type { Rule } from "../access/rules.ts";
import type { SlackServices } from "../slack-services.ts";

type SubcommandContext = {
  /** Words after the subcommand name, e.g. ["30d"] for `/flow report 30d`. */
  args: string[];
  command: SlashCommand;
  /** What the guard checked: the installation's team and the user, for this command's rule. */
  access: Access;
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
  /** Who may run it; enforced before `run` (see access/slack-routes.ts). */
  access: Rule;
  /**
   * A stricter rule for some of its forms, chosen from the words after the name (e.g. `/flow forecast
   * track`, admins only); absent or undefined: `access`. Enforced by the same guard, before `run`.
   */
  accessFor?(args: readonly string[]): Rule | undefined;
  run(ctx: SubcommandContext): Promise<void>;
};
