import type { ClickUpTask } from "../../clickup/schemas.ts";

export interface CaseAssignee {
  id: number;
  username: string | null;
  email: string | null;
}

/** tracked_cases columns from one ClickUp task (only what the flow needs; no descriptions). */
export function caseValues(bindingId: number, task: ClickUpTask) {
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
  };
}

export type CaseValues = ReturnType<typeof caseValues>;
