/** The longest report window: two years of history. */
const MAX_WINDOW_DAYS = 730;

const WINDOW_FORMS = "a number of days or weeks, e.g. `30d`, `90d` or `12w`";

export type WindowChoice = { ok: true; days: number | null } | { ok: false; message: string };

/**
 * Reads the optional window argument of `/flow report`: `30d`, `12w` (also `30 d`, `30days`, `2 weeks`).
 * No argument → `days: null` (the project's own window).
 */
export function parseWindow(args: readonly string[]): WindowChoice {
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

function clip(text: string): string {
  const plain = text.replace(/`/g, "'");
  return plain.length > 40 ? `${plain.slice(0, 39)}…` : plain;
}
