import type { RespondArguments } from "@slack/bolt";
import type { Subcommand } from "./subcommand.ts";

/** The ephemeral help message: one line per subcommand that exists, admin ones marked. */
export function renderHelp(subcommands: readonly Subcommand[], preface?: string): RespondArguments {
  const lines = subcommands.map(
    (s) => `• \`${s.usage}\` — ${s.summary}${s.access.who === "admin" ? " _(admins)_" : ""}`,
  );
  const text = [preface, "*flowbot* — what `/flow` can do:", ...lines].filter(Boolean).join("\n");
  return {
    response_type: "ephemeral",
    text,
    blocks: [
      ...(preface ? [{ type: "section" as const, text: { type: "mrkdwn" as const, text: preface } }] : []),
      {
        type: "section",
        text: { type: "mrkdwn", text: ["*flowbot* — what `/flow` can do:", ...lines].join("\n") },
      },
    ],
  };
}

/** The closest known subcommand names to a mistyped one (edit distance ≤ 2, or a shared prefix). */
export function suggestSubcommands(typed: string, names: readonly string[]): string[] {
  const word = typed.toLowerCase();
  return names
    .map((name) => ({ name, distance: editDistance(word, name) }))
    .filter(({ name, distance }) => distance <= 2 || (word.length >= 3 && name.startsWith(word)))
    .sort((a, b) => a.distance - b.distance)
    .map(({ name }) => name);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}
