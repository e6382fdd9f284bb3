import type { Context } from "hono";
import { arrayParam, boolParam, intParam } from "./http.ts";
import type { TaskRec } from "./types.ts";

export const PAGE_SIZE = 100;

type OrderBy = "id" | "created" | "updated" | "due_date";

/** The filters shared by GET /list/{id}/task and GET /team/{id}/task (docs/clickup.md §4.1–4.2). */
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
  // archived=true returns only archived tasks, not both (observed, docs/clickup.md §3.2).
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
    // date_updated_gt is inclusive in practice (observed, docs/clickup.md §4.4); the others are strict.
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

interface SortedHits {
  version: number;
  hits: TaskRec[];
  sorted: TaskRec[];
}

/**
 * The last sorted results by query (all but the page number), so paging through a large workspace does
 * not filter and re-sort it for every page. An entry is reused as is while the world's version is the one
 * it was made at; after a change, only when the request matched exactly the same tasks and they are still
 * strictly in order (dates may have changed in place). So a page is always what a fresh sort would give.
 */
export class SortCache {
  readonly #entries = new Map<string, SortedHits>();
  readonly #capacity: number;

  constructor(capacity = 8) {
    this.#capacity = capacity;
  }

  /** The sorted matches of `key` if nothing at all changed since they were made. */
  unchanged(key: string, version: number): TaskRec[] | undefined {
    const entry = this.#entries.get(key);
    return entry?.version === version ? entry.sorted : undefined;
  }

  get(
    key: string,
    version: number,
    hits: TaskRec[],
    compare: (a: TaskRec, b: TaskRec) => number,
  ): TaskRec[] | undefined {
    const entry = this.#entries.get(key);
    if (!entry || entry.hits.length !== hits.length) return undefined;
    for (let i = 0; i < hits.length; i += 1) if (entry.hits[i] !== hits[i]) return undefined;
    for (let i = 1; i < entry.sorted.length; i += 1)
      if (compare(entry.sorted[i - 1]!, entry.sorted[i]!) >= 0) return undefined;
    // Most recently used last, so the first key is the one to evict.
    this.#entries.delete(key);
    this.#entries.set(key, { ...entry, version });
    return entry.sorted;
  }

  set(key: string, version: number, hits: TaskRec[], sorted: TaskRec[]) {
    this.#entries.delete(key);
    this.#entries.set(key, { version, hits, sorted });
    if (this.#entries.size > this.#capacity) this.#entries.delete(this.#entries.keys().next().value!);
  }
}

/** The query of a task request without its page number: requests for other pages of it share a sort. */
export function queryKey(url: string): string {
  const u = new URL(url);
  u.searchParams.delete("page");
  u.searchParams.sort();
  return `${u.pathname}?${u.searchParams}`;
}

export interface SortCacheRef {
  sorts: SortCache;
  key: string;
  version: number;
}

/**
 * Newest first by default (observed for order_by=updated), `reverse=true` flips it; 0-based pages of 100.
 * `matches` is called only when the cache cannot answer.
 */
export function sortAndPage(
  matches: () => TaskRec[],
  f: TaskFilter,
  cache?: SortCacheRef,
): { page: TaskRec[]; lastPage: boolean } {
  const key = sortKey[f.orderBy];
  const dir = f.reverse ? 1 : -1;
  const compare = (a: TaskRec, b: TaskRec) => dir * (key(a) - key(b) || a.orderindex - b.orderindex);
  let sorted = cache?.sorts.unchanged(cache.key, cache.version);
  if (!sorted) {
    const tasks = matches();
    sorted = cache?.sorts.get(cache.key, cache.version, tasks, compare);
    if (!sorted) {
      sorted = [...tasks].sort(compare);
      cache?.sorts.set(cache.key, cache.version, tasks, sorted);
    }
  }
  const start = f.page * PAGE_SIZE;
  return { page: sorted.slice(start, start + PAGE_SIZE), lastPage: start + PAGE_SIZE >= sorted.length };
}
