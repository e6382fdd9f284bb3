import { anyone } from "../access/rules.ts";
import { renderHelp } from "./render-help.ts";
import type { Subcommand } from "./subcommand.ts";

/** `/flow help`: the list of subcommands, answered in the slash command's own HTTP response. */
export function helpSubcommand(list: () => Subcommand[]): Subcommand {
  return {
    name: "help",
    usage: "/flow help",
    summary: "show this list",
    access: anyone(),
    async run({ ack }) {
      await ack(renderHelp(list()));
    },
  };
}
