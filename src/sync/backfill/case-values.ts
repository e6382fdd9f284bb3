import type { Sql, TransactionSql } from "postgres";
import type { ClickUpTask } from "../../clickup/schemas.ts";
import { sqlJson } from "../../db/sql-json.ts";
import { type FieldDefinition, taskFields } from "../task-fields/index.ts";

interface CaseAssignee {
  id: number;
  username: string | null;
  email: string | null;
}

/**
 * tracked_cases columns from one ClickUp task (only what the flow needs; no descriptions), with the task
 * fields segments and signals read (src/sync/task-fields; `definitions` name options a payload leaves
 * out). `lastActivityAt` is the task's `date_updated`: a change ClickUp recorded (docs/flow-metrics.md
 * §8.3); callers keep a later one they already hold.
 */
export function caseValues(
  bindingId: number,
  task: ClickUpTask,
  definitions: readonly FieldDefinition[] = [],
) {
  const fields = taskFields(task, definitions);
  const assignees: CaseAssignee[] = task.assignees.map((a) => ({
    id: a.id,
    username: a.username ?? null,
    email: a.email ?? null,
  }));
  return {
    bindingId,
    taskId: task.id,
    customId: task.custom_id ?? null,
    name: task.name,
    url: task.url ?? `https://app.clickup.com/t/${task.id}`,
    homeListId: task.list.id,
    parentTaskId: task.parent,
    statusName: task.status.status,
    statusType: task.status.type,
    statusOrderindex: task.status.orderindex ?? 0,
    statusId: task.status.id ?? null,
    dateCreated: new Date(task.date_created),
    dateUpdated: new Date(task.date_updated),
    dateDone: task.date_done === null ? null : new Date(task.date_done),
    dateClosed: task.date_closed === null ? null : new Date(task.date_closed),
    archived: task.archived,
    assignees,
    tracked: true,
    deletedAt: null,
    tags: fields.tags,
    priority: fields.priority,
    taskTypeId: fields.taskTypeId,
    fieldValues: fields.fieldValues,
    waitingOn: fields.waitingOn,
    lastActivityAt: new Date(task.date_updated),
  };
}

/** tracked_cases columns from a task, snake_case for postgres.js helpers (`sql` encodes the JSON column). */
export function caseRow(
  sql: Sql | TransactionSql,
  bindingId: number,
  task: ClickUpTask,
  definitions: readonly FieldDefinition[] = [],
) {
  const v = caseValues(bindingId, task, definitions);
  return {
    binding_id: v.bindingId,
    task_id: v.taskId,
    custom_id: v.customId,
    name: v.name,
    url: v.url,
    home_list_id: v.homeListId,
    parent_task_id: v.parentTaskId,
    status_name: v.statusName,
    status_type: v.statusType,
    status_orderindex: v.statusOrderindex,
    status_id: v.statusId,
    date_created: v.dateCreated,
    date_updated: v.dateUpdated,
    date_done: v.dateDone,
    date_closed: v.dateClosed,
    archived: v.archived,
    assignees: sqlJson(sql, v.assignees),
    tracked: true,
    deleted_at: null,
    tags: v.tags,
    priority: v.priority,
    task_type_id: v.taskTypeId,
    field_values: sqlJson(sql, v.fieldValues),
    waiting_on: v.waitingOn,
    last_activity_at: v.lastActivityAt,
  };
}
