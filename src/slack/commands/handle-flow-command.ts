import type { App } from "@slack/bolt";
import type { SlackServices } from "../slack-services.ts";
import type { CommandRegistry } from "./command-registry.ts";
import { renderHelp, suggestSubcommands } from "./render-help.ts";

/** Wires `/flow <subcommand> [args]` to the registry; `/flow` alone is help. */
export function handleFlowCommand(app: App, registry: CommandRegistry, services: SlackServices): void {
  app.command("/flow", async ({ command, ack, respond, client }) => {
    const [first = "help", ...args] = command.text.trim().split(/\s+/).filter(Boolean);
    const subcommand = registry.get(first);
    if (!subcommand) {
      const names = registry.list().map((s) => s.name);
      const guesses = suggestSubcommands(first, names);
      const preface = `:thinking_face: \`/flow ${first}\` is not a flowbot command.${
        guesses.length ? ` Did you mean ${guesses.map((g) => `\`/flow ${g}\``).join(" or ")}?` : ""
      }`;
      await ack(renderHelp(registry.list(), preface));
      return;
    }
    if (subcommand.adminOnly && !(await services.isAdmin(command.team_id, command.user_id))) {
      await ack({
        response_type: "ephemeral",
        text: `:lock: \`${subcommand.usage}\` is for flowbot admins: Slack workspace admins and owners${
          services.configuredAdmins.length ? ", and the users named in FLOWBOT_ADMINS" : ""
        }. Ask one of them to run it.`,
      });
      return;
    }
    await subcommand.run({ args, command, ack, respond, client, services });
  });
}
