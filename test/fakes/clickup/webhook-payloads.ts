import { userRefJson } from "./serialize.ts";
import { type FakeState, mustGet, nextHistoryId } from "./state.ts";
import type { StatusDef, TaskRec, UserRec } from "./types.ts";

/** Where an event happened; webhooks are matched against it by their most specific location. */
export interface EventScope {
  teamId: string;
  spaceId: string;
  folderId: string | null;
  listId: string | null;
  taskId: string | null;
}

/** An event before it is addressed to a webhook: `fields` follow `event` and precede `webhook_id`. */
export interface PendingEvent {
  event: string;
  scopes: EventScope[];
  fields: Record<string, unknown>;
  historyItems?: HistoryItem[];
}

export interface HistoryItem {
  id: string;
  type: number;
  date: string;
  field: string;
  parent_id: string;
  data: Record<string, unknown>;
  source: null;
  user: ReturnType<typeof userRefJson>;
  before: unknown;
  after: unknown;
  comment?: unknown;
  /** Custom-field items carry the field's definition (docs/clickup.md §15.4). */
  custom_field?: unknown;
}

export function taskScope(state: FakeState, task: TaskRec, listId = task.listId): EventScope {
  const list = mustGet(state.lists, listId, "list");
  return { teamId: task.teamId, spaceId: list.spaceId, folderId: list.folderId, listId, taskId: task.id };
}

function statusPayload(s: StatusDef) {
  return { status: s.status, color: s.color, orderindex: s.orderindex, type: s.type };
}

export function historyItem(
  state: FakeState,
  parts: { field: string; at: number; listId: string; user: UserRec; before: unknown; after: unknown },
  data: Record<string, unknown> = {},
): HistoryItem {
  return {
    id: nextHistoryId(state),
    type: 1,
    date: String(parts.at),
    field: parts.field,
    parent_id: parts.listId,
    data,
    source: null,
    user: userRefJson(parts.user),
    before: parts.before,
    after: parts.after,
  };
}

/** Create: taskCreated with two items, then taskStatusUpdated re-using the status item (docs/clickup.md §5.4). */
export function taskCreatedEvents(
  state: FakeState,
  task: TaskRec,
  user: UserRec,
  at: number,
): PendingEvent[] {
  const scope = taskScope(state, task);
  const statusItem = historyItem(
    state,
    {
      field: "status",
      at,
      listId: task.listId,
      user,
      before: { status: null, color: "#000000", type: "removed", orderindex: -1 },
      after: statusPayload(task.status),
    },
    { status_type: task.status.type },
  );
  const creation = historyItem(state, {
    field: "task_creation",
    at,
    listId: task.listId,
    user,
    before: null,
    after: null,
  });
  return [
    {
      event: "taskCreated",
      scopes: [scope],
      fields: { task_id: task.id },
      historyItems: [statusItem, creation],
    },
    { event: "taskStatusUpdated", scopes: [scope], fields: { task_id: task.id }, historyItems: [statusItem] },
  ];
}

/** A specific event plus taskUpdated, both carrying the same history item. */
export function withTaskUpdated(
  event: string,
  scopes: EventScope[],
  taskId: string,
  item: HistoryItem,
): PendingEvent[] {
  return [
    { event, scopes, fields: { task_id: taskId }, historyItems: [item] },
    { event: "taskUpdated", scopes, fields: { task_id: taskId }, historyItems: [item] },
  ];
}

export function statusChangedEvents(
  state: FakeState,
  task: TaskRec,
  before: StatusDef,
  user: UserRec,
  at: number,
): PendingEvent[] {
  const item = historyItem(
    state,
    {
      field: "status",
      at,
      listId: task.listId,
      user,
      before: statusPayload(before),
      after: statusPayload(task.status),
    },
    { status_type: task.status.type },
  );
  return withTaskUpdated("taskStatusUpdated", [taskScope(state, task)], task.id, item);
}

/** Move payloads use the legacy naming: `category` = folder, `project` = space (docs/clickup.md §5.4). */
function listLocation(state: FakeState, listId: string) {
  const list = mustGet(state.lists, listId, "list");
  const space = mustGet(state.spaces, list.spaceId, "space");
  const folder = list.folderId ? mustGet(state.folders, list.folderId, "folder") : null;
  return {
    id: list.id,
    name: list.name,
    category: folder
      ? { id: folder.id, name: folder.name, hidden: false }
      : { id: space.hiddenFolderId, name: "hidden", hidden: true },
    project: { id: space.id, name: space.name },
  };
}

export function taskMovedEvents(
  state: FakeState,
  task: TaskRec,
  fromListId: string,
  user: UserRec,
  at: number,
): PendingEvent[] {
  const item = historyItem(state, {
    field: "section_moved",
    at,
    listId: task.listId,
    user,
    before: listLocation(state, fromListId),
    after: listLocation(state, task.listId),
  });
  // Webhooks scoped to either the old or the new location hear about the move.
  const scopes = [taskScope(state, task), taskScope(state, task, fromListId)];
  const spaceIds = [...new Set(scopes.map((s) => s.spaceId))];
  return [
    ...withTaskUpdated("taskMoved", scopes, task.id, item),
    ...spaceIds.map((spaceId) => ({
      event: "spaceUpdated",
      scopes: [{ teamId: task.teamId, spaceId, folderId: null, listId: null, taskId: null }],
      fields: { space_id: spaceId },
    })),
  ];
}

export function taskDeletedEvents(state: FakeState, task: TaskRec): PendingEvent[] {
  return [{ event: "taskDeleted", scopes: [taskScope(state, task)], fields: { task_id: task.id } }];
}

export function fieldChangedEvents(
  state: FakeState,
  task: TaskRec,
  event: string,
  change: { field: string; before: unknown; after: unknown },
  user: UserRec,
  at: number,
): PendingEvent[] {
  const item = historyItem(state, { ...change, at, listId: task.listId, user });
  const scopes = [taskScope(state, task)];
  return event === "taskUpdated"
    ? [{ event, scopes, fields: { task_id: task.id }, historyItems: [item] }]
    : withTaskUpdated(event, scopes, task.id, item);
}

/** A comment posted (a reply too) or edited: its event plus taskUpdated, the whole comment in the item. */
export function commentPostedEvents(
  state: FakeState,
  task: TaskRec,
  comment: unknown,
  user: UserRec,
  at: number,
  event: "taskCommentPosted" | "taskCommentUpdated" = "taskCommentPosted",
): PendingEvent[] {
  const item = historyItem(state, {
    field: "comment",
    at,
    listId: task.listId,
    user,
    before: null,
    after: null,
  });
  item.comment = comment;
  return withTaskUpdated(event, [taskScope(state, task)], task.id, item);
}
