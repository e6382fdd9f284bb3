import { historyFieldJson, historyValue } from "./custom-fields.ts";
import { priorityJson } from "./priority.ts";
import { tagJson } from "./serialize.ts";
import { type FakeState, mustGet } from "./state.ts";
import type {
  CustomFieldRec,
  CustomFieldValue,
  DependencyRec,
  PriorityId,
  TagRec,
  TaskRec,
  UserRec,
} from "./types.ts";
import { fieldChangedEvents, historyItem, type PendingEvent, taskScope } from "./webhook-payloads.ts";

// Payloads for the fields segments rest on (docs/clickup.md §15). Tag, priority and assignee changes have
// their own event plus taskUpdated; custom-field changes only taskUpdated, with the definition attached.

/** Field `tag` for an added tag (after = [tag]); `tag_removed` for a removed one (before = [tag]). */
export function tagEvents(
  state: FakeState,
  task: TaskRec,
  change: { added: TagRec } | { removed: TagRec },
  user: UserRec,
  at: number,
): PendingEvent[] {
  const item =
    "added" in change
      ? { field: "tag", before: null, after: [tagJson(change.added)] }
      : { field: "tag_removed", before: [tagJson(change.removed)], after: null };
  return fieldChangedEvents(state, task, "taskTagUpdated", item, user, at);
}

export function priorityEvents(
  state: FakeState,
  task: TaskRec,
  before: PriorityId | null,
  user: UserRec,
  at: number,
): PendingEvent[] {
  const side = (p: PriorityId | null) => (p === null ? null : priorityJson(p));
  const item = { field: "priority", before: side(before), after: side(task.priority) };
  return fieldChangedEvents(state, task, "taskPriorityUpdated", item, user, at);
}

export function customFieldEvents(
  state: FakeState,
  task: TaskRec,
  field: CustomFieldRec,
  values: { before: CustomFieldValue | undefined; after: CustomFieldValue | undefined },
  user: UserRec,
  at: number,
): PendingEvent[] {
  const item = historyItem(state, {
    field: "custom_field",
    at,
    listId: task.listId,
    user,
    before: historyValue(state, field, values.before),
    after: historyValue(state, field, values.after),
  });
  item.custom_field = historyFieldJson(field);
  return [
    {
      event: "taskUpdated",
      scopes: [taskScope(state, task)],
      fields: { task_id: task.id },
      historyItems: [item],
    },
  ];
}

/**
 * ClickUp names no event for dependencies (§15.5): the fake sends taskUpdated to both tasks, with an item
 * of the fake's own making (field `dependency`, the record before/after), so receivers see activity.
 */
export function dependencyEvents(
  state: FakeState,
  dep: DependencyRec,
  change: "added" | "removed",
  user: UserRec,
  at: number,
): PendingEvent[] {
  const record = { task_id: dep.taskId, depends_on: dep.dependsOn };
  const item = change === "added" ? { before: null, after: record } : { before: record, after: null };
  return [dep.taskId, dep.dependsOn].flatMap((id) =>
    fieldChangedEvents(
      state,
      mustGet(state.tasks, id, "task"),
      "taskUpdated",
      { field: "dependency", ...item },
      user,
      at,
    ),
  );
}

/** No documented event either (§15.5): taskUpdated with field `custom_item_id`, the fake's own item. */
export function taskTypeEvents(
  state: FakeState,
  task: TaskRec,
  before: number | null,
  user: UserRec,
  at: number,
): PendingEvent[] {
  const item = { field: "custom_item_id", before, after: task.customItemId };
  return fieldChangedEvents(state, task, "taskUpdated", item, user, at);
}
