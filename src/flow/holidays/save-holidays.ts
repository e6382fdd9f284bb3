import type { Sql, TransactionSql } from "postgres";
import type { Calendar } from "./holiday-calendar.ts";
import { publicHolidayDates } from "./holiday-calendar.ts";

/*
 * Saving a project's holidays (docs/flow-metrics.md §11): the settings row, and the resolved list of
 * Monday-to-Friday dates it does not work (project_holidays, db/schema.ts). When the list changes, every
 * working-day number of the project is derived again in the same transaction, as a zone change does
 * (flowbot_derive_start_finish_cycle_lead); the live ones (age, time in status) read the list directly.
 */

export type HolidaySettings = {
  calendar: Calendar | null;
  blackouts: { entries: string[]; dates: string[] };
};

/** The Mon–Fri dates of calendar and blackouts together, sorted (weekend dates change nothing). */
export function resolvedHolidays(settings: HolidaySettings): string[] {
  const all = new Set([
    ...(settings.calendar ? publicHolidayDates(settings.calendar) : []),
    ...settings.blackouts.dates,
  ]);
  return [...all].filter((d) => new Date(`${d}T00:00:00Z`).getUTCDay() % 6 !== 0).sort();
}

export async function loadHolidaySettings(
  sql: Sql,
  projectId: number,
): Promise<{ country: string | null; region: string | null; blackouts: string[] } | undefined> {
  const [row] = await sql<{ country: string | null; region: string | null; blackouts: string[] }[]>`
    select country, region, blackouts from holiday_settings where project_id = ${projectId}`;
  return row;
}

/** Saves the settings; returns whether the resolved list changed (and so the numbers were derived again). */
export async function saveHolidaySettings(
  sql: Sql,
  projectId: number,
  settings: HolidaySettings,
  updatedBy: string,
): Promise<{ listChanged: boolean; dates: number }> {
  const dates = resolvedHolidays(settings);
  return sql.begin(async (tx) => {
    await tx`
      insert into holiday_settings (project_id, country, region, blackouts, updated_by)
      values (${projectId}, ${settings.calendar?.country ?? null}, ${settings.calendar?.region ?? null},
              ${settings.blackouts.entries}::text[], ${updatedBy})
      on conflict (project_id) do update set country = excluded.country, region = excluded.region,
        blackouts = excluded.blackouts, updated_by = excluded.updated_by, updated_at = now()`;
    return { listChanged: await replaceHolidayList(tx, projectId, dates), dates: dates.length };
  });
}

/**
 * In a transaction: makes `dates` the project's list; when that changes it, derives every working-day
 * number of the project again (as a zone change does) and returns true.
 */
export async function replaceHolidayList(
  tx: TransactionSql,
  projectId: number,
  dates: readonly string[],
): Promise<boolean> {
  // Concurrent saves of one project take turns, so each compares against the list the other left. NO KEY
  // UPDATE does not hold up rows being inserted that reference the project (their foreign keys' locks).
  await tx`select id from projects where id = ${projectId} for no key update`;
  const [before] = await tx<{ days: string[] }[]>`
    select coalesce(array_agg(day::text order by day), '{}') as days
    from project_holidays where project_id = ${projectId}`;
  const old = before?.days ?? [];
  if (old.length === dates.length && old.every((d, i) => d === dates[i])) return false;
  await tx`delete from project_holidays where project_id = ${projectId}`;
  if (dates.length > 0) {
    await tx`
      insert into project_holidays (project_id, day) select ${projectId}, d from unnest(${dates}::date[]) as u(d)`;
  }
  await tx`select flowbot_derive_start_finish_cycle_lead(null, ${projectId})`;
  return true;
}
