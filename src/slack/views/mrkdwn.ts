import { formatDays } from "../../flow/format-days.ts";
import { clip } from "./block-kit.ts";

/** Text helpers for the Flow view's Slack messages. */

/** Days as the Flow view writes them (src/flow/format-days.ts), "–" when unknown. */
export function days(value: number | null | undefined): string {
  return value === null || value === undefined ? "–" : formatDays(value);
}

export function percent(value: number | null | undefined): string {
  if (value === null || value === undefined) return "–";
  return `${Math.round(value * 100)}%`;
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
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
