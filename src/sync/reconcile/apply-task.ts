import type { Sql, TransactionSql } from "postgres";
import type { ClickUpTask, ClickUpTimeInStatus } from "../../clickup/schemas.ts";
import { caseRow } from "../backfill/case-values.ts";
import { timingValues } from "../backfill/timing-values.ts";
import { FRESH_PENDING_MS } from "../delivery-inbox.ts";
import { type FieldDefinition, sameTaskFields, type TaskFields, taskFields } from "../task-fields/index.ts";
import { recordTransition } from "../timeline/record-transition.ts";
import { inTransaction } from "../timeline/sql-client.ts";

/** What reconcile did with one task ClickUp returned. */
export type TaskOutcome =
  /** Already as ClickUp shows it. */
  | "unchanged"
  /** Fields (name, assignees, dates…) refreshed; same status. */
  | "updated"
  /** A status change no webhook brought: recorded as an inferred transition. */
  | "inferred"
  /** Back in the binding's containers (or out of the trash): tracked again. */
  | "restored"
  /** A task flowbot did not know: tracking starts. */
  | "started"
  /** flowbot already holds a newer state of the task (a webhook overtook this read); left alone. */
  | "stale"
  /** A webhook delivery for the task is stored but not applied yet; it brings the exact change. */
  | "deferred";

/** The columns reconcile compares, for one page of tasks in one query. */
export interface CaseSnapshot {
  id: number;
  statusName: string;
  dateUpdated: Date;
  tracked: boolean;
  deletedAt: Date | null;
  fields: TaskFields;
}

export async function loadCases(
  sql: Sql,
  bindingId: number,
  taskIds: string[],
): Promise<Map<string, CaseSnapshot>> {
  const rows = await sql<
    ({
      id: string;
      taskId: string;
      statusName: string;
      dateUpdated: Date;
      tracked: boolean;
      deletedAt: Date | null;
    } & TaskFields)[]
  >`
    select id, task_id as "taskId", status_name as "statusName", date_updated as "dateUpdated", tracked,
      deleted_at as "deletedAt", tags, priority::text as priority, task_type_id as "taskTypeId",
      field_values as "fieldValues", waiting_on as "waitingOn", home_list_id as "homeListId"
    from tracked_cases
    where binding_id = ${bindingId}
      and task_id in (select jsonb_array_elements_text(${sql.json(taskIds)}))`;
  return new Map(
    rows.map((r) => [
      r.taskId,
      {
        id: Number(r.id),
        statusName: r.statusName,
        dateUpdated: r.dateUpdated,
        tracked: r.tracked,
        deletedAt: r.deletedAt,
        fields: {
          tags: r.tags,
          priority: r.priority,
          taskTypeId: r.taskTypeId,
          fieldValues: r.fieldValues,
          waitingOn: r.waitingOn,
          homeListId: r.homeListId,
        },
      },
    ]),
  );
}

/**
 * Whether a task ClickUp returned may differ from its case; most do not, and cost no transaction. The
 * kept fields are compared too: a dependency or a task type changes with no webhook (docs/clickup.md
 * §15.5), and when a live status change came after it the case's date_updated already equals ClickUp's.
 */
export function needsWork(
  kase: CaseSnapshot | undefined,
  task: ClickUpTask,
  definitions: readonly FieldDefinition[] = [],
): boolean {
  if (!kase) return true;
  return (
    !kase.tracked ||
    kase.deletedAt !== null ||
    kase.statusName !== task.status.status ||
    task.date_updated > kase.dateUpdated.getTime() ||
    !sameTaskFields(kase.fields, taskFields(task, definitions))
  );
}

/**
 * Brings one known task's case in line with what ClickUp returned, in one transaction with the case row
 * locked (webhook applies lock it too). A status that differs from the timeline's last status becomes
 * an inferred transition at the task's `date_updated`: the latest moment the change can have happened
 * (ClickUp does not say when; a later edit of another field moves `date_updated` too). A status with the
 * same ClickUp id but another name is a rename, not a move. The kept task fields (tags, priority, type,
 * custom field values, waiting-on) are read again from this payload — no request of their own, so a
 * change no webhook brings (a dependency, a task type: docs/clickup.md §15.5) arrives here — and the
 * `date_updated` move is activity at the new `date_updated` (docs/flow-metrics.md §8.3). If the case
 * already shows a newer state than this read, nothing is touched.
 */
