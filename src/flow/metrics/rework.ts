import type { Sql } from "postgres";
import { caseScope, type SegmentScope } from "./segments-scope.ts";
import type { ReworkEventItem } from "./types.ts";
import type { MetricsSettings } from "./window-settings.ts";

/* Rework: a task moving back to an earlier stage, or reopened (docs/flow-metrics.md §4.7). */

/**
 * SQL fragment `from rework_events r where …`: the project's rework events in the period that still count —
 * those of cases still tracked and not deleted (docs/flow-metrics.md §4.7). The report and the digest both
 * read rework through it. The few events that do not count are excluded by a partial index, so a count
 * reads only the period's events. With `scope`, only the events of that segment's cases (a filtered report, §7).
 */
export function reworkEventsIn(
  sql: Sql,
  projectId: number,
  period: { from: Date; fromInclusive: boolean; to: Date },
  scope?: SegmentScope,
) {
  const { from } = period;
  return sql`
    from rework_events r
    where r.binding_id in (select id from bindings where project_id = ${projectId})
      and ${period.fromInclusive ? sql`r.occurred_at >= ${from}::timestamptz` : sql`r.occurred_at > ${from}::timestamptz`}
      and r.occurred_at <= ${period.to}::timestamptz
      and not exists (select 1 from tracked_cases x
                      where x.id = r.case_id and (not x.tracked or x.deleted_at is not null))
      ${caseScope(sql, { scope }, "r.case_id")}`;
}

/** Rework events in [from, to], newest first (at most `limit`), and how many there are. */
export async function reworkEvents(
  sql: Sql,
  s: MetricsSettings,
  from: Date,
  to: Date,
  limit: number,
): Promise<{ events: ReworkEventItem[]; total: number }> {
  const inWindow = reworkEventsIn(sql, s.projectId, { from, fromInclusive: true, to }, s.scope);
  const [rows, [count]] = await Promise.all([
    sql<ReworkEventItem[]>`
      select r.case_id::float8 as "caseId", tc.name as "taskName", tc.url, r.kind::text as kind,
             r.from_status as "from", r.to_status as "to", r.occurred_at as "at", r.actor_name as "actorName"
      from (select r.* ${inWindow} order by r.occurred_at desc, r.id desc limit ${limit}) r
      join tracked_cases tc on tc.id = r.case_id
      order by r.occurred_at desc, r.id desc`,
    sql<{ n: number }[]>`select count(*)::int as n ${inWindow}`,
  ]);
  return { events: rows, total: count?.n ?? 0 };
}

/**
 * SQL fragment: how many of the finished tasks in the CTE `fin` (case_id, finished_at) had rework up to
 * their finish.
 */
export function finishedWithReworkCount(sql: Sql) {
  return sql`(select count(*)::int from fin
        cross join lateral (select 1 from rework_events r
                            where r.case_id = fin.case_id and r.occurred_at <= fin.finished_at limit 1) x)`;
}
