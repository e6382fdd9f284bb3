/*
 * The task fields flowbot keeps for segments and the ageing/blocked signals (issue 14): read from the
 * task payloads the backfill and reconcile already fetch, and kept current by webhook history items.
 * Every list is in one canonical order (sorted, no repeats) so that two readings of the same task are
 * equal value for value, and "did anything change" is a plain comparison.
 */

export const PRIORITIES = ["urgent", "high", "normal", "low"] as const;
/** ClickUp's four priorities, 1 = urgent … 4 = low. */
export type Priority = (typeof PRIORITIES)[number];

/** The custom field types flowbot keeps values of; every other type is ignored. */
export const KEPT_FIELD_KINDS = ["drop_down", "labels", "checkbox"] as const;
export type FieldKind = (typeof KEPT_FIELD_KINDS)[number];

/**
 * One set custom field. An unset field has no entry: a drop-down with no option chosen, labels with none
 * applied and an unticked checkbox are all absent, so each state has exactly one form. Options are named
 * by their ClickUp option id (stable when options are renamed or reordered), never by position.
 */
export type FieldValue =
  | { fieldId: string; kind: "drop_down"; optionIds: [string] }
  | { fieldId: string; kind: "labels"; optionIds: string[] }
  | { fieldId: string; kind: "checkbox"; checked: true };

export interface TaskFields {
  /** Tag names, lower-cased (ClickUp shows and matches tags case-insensitively). */
  tags: string[];
  priority: Priority | null;
  /** ClickUp's `custom_item_id`: 0 a plain task (ClickUp sends null or 0 for it), 1 a milestone, else a workspace type. */
  taskTypeId: number;
  /** Sorted by field id. */
  fieldValues: FieldValue[];
  /** Ids of the tasks this task waits on (its "waiting on" dependencies). */
  waitingOn: string[];
  /** The task's home list. */
  homeListId: string;
}

/** A drop-down or labels option of a field definition. */
export interface FieldOption {
  id: string;
  name: string;
  /** A drop-down option's position, which is what a task's drop-down value names; null for labels. */
  orderindex: number | null;
}

/** A custom field definition, as cached per binding (custom_field_definitions). */
export interface FieldDefinition {
  fieldId: string;
  name: string;
  kind: FieldKind;
  options: FieldOption[];
}
