import type { SegmentFilter } from "../../flow/segments/resolve-segment.ts";
import { escapeMrkdwn } from "../views/mrkdwn.ts";

/** The longest report window: two years of history. */
const MAX_WINDOW_DAYS = 730;

const WINDOW_FORMS = "a number of days or weeks, e.g. `30d`, `90d` or `12w`";

type WindowChoice = { ok: true; days: number | null } | { ok: false; message: string };

/**
 * Reads the optional window argument of `/flow report`: `30d`, `12w` (also `30 d`, `30days`, `2 weeks`).
 * No argument → `days: null` (the project's own window).
 */
function parseWindow(args: readonly string[]): WindowChoice {
  const raw = args.join(" ").trim();
  if (raw === "") return { ok: true, days: null };
  const match = /^(\d{1,4})\s*(d|day|days|w|wk|wks|week|weeks)$/i.exec(raw);
  if (!match) {
    return {
      ok: false,
      message: `:warning: I can't read \`${clip(raw)}\` as a report window. Give ${WINDOW_FORMS} — for example \`/flow report 30d\` — or nothing for this channel's usual window.`,
    };
  }
  const n = Number(match[1]);
  const days = match[2]!.toLowerCase().startsWith("w") ? n * 7 : n;
  if (days < 1 || days > MAX_WINDOW_DAYS) {
    return {
      ok: false,
      message: `:warning: \`${clip(raw)}\` is ${days} days; a report window must be from 1 day to ${MAX_WINDOW_DAYS} days (${Math.floor(MAX_WINDOW_DAYS / 7)}w). Try \`/flow report 90d\`.`,
    };
  }
  return { ok: true, days };
}

export type ReportArgs =
  | { ok: true; days: number | null; segment: SegmentFilter | null }
  | { ok: false; message: string };

const QUOTES = /^["'“”‘’]+|["'“”‘’]+$/g;

/**
 * Reads `/flow report [window] [dimension:]value` (docs/flow-metrics.md §7): an optional window (first, or
 * last), then an optional segment filter — `type:Bug`, `priority:urgent`, or a bare value for the
 * project's dimension. A value may hold spaces (`type:User story`); quotes around either part are dropped.
 * Something that starts with a digit and is no window is read as a mistyped window, not a value.
 */
export function parseReportArgs(args: readonly string[]): ReportArgs {
  const words = args.filter((w) => w.trim() !== "");
  let days: number | null = null;
  let rest = words;
  const windowAt = (from: number, to: number) => {
    const w = parseWindow(words.slice(from, to));
    return w.ok && w.days !== null ? w.days : null;
  };
  for (const k of [2, 1]) {
    if (words.length < k) continue;
    const head = windowAt(0, k);
    if (head !== null) {
      days = head;
      rest = words.slice(k);
      break;
    }
    const tail = words.length > k ? windowAt(words.length - k, words.length) : null;
    if (tail !== null) {
      days = tail;
      rest = words.slice(0, words.length - k);
      break;
    }
  }
  const text = rest.join(" ").trim();
  if (text === "") return { ok: true, days, segment: null };
  const colon = text.indexOf(":");
  if (colon < 0 && days === null && /^\d/.test(text)) {
    const w = parseWindow(rest);
    return w.ok ? { ok: true, days: w.days, segment: null } : w;
  }
  const dimension = colon < 0 ? "" : text.slice(0, colon).replace(QUOTES, "").trim();
  const value = (colon < 0 ? text : text.slice(colon + 1)).replace(QUOTES, "").trim();
  if (value === "") {
    return {
      ok: false,
      message: `:warning: \`${clip(text)}\` names no value. Give one after the colon, e.g. \`/flow report 90d type:Bug\` or \`/flow report priority:urgent\`.`,
    };
  }
  return { ok: true, days, segment: { dimension: dimension === "" ? null : dimension, value } };
}

function clip(text: string): string {
  const plain = text.replace(/`/g, "'");
  // Escaped after clipping: Slack reads `<!channel>` as a mention even inside backticks.
  return escapeMrkdwn(plain.length > 40 ? `${plain.slice(0, 39)}…` : plain);
}
