import type { Context } from "hono";
import { arrayParam, boolParam, intParam } from "./http.ts";
import type { TaskRec } from "./types.ts";

export const PAGE_SIZE = 100;

type OrderBy = "id" | "created" | "updated" | "due_date";

/** The filters shared by GET /list/{id}/task and GET /team/{id}/task (reference §4.1–4.2). */
export interface TaskFilter {
  archived: boolean;
  includeClosed: boolean;
  subtasks: boolean;
  statuses: Set<string> | null;
  assignees: Set<number> | null;
  parent: string | null;
  ranges: {
    key: "dateCreated" | "dateUpdated" | "dateDone" | "dueDate";
    gt: number | null;
    lt: number | null;
  }[];
  orderBy: OrderBy;
  reverse: boolean;
  page: number;
}

export function parseTaskFilter(c: Context): TaskFilter {
  const statuses = arrayParam(c, "statuses");
  const assignees = arrayParam(c, "assignees");
  const orderBy = c.req.query("order_by");
  const range = (key: TaskFilter["ranges"][number]["key"], name: string) => ({
    key,
    gt: intParam(c, `${name}_gt`),
    lt: intParam(c, `${name}_lt`),
  });
  return {
    archived: boolParam(c, "archived"),
    includeClosed: boolParam(c, "include_closed"),
    subtasks: boolParam(c, "subtasks"),
    statuses: statuses ? new Set(statuses.map((s) => s.toLowerCase())) : null,
    assignees: assignees ? new Set(assignees.map(Number)) : null,
    parent: c.req.query("parent") ?? null,
    ranges: [
      range("dateCreated", "date_created"),
      range("dateUpdated", "date_updated"),
      range("dateDone", "date_done"),
      range("dueDate", "due_date"),
    ].filter((r) => r.gt !== null || r.lt !== null),
    orderBy: orderBy === "id" || orderBy === "updated" || orderBy === "due_date" ? orderBy : "created",
    reverse: boolParam(c, "reverse"),
    page: Math.max(0, Math.floor(intParam(c, "page") ?? 0)),
  };
}

export function matchesFilter(task: TaskRec, f: TaskFilter, doneCountsAsClosed: boolean): boolean {
  // archived=true returns only archived tasks, not both (observed, reference §3).
  if (task.archived !== f.archived) return false;
  if (f.parent !== null) {
    if (task.parent !== f.parent) return false;
  } else if (!f.subtasks && task.parent !== null) return false;
  // Asking for statuses by name returns them even when closed; otherwise closed ones need include_closed.
  if (!f.includeClosed && !f.statuses) {
    if (task.status.type === "closed" || (doneCountsAsClosed && task.status.type === "done")) return false;
  }
  if (f.statuses && !f.statuses.has(task.status.status.toLowerCase())) return false;
  if (f.assignees && !task.assignees.some((id) => f.assignees?.has(id))) return false;
  for (const r of f.ranges) {
    const value = task[r.key];
    if (value === null) return false;
    // date_updated_gt is inclusive in practice (observed, reference §10.15); the others are strict.
    if (r.gt !== null && (r.key === "dateUpdated" ? value < r.gt : value <= r.gt)) return false;
    if (r.lt !== null && value >= r.lt) return false;
  }
  return true;
}

const sortKey: Record<OrderBy, (t: TaskRec) => number> = {
  id: (t) => t.orderindex,
  created: (t) => t.dateCreated,
  updated: (t) => t.dateUpdated,
  due_date: (t) => t.dueDate ?? Number.MAX_SAFE_INTEGER,
};

/** Newest first by default (observed for order_by=updated), `reverse=true` flips it; 0-based pages of 100. */
export function sortAndPage(tasks: TaskRec[], f: TaskFilter): { page: TaskRec[]; lastPage: boolean } {
  const key = sortKey[f.orderBy];
  const dir = f.reverse ? 1 : -1;
  tasks.sort((a, b) => dir * (key(a) - key(b) || a.orderindex - b.orderindex));
  const start = f.page * PAGE_SIZE;
  return { page: tasks.slice(start, start + PAGE_SIZE), lastPage: start + PAGE_SIZE >= tasks.length };
}
