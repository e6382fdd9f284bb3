import Holidays from "date-holidays";

/*
 * A project's holiday calendar from date-holidays (maintained, offline data; docs/flow-metrics.md §11):
 * a country (ISO 3166-1, e.g. `DE`) and optionally a region of it (`BY` or `DE-BY`; the library calls it
 * a state). Only holidays it types `public` count, substitute days included; each is read as a whole
 * local date, whatever start time the library gives it.
 */

/** The years resolved: wide enough around any project's data; the list is a few hundred dates. */
const HOLIDAY_YEARS = { from: 2000, to: 2049 } as const;

export type Calendar = { country: string; region: string | null };

/** A refusal names the input it is about. */
export type CalendarCheck =
  | { ok: true; calendar: Calendar }
  | { ok: false; on: "country" | "region"; error: string };

const library = new Holidays();
const DAY_MS = 86_400_000;

/** Validates a country and region against the library's lists; blank country: no calendar (null). */
export function checkCalendar(countryText: string, regionText: string): CalendarCheck | null {
  const country = countryText.trim().toUpperCase();
  let region = regionText.trim().toUpperCase();
  if (country === "") {
    return region === ""
      ? null
      : { ok: false, on: "region", error: `A region ("${regionText.trim()}") needs a country.` };
  }
  if (!Object.hasOwn(library.getCountries("en"), country)) {
    return {
      ok: false,
      on: "country",
      error: `"${countryText.trim()}" is not a country the holidays library knows (e.g. DE, US, GB).`,
    };
  }
  if (region.startsWith(`${country}-`)) region = region.slice(country.length + 1);
  if (region === "") return { ok: true, calendar: { country, region: null } };
  const regions = library.getStates(country, "en") ?? {};
  if (!Object.hasOwn(regions, region)) {
    const known = Object.keys(regions);
    return {
      ok: false,
      on: "region",
      error: `"${regionText.trim()}" is not a region of ${country}${known.length ? ` (known: ${known.join(", ")})` : " (it has none)"}.`,
    };
  }
  return { ok: true, calendar: { country, region } };
}

/** The public holiday dates (`YYYY-MM-DD`, local) of a calendar over HOLIDAY_YEARS, sorted, unique. */
export function publicHolidayDates(calendar: Calendar): string[] {
  const h = calendar.region
    ? new Holidays(calendar.country, calendar.region)
    : new Holidays(calendar.country);
  const dates = new Set<string>();
  for (let year = HOLIDAY_YEARS.from; year <= HOLIDAY_YEARS.to; year++) {
    for (const holiday of h.getHolidays(year)) {
      if (holiday.type !== "public") continue;
      // `date` is the library's local "YYYY-MM-DD hh:mm:ss"; a holiday lasting more than one day
      // (end − start over 24 h) removes each of its dates.
      const first = Date.parse(`${holiday.date.slice(0, 10)}T00:00:00Z`);
      const span = Math.max(1, Math.round((holiday.end.getTime() - holiday.start.getTime()) / DAY_MS));
      for (let i = 0; i < span; i++) dates.add(new Date(first + i * DAY_MS).toISOString().slice(0, 10));
    }
  }
  return [...dates].sort();
}
