/*
 * Dates of a forecast (docs/flow-metrics.md §12.1–§12.2) as local dates `YYYY-MM-DD` of the project's
 * zone. The zone decides only which date today is; stepping from it is calendar arithmetic on dates, so a
 * daylight-saving change never moves a day. On the working-day clock only working dates count: Monday
 * to Friday, less the project's holidays and blackout dates (§11, its project_holidays list).
 */

const DAY_MS = 86_400_000;

/** Today's local date in `timeZone` at `now`. */
export function localDate(now: Date, timeZone: string): string {
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(now);
}

/** Days since 1970-01-01 of a `YYYY-MM-DD` date. */
export const dayNumber = (date: string): number => Date.parse(`${date}T00:00:00Z`) / DAY_MS;
const dateOfDay = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);
export const addDays = (date: string, days: number): string => dateOfDay(dayNumber(date) + days);

/** The clock's notion of a day that counts: every date, or the project's working dates. */
export type DayRule = { working: false } | { working: true; holidays: ReadonlySet<string> };

export function isCountedDay(date: string, rule: DayRule): boolean {
  if (!rule.working) return true;
  // 1970-01-01 was a Thursday: day number + 4 is 0 on Sundays.
  const weekday = (((dayNumber(date) + 4) % 7) + 7) % 7;
  return weekday !== 0 && weekday !== 6 && !rule.holidays.has(date);
}

/** The first `count` counted dates after `today` (§12.2: future days start tomorrow). */
export function futureDates(today: string, count: number, rule: DayRule): string[] {
  const dates: string[] = [];
  for (let d = dayNumber(today) + 1; dates.length < count; d++) {
    const date = dateOfDay(d);
    if (isCountedDay(date, rule)) dates.push(date);
  }
  return dates;
}

/** How many counted dates lie after `today` up to and including `until` (0 when `until` is not after it). */
export function countFutureDays(today: string, until: string, rule: DayRule): number {
  let n = 0;
  for (let d = dayNumber(today) + 1; d <= dayNumber(until); d++) if (isCountedDay(dateOfDay(d), rule)) n++;
  return n;
}

/** The history window's dates (§12.1): the `days` local dates before today, oldest first. */
export function historyDates(today: string, days: number): string[] {
  const end = dayNumber(today);
  return Array.from({ length: days }, (_, i) => dateOfDay(end - days + i));
}
