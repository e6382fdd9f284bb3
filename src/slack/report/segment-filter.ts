import type { Sql } from "postgres";
import type { SegmentScope } from "../../flow/metrics/segments-scope.ts";
import {
  resolveSegment,
  type SegmentFilter,
  type SegmentResolution,
} from "../../flow/segments/resolve-segment.ts";
import { clip } from "../views/block-kit.ts";
import { escapeMrkdwn, plural } from "../views/mrkdwn.ts";

/** Values listed when a typed one matches none; the rest are counted. */
const VALUES_LISTED = 25;

type Problem = Exclude<SegmentResolution, { ok: true }>;

export type ResolvedFilter =
  | { ok: true; segment: { scope: SegmentScope; filter: SegmentFilter } }
  | { ok: false; resolution: Problem; filter: SegmentFilter };

/** A typed `[dimension:]value` resolved for the project, or what is wrong with it. */
export async function resolveFilter(
  sql: Sql,
  projectId: number,
  filter: SegmentFilter,
): Promise<ResolvedFilter> {
  const resolution = await resolveSegment(sql, projectId, filter);
  return resolution.ok
    ? { ok: true, segment: { scope: resolution.scope, filter } }
    : { ok: false, resolution, filter };
}

/** Inline code that survives any text: backticks become quotes. */
// Escaped: Slack reads `<!channel>` as a mention even inside backticks.
const code = (text: string, max = 60) => `\`${escapeMrkdwn(clip(text.replace(/`/g, "'"), max))}\``;

/** What to answer (ephemerally) when a filter names no segment: the dimensions or values that exist. */
export function filterProblemText(problem: ResolvedFilter & { ok: false }, windowDays: number): string {
  const { resolution, filter } = problem;
  const typed = filter.dimension === null ? filter.value : `${filter.dimension}:${filter.value}`;
  switch (resolution.problem) {
    case "no_dimension":
      return `:warning: I can't read ${code(typed)} as a report window, and this channel has no segment dimension to look it up in. Give a window — e.g. \`30d\`, \`90d\` or \`12w\` — or name the dimension, e.g. \`/flow report 90d type:Bug\` or \`/flow report priority:urgent\`. A flowbot admin picks the channel's dimension with \`/flow settings segments\`.`;
    case "unknown_dimension":
      return `:warning: ${code(resolution.named)} is not something this channel's tasks can be segmented by. Use one of ${resolution.dimensions
        .slice(0, VALUES_LISTED)
        .map((d) => code(d, 40))
        .join(", ")} — e.g. \`/flow report ${windowDays}d type:Bug\`.`;
    case "unknown_value": {
      const prefix = filter.dimension === null ? "" : `${filter.dimension}:`;
      const listed = resolution.values.slice(0, VALUES_LISTED);
      const lines = listed.map((v) => `• ${code(`${prefix}${v.value}`)} — ${plural(v.cases, "task")}`);
      const more = resolution.values.length - listed.length;
      if (more > 0) lines.push(`…and ${plural(more, "more value")}`);
      const values =
        lines.length > 0
          ? `The values its tasks hold now:\n${lines.join("\n")}`
          : "No task of this channel holds any value of it yet.";
      const first = listed[0];
      const example = first
        ? `\nFor example ${code(`/flow report ${windowDays}d ${prefix}${first.value}`, 120)}.`
        : "";
      return clip(
        `:mag: No task of this channel has ${code(filter.value)} as its ${escapeMrkdwn(clip(resolution.title, 60))} now. ${values}${example}${resolution.note ? `\n${resolution.note}` : ""}`,
        3000,
      );
    }
  }
}
