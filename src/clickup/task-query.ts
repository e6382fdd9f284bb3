/** Filters for the task endpoints (docs/clickup.md §4), in our names; `page` is managed by the iterators. */
export interface TaskQuery {
  archived?: boolean;
  includeClosed?: boolean;
  subtasks?: boolean;
  includeTiml?: boolean;
  statuses?: string[];
  assignees?: (string | number)[];
  orderBy?: "id" | "created" | "updated" | "due_date";
  reverse?: boolean;
  dateUpdatedGt?: number;
  dateUpdatedLt?: number;
  dateCreatedGt?: number;
  dateCreatedLt?: number;
  dateDoneGt?: number;
  dateDoneLt?: number;
  /** Team tasks only. */
  spaceIds?: string[];
  /** Team tasks only: folders, which the API still calls projects. */
  folderIds?: string[];
  /** Team tasks only. */
  listIds?: string[];
  /** First page to fetch, 0-based. */
  startPage?: number;
}

export function taskQueryParams(q: TaskQuery, page: number): URLSearchParams {
  const p = new URLSearchParams();
  const flag = (name: string, v: boolean | undefined) => v !== undefined && p.set(name, String(v));
  const num = (name: string, v: number | undefined) => v !== undefined && p.set(name, String(Math.trunc(v)));
  const arr = (name: string, v: (string | number)[] | undefined) => {
    for (const item of v ?? []) p.append(`${name}[]`, String(item));
  };
  flag("archived", q.archived);
  flag("include_closed", q.includeClosed);
  flag("subtasks", q.subtasks);
  flag("include_timl", q.includeTiml);
  flag("reverse", q.reverse);
  if (q.orderBy) p.set("order_by", q.orderBy);
  arr("statuses", q.statuses);
  arr("assignees", q.assignees);
  arr("space_ids", q.spaceIds);
  arr("project_ids", q.folderIds);
  arr("list_ids", q.listIds);
  num("date_updated_gt", q.dateUpdatedGt);
  num("date_updated_lt", q.dateUpdatedLt);
  num("date_created_gt", q.dateCreatedGt);
  num("date_created_lt", q.dateCreatedLt);
  num("date_done_gt", q.dateDoneGt);
  num("date_done_lt", q.dateDoneLt);
  p.set("page", String(page));
  return p;
}
