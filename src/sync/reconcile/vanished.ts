import type { Sql } from "postgres";
import { isClickUpError } from "../../clickup/clickup-error.ts";
import type { ClickUpClient } from "../../clickup/create-clickup-client.ts";
import type { ClickUpTask } from "../../clickup/schemas.ts";
import type { ContainerType } from "../backfill/container-query.ts";
import type { FieldDefinition } from "../task-fields/index.ts";
import { applyKnownTask, type TaskOutcome } from "./apply-task.ts";

export type VanishedOutcome = TaskOutcome | "deleted" | "untracked";

/**
 * Tracked cases the pull should have returned but did not. A full pull (sweep) should return every
 * task still in the containers, so every tracked case it misses is a suspect. A pull since the mark
 * returns every task changed since then; a case that changed since then (a webhook moved it on) but
 * is missing is a suspect too — deleted or moved out, with the delivery saying so lost. Oldest first,
 * at most `limit` (each costs one ClickUp request; the rest wait for the next run).
 */
export async function findVanished(
  sql: Sql,
  bindingId: number,
  seen: ReadonlySet<string>,
  since: Date | null,
  limit: number,
): Promise<{ id: number; taskId: string }[]> {
  const rows = await sql<{ id: string; taskId: string }[]>`
    select id, task_id as "taskId" from tracked_cases
    where binding_id = ${bindingId} and tracked and deleted_at is null
      and (${since ?? null}::timestamptz is null or date_updated >= ${since ?? null}::timestamptz)
      and task_id not in (select jsonb_array_elements_text(${sql.json([...seen])}))
    order by date_updated, id
    limit ${limit}`;
  return rows.map((r) => ({ id: Number(r.id), taskId: r.taskId }));
}

/** Whether the task's home list lies inside the bound container. */
function inContainer(task: ClickUpTask, type: ContainerType, containerId: string): boolean {
  if (type === "list") return task.list.id === containerId;
  if (type === "folder") return task.folder?.id === containerId;
  return task.space?.id === containerId;
}

/**
 * Asks ClickUp about one missing task: gone (404) → the case is marked deleted and leaves the metrics;
 * found elsewhere → no longer tracked (history kept, home list updated); unreachable for the token →
 * no longer tracked; found inside after all → reconciled like any returned task.
 */
export async function settleVanished(
  deps: {
    sql: Sql;
    clickup: ClickUpClient;
    now: () => number;
    signal?: AbortSignal;
    /** The binding's custom field definitions, for a task found inside after all. */
    definitions?: readonly FieldDefinition[];
  },
  binding: { id: number; containerType: ContainerType; containerId: string },
  kase: { id: number; taskId: string },
): Promise<VanishedOutcome> {
  const { sql } = deps;
  let task: ClickUpTask;
  try {
    task = await deps.clickup.getTask(kase.taskId, { signal: deps.signal });
  } catch (err) {
    if (isClickUpError(err, "not_found")) {
      await sql`
        update tracked_cases set deleted_at = ${new Date(deps.now())}
        where id = ${kase.id} and deleted_at is null`;
      return "deleted";
    }
    if (isClickUpError(err, "not_authorized")) {
      await sql`update tracked_cases set tracked = false where id = ${kase.id}`;
      return "untracked";
    }
    throw err;
  }
  if (inContainer(task, binding.containerType, binding.containerId)) {
    return applyKnownTask(sql, binding.id, task, deps.definitions);
  }
  const updated = new Date(task.date_updated);
  await sql`
    update tracked_cases set tracked = false, home_list_id = ${task.list.id},
      date_updated = greatest(date_updated, ${updated}::timestamptz),
      last_activity_at = greatest(last_activity_at, ${updated}::timestamptz)
    where id = ${kase.id}`;
  return "untracked";
}
