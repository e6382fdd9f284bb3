import type { SlashCommand } from "@slack/bolt";
import { anyone, type Rule } from "../access/rules.ts";
import type { SlackRoutes } from "../access/slack-routes.ts";
import type { SlackServices } from "../slack-services.ts";
import type { CommandRegistry } from "./command-registry.ts";
import { renderHelp, suggestSubcommands } from "./render-help.ts";

const words = (command: Pick<SlashCommand, "text">) => command.text.trim().split(/\s+/).filter(Boolean);

/**
 * Wires `/flow <subcommand> [args]` to the registry; `/flow` alone is help. The guard applies the
 * named subcommand's rule; an unknown name only gets help, which anyone may read.
 */
export function handleFlowCommand(
  routes: SlackRoutes,
  registry: CommandRegistry,
  services: SlackServices,
): void {
  const ruleOf = (command: SlashCommand): Rule => {
    const [name = "help", ...args] = words(command);
    const subcommand = registry.get(name);
    return subcommand ? (subcommand.accessFor?.(args) ?? subcommand.access) : anyone();
  };
  routes.command("/flow", ruleOf, async ({ command, ack, respond, client, access }) => {
    const [first = "help", ...args] = words(command);
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
    await subcommand.run({ args, command, access, ack, respond, client, services });
  });
}