export async function applyKnownTask(
  sql: Sql,
  bindingId: number,
  task: ClickUpTask,
  definitions: readonly FieldDefinition[] = [],
): Promise<TaskOutcome> {
  return (await sql.begin(async (tx) => {
    const [c] = await tx<
      {
        id: string;
        statusName: string;
        statusType: string;
        statusOrderindex: number;
        statusId: string | null;
        dateUpdated: Date;
        tracked: boolean;
        deletedAt: Date | null;
      }[]
    >`
      select id, status_name as "statusName", status_type as "statusType",
        status_orderindex as "statusOrderindex", status_id as "statusId", date_updated as "dateUpdated",
        tracked, deleted_at as "deletedAt"
      from tracked_cases where binding_id = ${bindingId} and task_id = ${task.id}
      for update`;
    if (!c) return startTracking(tx, bindingId, task, undefined, definitions);
    if (c.dateUpdated.getTime() > task.date_updated) return "stale";
    // An inferred transition now would be followed by the exact one when the delivery is applied. Only
    // a delivery the workspace's apply runs still take counts: one left pending for long (e.g. a refused
    // token) is not coming.
    const [pending] = await tx`
      select 1 from webhook_deliveries
      where task_id = ${task.id} and outcome = 'pending'
        and received_at > now() - ${`${FRESH_PENDING_MS} milliseconds`}::interval
      limit 1`;
    if (pending && c.statusName !== task.status.status) return "deferred";

    const renamed = c.statusId !== null && task.status.id !== undefined && c.statusId === task.status.id;
    let outcome: TaskOutcome = c.tracked && c.deletedAt === null ? "updated" : "restored";
    if (c.statusName !== task.status.status && !renamed) {
      const recorded = await recordTransition(tx, {
        caseId: Number(c.id),
        fromStatus: c.statusName,
        fromType: c.statusType,
        fromOrderindex: c.statusOrderindex,
        toStatus: task.status.status,
        toType: task.status.type,
        toOrderindex: task.status.orderindex ?? 0,
        toStatusId: task.status.id ?? null,
        occurredAt: new Date(task.date_updated),
        actorId: null,
        actorName: null,
        source: "reconcile",
        inferred: true,
        historyItemId: null,
      });
      if (recorded.inserted && outcome === "updated") outcome = "inferred";
    }
    const row = caseRow(tx, bindingId, task, definitions);
    const { binding_id: _b, task_id: _t, date_updated: dateUpdated, last_activity_at: _a, ...rest } = row;
    await tx`
      update tracked_cases set ${tx(rest)}, date_updated = greatest(date_updated, ${dateUpdated}::timestamptz),
        last_activity_at = greatest(last_activity_at, ${dateUpdated}::timestamptz)
      where id = ${c.id}`;
    return outcome;
  })) as TaskOutcome;
}

/**
 * Starts tracking a task flowbot has not seen (created, or moved in, while webhooks were not arriving):
 * the case, ClickUp's time in status when there is one, and the first status as an inferred transition
 * at the moment the task entered it (time in status `since`, else its creation time).
 */
export async function startTracking(
  sql: Sql | TransactionSql,
  bindingId: number,
  task: ClickUpTask,
  timings: ClickUpTimeInStatus | undefined,
  definitions: readonly FieldDefinition[] = [],
): Promise<TaskOutcome> {
  const run = async (tx: TransactionSql): Promise<TaskOutcome> => {
    const [created] = await tx<{ id: string }[]>`
      insert into tracked_cases ${tx(caseRow(tx, bindingId, task, definitions))}
      on conflict (binding_id, task_id) do nothing
      returning id`;
    // A webhook started it meanwhile: treat it as known.
    if (!created) return "unchanged";
    const caseId = Number(created.id);
    const rows = timings
      ? timingValues(caseId, timings, { type: task.status.type, orderindex: task.status.orderindex })
      : [];
    for (const r of rows) {
      await tx`
        insert into status_timings (case_id, status_name, status_type, status_orderindex, total_minutes, since,
          is_current)
        values (${r.caseId}, ${r.statusName}, ${r.statusType}, ${r.statusOrderindex}, ${r.totalMinutes},
          ${r.since}, ${r.isCurrent})
        on conflict (case_id, status_name) do nothing`;
    }
    const since = timings?.current_status?.total_time.since ?? null;
    await recordTransition(tx, {
      caseId,
      fromStatus: null,
      fromType: null,
      fromOrderindex: null,
      toStatus: task.status.status,
      toType: task.status.type,
      toOrderindex: task.status.orderindex ?? 0,
      toStatusId: task.status.id ?? null,
      occurredAt: new Date(since !== null && since <= task.date_updated ? since : task.date_created),
      actorId: null,
      actorName: null,
      source: "reconcile",
      inferred: true,
      historyItemId: null,
    });
    return "started";
  };
  return inTransaction(sql, run);
}
