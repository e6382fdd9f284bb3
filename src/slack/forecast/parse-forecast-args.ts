import { dayNumber } from "../../flow/forecast/local-dates.ts";
import { escapeMrkdwn } from "../views/mrkdwn.ts";

/*
 * The words after `/flow forecast` (docs/flow-metrics.md §12): which question, its date or N, an optional
 * history window (`8w`, `60d`) and the set or segment it is about. Only the shape is read here; dates are
 * checked against today and sets against the project by the caller.
 */

/** The longest history window: two years (§12.1). */
const MAX_HISTORY_DAYS = 728;
/** The largest N of `when N`: more would be a forecast for a different team. */
const MAX_TARGET = 100_000;

export type ForecastArgs =
  | { ok: true; kind: "how-many"; by: string | null; historyDays: number | null; set: string | null }
  | { ok: true; kind: "when"; target: number; historyDays: number | null; set: string | null }
  | { ok: true; kind: "set"; set: string; historyDays: number | null }
  | { ok: true; kind: "track"; set: string; by: string }
  | { ok: true; kind: "list" }
  | { ok: true; kind: "untrack"; which: { id: number } | { set: string } }
  | { ok: false; message: string };

const FORECAST_USAGE = [
  "`/flow forecast how-many [by YYYY-MM-DD] [type:Bug]` — how many tasks will finish by the date",
  "`/flow forecast when N [type:Bug]` — by when N tasks will be finished",
  "`/flow forecast <list, folder, tag or segment value>` — when that set's open tasks will be done",
  "`/flow forecast track <set> by YYYY-MM-DD` _(admins)_ — re-run nightly and warn the channel when the chance drops",
  "`/flow forecast list` · `/flow forecast untrack <id or set>` _(admins)_",
].join("\n");

// Escaped as well as clipped: Slack reads `<!channel>` as a mention even inside backticks.
const code = (text: string) => `\`${escapeMrkdwn(text.replace(/`/g, "'").slice(0, 40))}\``;

/** A real calendar date `YYYY-MM-DD`, or null. */
function readDate(text: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  const day = dayNumber(text);
  return Number.isFinite(day) && new Date(day * 86_400_000).toISOString().slice(0, 10) === text ? text : null;
}

function readHistory(word: string): number | null | "bad" {
  const m = /^(\d{1,4})(d|w)$/i.exec(word);
  if (!m) return null;
  const days = Number(m[1]) * (m[2]!.toLowerCase() === "w" ? 7 : 1);
  return days < 7 || days > MAX_HISTORY_DAYS ? "bad" : days;
}

const historyProblem = (word: string) =>
  `:warning: ${code(word)} is outside the history windows a forecast reads: from \`1w\` (7 days) to \`104w\` (${MAX_HISTORY_DAYS} days). Leave it out for the last 12 weeks.`;

/** Takes `by DATE` and a history window out of the words; what is left is the set. */
function options(words: string[], dateRequired: boolean) {
  let by: string | null = null;
  let historyDays: number | null = null;
  const rest: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w.toLowerCase() === "by") {
      const next = words[i + 1];
      const date = next === undefined ? null : readDate(next);
      if (!date) {
        return {
          ok: false as const,
          message: `:warning: ${next === undefined ? "`by` needs a date after it" : `${code(next)} is not a date`}: write it as \`YYYY-MM-DD\`, e.g. \`by 2027-01-15\`.`,
        };
      }
      by = date;
      i++;
      continue;
    }
    const h = readHistory(w);
    if (h === "bad") return { ok: false as const, message: historyProblem(w) };
    if (h !== null) {
      historyDays = h;
      continue;
    }
    rest.push(w);
  }
  if (dateRequired && by === null) {
    return { ok: false as const, message: "" };
  }
  const set = rest
    .join(" ")
    .replace(/^["'“”‘’]+|["'“”‘’]+$/g, "")
    .trim();
  return { ok: true as const, by, historyDays, set: set === "" ? null : set };
}

export function parseForecastArgs(args: readonly string[]): ForecastArgs {
  const words = args.filter((w) => w.trim() !== "");
  const [first, ...rest] = words;
  const verb = first?.toLowerCase();
  if (verb === undefined) {
    return { ok: false, message: `:crystal_ball: What should I forecast?\n${FORECAST_USAGE}` };
  }
  if (verb === "how-many" || verb === "howmany" || verb === "how_many") {
    const o = options(rest, false);
    return o.ok ? { ok: true, kind: "how-many", by: o.by, historyDays: o.historyDays, set: o.set } : o;
  }
  if (verb === "when") {
    const n = rest[0];
    if (n === undefined || !/^\d{1,6}$/.test(n) || Number(n) < 1 || Number(n) > MAX_TARGET) {
      return {
        ok: false,
        message: `:warning: ${n === undefined ? "`when` needs a number" : `${code(n)} is not a number of tasks`}: give a whole number from 1 to ${MAX_TARGET.toLocaleString("en-US")}, e.g. \`/flow forecast when 20\` or \`/flow forecast when 20 type:Bug\`.`,
      };
    }
    const o = options(rest.slice(1), false);
    if (!o.ok) return o;
    if (o.by !== null) {
      return {
        ok: false,
        message:
          "`when N` answers with dates, so it takes no `by`. For the chance of a date, use `/flow forecast how-many by YYYY-MM-DD` or track a set with `/flow forecast track <set> by YYYY-MM-DD`.",
      };
    }
    return { ok: true, kind: "when", target: Number(n), historyDays: o.historyDays, set: o.set };
  }
  if (verb === "track") {
    const o = options(rest, true);
    if (!o.ok || o.by === null || o.set === null) {
      return {
        ok: false,
        message:
          o.ok || o.message === ""
            ? ":warning: Name the set and the date: `/flow forecast track <list, folder, tag or segment value> by YYYY-MM-DD`, e.g. `/flow forecast track launch by 2027-01-15`."
            : o.message,
      };
    }
    return { ok: true, kind: "track", set: o.set, by: o.by };
  }
  if (verb === "list" && rest.length === 0) return { ok: true, kind: "list" };
  if (verb === "untrack") {
    const which = rest.join(" ").trim();
    if (which === "") {
      return {
        ok: false,
        message:
          ":warning: Say which: `/flow forecast untrack <id or set>`; `/flow forecast list` shows them.",
      };
    }
    const id = /^#?(\d{1,12})$/.exec(which);
    return { ok: true, kind: "untrack", which: id ? { id: Number(id[1]) } : { set: which } };
  }
  const o = options(words, false);
  if (!o.ok) return o;
  if (o.by !== null) {
    return {
      ok: false,
      message:
        "A set's forecast answers with dates, so it takes no `by`. To watch a date, track it: `/flow forecast track <set> by YYYY-MM-DD` (admins).",
    };
  }
  if (o.set === null)
    return { ok: false, message: `:crystal_ball: What should I forecast?\n${FORECAST_USAGE}` };
  return { ok: true, kind: "set", set: o.set, historyDays: o.historyDays };
}
