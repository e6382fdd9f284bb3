/** The latest instant a JavaScript Date holds (ms since the epoch); Postgres's timestamptz reaches further. */
const MAX_DATE_MS = 8.64e15;

/**
 * True for a ClickUp time (ms since the epoch) flowbot can store: finite, not before the epoch (ClickUp
 * has no earlier times, and Postgres refuses those before 4713 BC) and not past what a Date holds (a
 * `new Date` of it would be invalid and fail the write). Anything else in a payload is unreadable, never
 * a reason to fail the transaction that applies it.
 */
export function isStorableTime(ms: number): boolean {
  return Number.isFinite(ms) && ms >= 0 && ms <= MAX_DATE_MS;
}
