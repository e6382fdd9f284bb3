import { eq, inArray, sql } from "drizzle-orm";
import { bindings, statusTimings, trackedCases } from "../../../db/schema.ts";
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
 * Stores one page in one transaction: the cases, their timings, the high-water mark and the checkpoint,
 * so a run killed after this commit resumes at the next page and one killed before redoes this one.
 */
export async function storePage(db: Db, page: PageToStore): Promise<void> {
  // A task can come twice (TIML, or a page boundary shifting); one row per task per statement.
  const byId = new Map(page.tasks.map((t) => [t.id, t]));
  const values = [...byId.values()].map((t) => caseValues(page.bindingId, t));
  const maxUpdated = Math.max(...[...byId.values()].map((t) => t.date_updated));
  await db.transaction(async (tx) => {
    const stored = await tx
      .insert(trackedCases)
      .values(values)
      .onConflictDoUpdate({
        target: [trackedCases.bindingId, trackedCases.taskId],
        set: {
          customId: sql`excluded.custom_id`,
          name: sql`excluded.name`,
          url: sql`excluded.url`,
          homeListId: sql`excluded.home_list_id`,
          parentTaskId: sql`excluded.parent_task_id`,
          statusName: sql`excluded.status_name`,
          statusType: sql`excluded.status_type`,
          statusOrderindex: sql`excluded.status_orderindex`,
          statusId: sql`excluded.status_id`,
          dateCreated: sql`excluded.date_created`,
          dateUpdated: sql`excluded.date_updated`,
          dateDone: sql`excluded.date_done`,
          dateClosed: sql`excluded.date_closed`,
          archived: sql`excluded.archived`,
          assignees: sql`excluded.assignees`,
          tracked: true,
          deletedAt: null,
        },
      })
      .returning({ id: trackedCases.id, taskId: trackedCases.taskId });

    if (page.timings) {
      const rows = stored.flatMap(({ id, taskId }) => {
        const tis = page.timings?.[taskId];
        const task = byId.get(taskId);
        return tis && task
          ? timingValues(id, tis, { type: task.status.type, orderindex: task.status.orderindex })
          : [];
      });
      // ClickUp's aggregate is the whole truth for these cases: replace, so statuses gone from it go too.
      const withTimings = [...new Set(rows.map((r) => r.caseId))];
      if (withTimings.length > 0) {
        await tx.delete(statusTimings).where(inArray(statusTimings.caseId, withTimings));
        await tx.insert(statusTimings).values(rows);
      }
    }

    await tx
      .update(bindings)
      .set({
        backfillCheckpoint: page.checkpoint,
        highWaterMark: sql`greatest(${bindings.highWaterMark}, ${new Date(maxUpdated).toISOString()}::timestamptz)`,
        ...(page.warning === undefined ? {} : { warning: page.warning }),
      })
      .where(eq(bindings.id, page.bindingId));
  });
}
