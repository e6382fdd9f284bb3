import type { Subcommand } from "./subcommand.ts";

/**
 * The `/flow` subcommands. Each capability registers its own here; `help` and "did you mean"
 * read this same list, so help never drifts from what works.
 */
export class CommandRegistry {
  readonly #byName = new Map<string, Subcommand>();

  register(...subcommands: Subcommand[]): this {
    for (const subcommand of subcommands) {
      if (this.#byName.has(subcommand.name)) throw new Error(`/flow ${subcommand.name} is registered twice`);
      this.#byName.set(subcommand.name, subcommand);
    }
    return this;
  }

  get(name: string): Subcommand | undefined {
    return this.#byName.get(name.toLowerCase());
  }

  list(): Subcommand[] {
    return [...this.#byName.values()];
  }
}
