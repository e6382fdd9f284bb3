import type { Sql } from "postgres";
import type { ClickUpTask, ClickUpTimeInStatus } from "../../clickup/schemas.ts";
import { sqlJson } from "../../db/sql-json.ts";
import { deferFlowRebuild } from "../../flow/metrics/deferred-rebuild.ts";
import type { FieldDefinition } from "../task-fields/index.ts";
import { caseValues } from "./case-values.ts";
import { timingValues } from "./timing-values.ts";
import type { BackfillCheckpoint } from "./types.ts";

export interface PageToStore {
  bindingId: number;
  tasks: ClickUpTask[];
  /** Time in status by task id; null when it could not be read (timings are left as they were). */
  timings: Record<string, ClickUpTimeInStatus> | null;
  /** The binding's custom field definitions, for options a task's payload leaves out. */
  definitions?: readonly FieldDefinition[];
  checkpoint: BackfillCheckpoint;
  /** Set on the binding with the page (e.g. the ClickApp warning); undefined leaves it unchanged. */
  warning?: string | null;
  /**
   * Awaited inside the transaction after the page's rows are written, before the checkpoint is set and
   * the transaction commits; throwing rolls the page back. Lets pages be written concurrently yet
   * committed in order.
   */
  beforeCheckpoint?: () => Promise<void>;
}

/**
 * Stores one page atomically: the cases, their timings, the high-water mark and the checkpoint, so a run
 * killed after this commit resumes at the next page and one killed before redoes this one.
 *
 * The page travels as one JSON parameter per table, so a statement's parameter count does not grow with
 * the page.
 */
export async function storePage(appSql: Sql, page: PageToStore): Promise<void> {
  // A task can come twice (TIML, or a page boundary shifting); one row per task per statement.
  const byId = new Map(page.tasks.map((t) => [t.id, t]));
  // Short keys and epoch milliseconds: the JSON is built, sent and parsed once per page, and its size
  // is most of a page's cost on the client side.
  const cases = [...byId.values()].map((t) => {
    const v = caseValues(page.bindingId, t, page.definitions);
    return {
      t: v.taskId,
      c: v.customId,
      n: v.name,
      u: v.url,
      l: v.homeListId,
      p: v.parentTaskId,
      s: v.statusName,
      y: v.statusType,
      o: v.statusOrderindex,
      i: v.statusId,
      dc: v.dateCreated.getTime(),
      du: v.dateUpdated.getTime(),
      dd: v.dateDone?.getTime() ?? null,
      dx: v.dateClosed?.getTime() ?? null,
      a: v.archived,
      as: v.assignees,
      tg: v.tags,
      pr: v.priority,
      tt: v.taskTypeId,
      fv: v.fieldValues,
      wo: v.waitingOn,
    };
  });
  let maxUpdated = Number.NEGATIVE_INFINITY;
  for (const t of byId.values()) maxUpdated = Math.max(maxUpdated, t.date_updated);
  await appSql.begin(async (sql) => {
    // The flow facts of this page's cases are rebuilt afterwards, in bulk, by the rebuild-flow-facts job
    // (the backfill queues it), so a page's transaction only writes its rows.
    await deferFlowRebuild(sql);
    const stored = await sql<{ id: string; task_id: string }[]>`
      insert into tracked_cases (binding_id, task_id, custom_id, name, url, home_list_id, parent_task_id,
        status_name, status_type, status_orderindex, status_id, date_created, date_updated, date_done,
        date_closed, archived, assignees, tracked, deleted_at, tags, priority, task_type_id, field_values,
        waiting_on, last_activity_at)
      select ${page.bindingId}::bigint, x.t, x.c, x.n, x.u, x.l, x.p, x.s, x.y, x.o, x.i,
        timestamptz 'epoch' + x.dc * interval '1 millisecond', timestamptz 'epoch' + x.du * interval '1 millisecond',
        timestamptz 'epoch' + x.dd * interval '1 millisecond', timestamptz 'epoch' + x.dx * interval '1 millisecond',
        x.a, x.as, true, null, x.tg, x.pr::task_priority, x.tt, x.fv, x.wo,
        timestamptz 'epoch' + x.du * interval '1 millisecond'
      from jsonb_to_recordset(${sqlJson(sql, cases)}) as x(t text, c text, n text, u text, l text,
        p text, s text, y text, o int, i text, dc bigint, du bigint, dd bigint, dx bigint, a boolean, "as" jsonb,
        tg text[], pr text, tt int, fv jsonb, wo text[])
      on conflict (binding_id, task_id) do update set
        custom_id = excluded.custom_id, name = excluded.name, url = excluded.url,
        home_list_id = excluded.home_list_id, parent_task_id = excluded.parent_task_id,
        status_name = excluded.status_name, status_type = excluded.status_type,
        status_orderindex = excluded.status_orderindex, status_id = excluded.status_id,
        date_created = excluded.date_created, date_updated = excluded.date_updated,
        date_done = excluded.date_done, date_closed = excluded.date_closed, archived = excluded.archived,
        assignees = excluded.assignees, tracked = true, deleted_at = null,
        tags = excluded.tags, priority = excluded.priority, task_type_id = excluded.task_type_id,
        field_values = excluded.field_values, waiting_on = excluded.waiting_on,
        -- date_updated is a change ClickUp recorded (docs/flow-metrics.md §8.3); a later one already held stays.
        last_activity_at = greatest(tracked_cases.last_activity_at, excluded.last_activity_at)
      -- A page read before a live update but stored after it must not put the case back: the row
      -- ClickUp reported later wins (its timings are then left as they are too).
      where tracked_cases.date_updated <= excluded.date_updated
      returning id, task_id`;

    const rows = page.timings
      ? stored.flatMap(({ id, task_id }) => {
          const tis = page.timings?.[task_id];
          const task = byId.get(task_id);
          if (!tis || !task) return [];
          const current = { type: task.status.type, orderindex: task.status.orderindex };
          return timingValues(Number(id), tis, current).map((r) => ({
            c: r.caseId,
            n: r.statusName,
            y: r.statusType,
            o: r.statusOrderindex,
            m: r.totalMinutes,
            s: r.since.getTime(),
            k: r.isCurrent,
          }));
        })
      : [];
    // ClickUp's aggregate is the whole truth for these cases: replace, so statuses gone from it go too.
    // The ids go in as an array, so the delete is an index lookup rather than a scan of every timing.
    const withTimings = [...new Set(rows.map((r) => r.c))];
    if (withTimings.length > 0) {
      // No answer is needed between the two: pipelined, one round trip.
      await Promise.all([
        sql`delete from status_timings where case_id = any(${sql.array(withTimings)}::bigint[])`,
        sql`
          insert into status_timings (case_id, status_name, status_type, status_orderindex, total_minutes, since, is_current)
          select x.c, x.n, x.y, x.o, x.m, timestamptz 'epoch' + x.s * interval '1 millisecond', x.k
          from jsonb_to_recordset(${sqlJson(sql, rows)}) as x(c bigint, n text, y text, o int, m int,
            s bigint, k boolean)`,
      ]);
    }
    // The binding row is the one all pages update: only the page whose turn it is to commit touches it,
    // so concurrent pages never wait on each other there.
    await page.beforeCheckpoint?.();
    await sql`
        update bindings set
          backfill_checkpoint = ${sqlJson(sql, page.checkpoint)},
          high_water_mark = greatest(high_water_mark, ${new Date(maxUpdated)}::timestamptz)
          ${page.warning === undefined ? sql`` : sql`, warning = ${page.warning}`}
        where id = ${page.bindingId}`;
  });
}
