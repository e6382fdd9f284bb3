/*
 * Blackout dates as an admin types them (docs/flow-metrics.md §11): `YYYY-MM-DD` or an inclusive range
 * `YYYY-MM-DD..YYYY-MM-DD`, one per line or comma-separated. Anything else is refused, naming the entry.
 */

/** The longest range accepted: a typo such as 2026..2062 should not list decades of dates. */
const MAX_RANGE_DAYS = 366;

export type BlackoutsParse = { ok: true; entries: string[]; dates: string[] } | { ok: false; error: string };

const DAY_MS = 86_400_000;

/** The UTC midnight of a real calendar date `YYYY-MM-DD`, or null (malformed, or e.g. 2026-02-30). */
function dayOf(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return t;
}

const isoOf = (t: number) => new Date(t).toISOString().slice(0, 10);

export function parseBlackouts(text: string): BlackoutsParse {
  const entries: string[] = [];
  const dates = new Set<string>();
  for (const raw of text.split(/[\n,]/)) {
    const entry = raw.trim();
    if (entry === "") continue;
    const [first, last, ...rest] = entry.split("..").map((p) => p.trim());
    const from = dayOf(first ?? "");
    const to = last === undefined ? from : dayOf(last);
    if (rest.length > 0 || from === null || to === null) {
      return {
        ok: false,
        error: `"${entry}" is not a date (YYYY-MM-DD) or a range (YYYY-MM-DD..YYYY-MM-DD).`,
      };
    }
    if (to < from) return { ok: false, error: `"${entry}" ends before it starts.` };
    if ((to - from) / DAY_MS >= MAX_RANGE_DAYS) {
      return { ok: false, error: `"${entry}" is longer than ${MAX_RANGE_DAYS} days.` };
    }
    entries.push(last === undefined ? isoOf(from) : `${isoOf(from)}..${isoOf(to)}`);
    for (let t = from; t <= to; t += DAY_MS) dates.add(isoOf(t));
  }
  return { ok: true, entries, dates: [...dates].sort() };
}
