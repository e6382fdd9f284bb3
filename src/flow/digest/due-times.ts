import { tzOffset } from "@date-fns/tz";

/** When a project's digest is due: ISO weekdays (1 = Monday … 7 = Sunday) at a local "HH:MM". */
export type DigestSchedule = { timeZone: string; days: readonly number[]; time: string };

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** "HH:MM" (24-hour, 00:00–23:59) → minutes after midnight, or undefined when malformed. */
export function parseWallTime(time: string): number | undefined {
  const match = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(time.trim());
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

/** True for a time zone name the runtime's IANA database knows (e.g. "Europe/Berlin", "UTC"). */
export function isValidTimeZone(zone: string): boolean {
  if (zone.trim() === "" || zone !== zone.trim()) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The instant a local wall-clock time happens on a local calendar date in a zone. `wall` is that
 * date and time written as if it were UTC (Date.UTC(y, m, d, hh, mm)).
 * - A time that happens twice (clocks go back) resolves to its first occurrence, so it posts once.
 * - A time that does not exist (clocks go forward) resolves to the next valid instant: the moment
 *   the clocks jump.
 */
export function instantOfWallTime(timeZone: string, wall: number): number {
  const before = tzOffset(timeZone, new Date(wall - DAY));
  const after = tzOffset(timeZone, new Date(wall + DAY));
  const candidates = [wall - before * MINUTE, wall - after * MINUTE]
    .filter((t) => t + tzOffset(timeZone, new Date(t)) * MINUTE === wall)
    .sort((a, b) => a - b);
  if (candidates.length > 0) return candidates[0]!;
  // In the gap: the jump lies between these two instants; find it to the minute.
  let lo = Math.min(wall - before * MINUTE, wall - after * MINUTE);
  let hi = Math.max(wall - before * MINUTE, wall - after * MINUTE);
  const offsetAtLo = tzOffset(timeZone, new Date(lo));
  while (hi - lo > MINUTE) {
    const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
    if (tzOffset(timeZone, new Date(mid)) === offsetAtLo) lo = mid;
    else hi = mid;
  }
  return hi;
}

/**
 * Every instant in (from, to] at which the digest is due, oldest first. Days and times are read in
 * the schedule's zone, so a 09:00 digest stays at 09:00 local across daylight-saving changes.
 * @param from exclusive lower bound, ms since the epoch
 * @param to inclusive upper bound, ms since the epoch
 */
export function dueTimesBetween(schedule: DigestSchedule, from: number, to: number): Date[] {
  const minutes = parseWallTime(schedule.time);
  if (minutes === undefined || !isValidTimeZone(schedule.timeZone) || to <= from) return [];
  const days = new Set(schedule.days);
  // Local calendar dates that can hold a due instant in the window (offsets stay within ±1 day).
  const first = localMidnight(schedule.timeZone, from) - DAY;
  const last = localMidnight(schedule.timeZone, to) + DAY;
  const due: Date[] = [];
  for (let date = first; date <= last; date += DAY) {
    const isoWeekday = ((new Date(date).getUTCDay() + 6) % 7) + 1;
    if (!days.has(isoWeekday)) continue;
    const at = instantOfWallTime(schedule.timeZone, date + minutes * MINUTE);
    if (at > from && at <= to) due.push(new Date(at));
  }
  return due;
}

/** The local calendar date of an instant, as Date.UTC of that date's midnight. */
function localMidnight(timeZone: string, at: number): number {
  const local = at + tzOffset(timeZone, new Date(at)) * MINUTE;
  return Math.floor(local / DAY) * DAY;
}
