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
 * The page travels as JSON parameters: a multi-row VALUES builder with thousands of parameters dominated
 * a page's time.
 */
export async function storePage(db: Db, page: PageToStore): Promise<void> {
  // A task can come twice (TIML, or a page boundary shifting); one row per task per statement.
  const byId = new Map(page.tasks.map((t) => [t.id, t]));
  const cases = [...byId.values()].map((t) => caseValues(page.bindingId, t));
  let maxUpdated = Number.NEGATIVE_INFINITY;
  for (const t of byId.values()) maxUpdated = Math.max(maxUpdated, t.date_updated);
  await db.$client.begin(async (sql) => {
    const stored = await sql<{ id: string; task_id: string }[]>`
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
      returning id, task_id`;

    const rows = page.timings
      ? stored.flatMap(({ id, task_id }) => {
          const tis = page.timings?.[task_id];
          const task = byId.get(task_id);
          return tis && task
            ? timingValues(Number(id), tis, { type: task.status.type, orderindex: task.status.orderindex })
            : [];
        })
      : [];
    // ClickUp's aggregate is the whole truth for these cases: replace, so statuses gone from it go too.
    // The ids go in as an array, so the delete is an index lookup rather than a scan of every timing.
    const withTimings = [...new Set(rows.map((r) => r.caseId))];
    // The rest of the page needs no answer before the next statement: pipelined, one round trip.
    await Promise.all([
      withTimings.length > 0 &&
        sql`delete from status_timings where case_id = any(${sql.array(withTimings)}::bigint[])`,
      withTimings.length > 0 &&
        sql`
          insert into status_timings (case_id, status_name, status_type, status_orderindex, total_minutes, since, is_current)
          select x."caseId", x."statusName", x."statusType", x."statusOrderindex", x."totalMinutes", x.since, x."isCurrent"
          from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x("caseId" bigint, "statusName" text,
            "statusType" text, "statusOrderindex" int, "totalMinutes" int, since timestamptz, "isCurrent" boolean)`,
      sql`
        update bindings set
          backfill_checkpoint = ${JSON.stringify(page.checkpoint)}::jsonb,
          high_water_mark = greatest(high_water_mark, ${new Date(maxUpdated).toISOString()}::timestamptz)
          ${page.warning === undefined ? sql`` : sql`, warning = ${page.warning}`}
        where id = ${page.bindingId}`,
    ]);
  });
}
