import type { FieldValue, TaskFields } from "./types.ts";

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function sameValue(a: FieldValue, b: FieldValue): boolean {
  if (a.fieldId !== b.fieldId || a.kind !== b.kind) return false;
  if (a.kind === "checkbox" || b.kind === "checkbox") return true;
  return sameList(a.optionIds, b.optionIds);
}

/**
 * Whether two readings of a task's kept fields are equal. Compared field by field rather than as JSON:
 * values read back from a jsonb column come with their keys in Postgres's order, not ours.
 */
export function sameTaskFields(a: TaskFields, b: TaskFields): boolean {
  return (
    a.priority === b.priority &&
    a.taskTypeId === b.taskTypeId &&
    a.homeListId === b.homeListId &&
    sameList(a.tags, b.tags) &&
    sameList(a.waitingOn, b.waitingOn) &&
    a.fieldValues.length === b.fieldValues.length &&
    a.fieldValues.every((v, i) => sameValue(v, b.fieldValues[i]!))
  );
}
