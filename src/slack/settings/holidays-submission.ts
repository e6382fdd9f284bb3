import { z } from "zod";
import { parseBlackouts } from "../../flow/holidays/blackout-dates.ts";
import { checkCalendar } from "../../flow/holidays/holiday-calendar.ts";
import type { HolidaySettings } from "../../flow/holidays/save-holidays.ts";
import { HOLIDAY_FIELDS } from "./holidays-modal.ts";

const elementState = z.object({ value: z.string().nullish() }).loose();
const stateValues = z.record(z.string(), z.record(z.string(), elementState));

export type ParsedHolidays =
  | { ok: true; settings: HolidaySettings }
  | { ok: false; errors: Record<string, string> };

/**
 * Validates the holidays modal (docs/flow-metrics.md §11): the country and region against the holidays
 * library's lists, each blackout entry as a real date or an inclusive range; errors name the bad entry.
 */
export function parseHolidaysSubmission(values: unknown): ParsedHolidays {
  const parsed = stateValues.safeParse(values);
  if (!parsed.success) {
    return { ok: false, errors: { [HOLIDAY_FIELDS.country]: "The form arrived incomplete; try again." } };
  }
  const field = (blockId: string) => parsed.data[blockId]?.value?.value ?? "";
  const errors: Record<string, string> = {};
  const calendar = checkCalendar(field(HOLIDAY_FIELDS.country), field(HOLIDAY_FIELDS.region));
  if (calendar && !calendar.ok) errors[HOLIDAY_FIELDS[calendar.on]] = calendar.error;
  const blackouts = parseBlackouts(field(HOLIDAY_FIELDS.blackouts));
  if (!blackouts.ok) errors[HOLIDAY_FIELDS.blackouts] = blackouts.error;
  if (Object.keys(errors).length > 0 || !blackouts.ok || (calendar && !calendar.ok))
    return { ok: false, errors };
  return {
    ok: true,
    settings: {
      calendar: calendar ? calendar.calendar : null,
      blackouts: { entries: blackouts.entries, dates: blackouts.dates },
    },
  };
}
