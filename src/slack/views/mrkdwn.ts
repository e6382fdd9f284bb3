/** Text helpers for the Flow view's Slack messages. */

/** Days with one decimal below 10 and whole days above, e.g. "3.2 d", "14 d". */
export function days(value: number | null | undefined): string {
  if (value === null || value === undefined) return "–";
  return value >= 10 ? `${Math.round(value)} d` : `${Math.round(value * 10) / 10} d`;
}

export function percent(value: number | null | undefined): string {
  if (value === null || value === undefined) return "–";
  return `${Math.round(value * 100)}%`;
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A mrkdwn link with escaped, clipped text; plain text when the URL is not http(s). */
export function link(url: string, text: string, max = 70): string {
  const label = escapeMrkdwn(clip(text.replace(/\s+/g, " ").trim() || "(untitled)", max));
  return /^https?:\/\//.test(url) ? `<${url.replace(/[<>|]/g, "")}|${label}>` : label;
}

export function dateFormatter(timeZone: string, withYear = false): (date: Date) => string {
  const format = new Intl.DateTimeFormat("en-GB", {
    day: "numeric",
    month: "short",
    ...(withYear ? { year: "numeric" } : {}),
    timeZone,
  });
  return (date) => format.format(date);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
