import type { ClickUpTask } from "../../clickup/schemas.ts";
import { sortedUnique, tagKey } from "./canonical.ts";
import { decodeFieldValue, isKeptKind, optionsOf, sortFieldValues } from "./custom-field-values.ts";
import { priorityOf } from "./priority.ts";
import type { FieldDefinition, FieldValue, TaskFields } from "./types.ts";

/** ClickUp's `custom_item_id` as flowbot's task type: null (ClickUp's plain task) and anything unreadable are 0. */
function taskTypeIdOf(raw: number | null): number {
  return raw !== null && Number.isSafeInteger(raw) && raw >= 0 ? raw : 0;
}

/**
 * The fields flowbot keeps of one task, from the payload the backfill or reconcile already has (no extra
 * request). A custom field's options come with it in the task; `definitions` (the binding's cached field
 * definitions) stand in where a payload leaves them out. Only drop-down, labels and checkbox fields are
 * kept; a dependency counts when this task is its waiting side (`task_id`), not when it blocks another
 * (docs/clickup.md §14.1).
 */
export function taskFields(task: ClickUpTask, definitions: readonly FieldDefinition[] = []): TaskFields {
  const values: FieldValue[] = [];
  for (const field of task.custom_fields) {
    if (!isKeptKind(field.type)) continue;
    const own = optionsOf(field);
    const options = own.length > 0 ? own : (definitions.find((d) => d.fieldId === field.id)?.options ?? []);
    const value = decodeFieldValue(field.id, field.type, field.value, options);
    if (value) values.push(value);
  }
  return {
    tags: sortedUnique(task.tags.map((t) => tagKey(t.name)).filter((t): t is string => t !== null)),
    priority: priorityOf(task.priority),
    taskTypeId: taskTypeIdOf(task.custom_item_id),
    fieldValues: sortFieldValues(values),
    waitingOn: sortedUnique(
      task.dependencies
        .filter((d) => d.task_id === task.id && d.depends_on !== task.id)
        .map((d) => d.depends_on),
    ),
    homeListId: task.list.id,
  };
}
