import type { ClickUpTask, ClickUpTimeInStatus } from "../../clickup/schemas.ts";
import type { Db } from "../../db/connect-database.ts";
import { caseValues } from "./case-values.ts";
import { timingValues } from "./timing-values.ts";
import type { BackfillCheckpoint } from "./types.ts";

export interface PageToStore {
  bindingId: number;
  tasks: ClickUpTask[];
  /** Time in status by task id; null when it could not be read (timings are left as they were). */
  timings: Record<string, ClickUpTimeInStatus> | null;
  checkpoint: BackfillCheckpoint;
  /** Set on the binding with the page (e.g. the ClickApp warning); undefined leaves it unchanged. */
  warning?: string | null;
}

/**
 * Stores one page atomically: the cases, their timings, the high-water mark and the checkpoint, so a run
 * killed after this commit resumes at the next page and one killed before redoes this one.
 *
 * It is a single statement (data-modifying CTEs), which Postgres runs atomically without BEGIN/COMMIT:
 * one round trip per page instead of six, and the page travels as two JSON parameters (a multi-row
 * VALUES builder with thousands of parameters dominated a page's time).
 */
export async function storePage(db: Db, page: PageToStore): Promise<void> {
  // A task can come twice (TIML, or a page boundary shifting); one row per task per statement.
  const byId = new Map(page.tasks.map((t) => [t.id, t]));
  const cases = [...byId.values()].map((t) => caseValues(page.bindingId, t));
  let maxUpdated = Number.NEGATIVE_INFINITY;
  for (const t of byId.values()) maxUpdated = Math.max(maxUpdated, t.date_updated);
  // Timing rows are keyed by task id here; the statement swaps in the case id it just upserted.
  const timings = page.timings
    ? [...byId.values()].flatMap((task) => {
        const tis = page.timings?.[task.id];
        if (!tis) return [];
        const current = { type: task.status.type, orderindex: task.status.orderindex };
        return timingValues(0, tis, current).map(({ caseId: _, ...row }) => ({ taskId: task.id, ...row }));
      })
    : [];
  const sql = db.$client;
  // ClickUp's aggregate is the whole truth for the cases it covers: their rows are upserted and any status
  // no longer in it is deleted. Both touch disjoint rows, so their order inside the statement is moot.
  // Cases without rows (no time in status, or none readable) keep the timings they had.
  await sql`
    with c as (
      insert into tracked_cases (binding_id, task_id, custom_id, name, url, home_list_id, parent_task_id,
        status_name, status_type, status_orderindex, status_id, date_created, date_updated, date_done,
        date_closed, archived, assignees, tracked, deleted_at)
      select ${page.bindingId}::bigint, x."taskId", x."customId", x.name, x.url, x."homeListId", x."parentTaskId",
        x."statusName", x."statusType", x."statusOrderindex", x."statusId", x."dateCreated", x."dateUpdated",
        x."dateDone", x."dateClosed", x.archived, x.assignees, true, null
      from jsonb_to_recordset(${JSON.stringify(cases)}::jsonb) as x("taskId" text, "customId" text, name text,
        url text, "homeListId" text, "parentTaskId" text, "statusName" text, "statusType" text,
        "statusOrderindex" int, "statusId" text, "dateCreated" timestamptz, "dateUpdated" timestamptz,
        "dateDone" timestamptz, "dateClosed" timestamptz, archived boolean, assignees jsonb)
      on conflict (binding_id, task_id) do update set
        custom_id = excluded.custom_id, name = excluded.name, url = excluded.url,
        home_list_id = excluded.home_list_id, parent_task_id = excluded.parent_task_id,
        status_name = excluded.status_name, status_type = excluded.status_type,
        status_orderindex = excluded.status_orderindex, status_id = excluded.status_id,
        date_created = excluded.date_created, date_updated = excluded.date_updated,
        date_done = excluded.date_done, date_closed = excluded.date_closed, archived = excluded.archived,
        assignees = excluded.assignees, tracked = true, deleted_at = null
      returning id, task_id
    ),
    t as (
      select c.id as case_id, y.*
      from jsonb_to_recordset(${JSON.stringify(timings)}::jsonb) as y("taskId" text, "statusName" text,
        "statusType" text, "statusOrderindex" int, "totalMinutes" int, since timestamptz, "isCurrent" boolean)
      join c on c.task_id = y."taskId"
    ),
    gone as (
      delete from status_timings s
      where s.case_id in (select case_id from t)
        and not exists (select 1 from t where t.case_id = s.case_id and t."statusName" = s.status_name)
    ),
    timed as (
      insert into status_timings (case_id, status_name, status_type, status_orderindex, total_minutes, since, is_current)
      select case_id, "statusName", "statusType", "statusOrderindex", "totalMinutes", since, "isCurrent" from t
      on conflict (case_id, status_name) do update set
        status_type = excluded.status_type, status_orderindex = excluded.status_orderindex,
        total_minutes = excluded.total_minutes, since = excluded.since, is_current = excluded.is_current
    )
    update bindings set
      backfill_checkpoint = ${JSON.stringify(page.checkpoint)}::jsonb,
      high_water_mark = greatest(high_water_mark, ${new Date(maxUpdated).toISOString()}::timestamptz)
      ${page.warning === undefined ? sql`` : sql`, warning = ${page.warning}`}
    where id = ${page.bindingId}`;
}
