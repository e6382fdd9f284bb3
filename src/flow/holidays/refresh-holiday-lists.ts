import type { Sql } from "postgres";
import { parseBlackouts } from "./blackout-dates.ts";
import { checkCalendar } from "./holiday-calendar.ts";
import { replaceHolidayList, resolvedHolidays } from "./save-holidays.ts";

/**
 * Resolves every project's saved calendar and blackouts again (docs/flow-metrics.md §11: a library
 * upgrade that changes its dates re-derives the numbers, like any change of the list). Projects whose
 * list is unchanged are left alone; returns the ids of those whose list changed. A saved calendar the
 * library no longer knows keeps its last list (logged by the caller), rather than dropping the holidays.
 */
export async function refreshHolidayLists(
  sql: Sql,
): Promise<{ changed: number[]; unresolved: { projectId: number; error: string }[] }> {
  const rows = await sql<
    { projectId: number; country: string | null; region: string | null; blackouts: string[] }[]
  >`
    select project_id::float8 as "projectId", country, region, blackouts from holiday_settings order by project_id`;
  const changed: number[] = [];
  const unresolved: { projectId: number; error: string }[] = [];
  for (const row of rows) {
    const calendar = checkCalendar(row.country ?? "", row.region ?? "");
    const blackouts = parseBlackouts(row.blackouts.join("\n"));
    if ((calendar && !calendar.ok) || !blackouts.ok) {
      const error = calendar && !calendar.ok ? calendar.error : blackouts.ok ? "" : blackouts.error;
      unresolved.push({ projectId: row.projectId, error });
      continue;
    }
    const dates = resolvedHolidays({ calendar: calendar ? calendar.calendar : null, blackouts });
    if (await sql.begin((tx) => replaceHolidayList(tx, row.projectId, dates))) changed.push(row.projectId);
  }
  return { changed, unresolved };
}
