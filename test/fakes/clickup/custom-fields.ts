import { userRefJson } from "./serialize.ts";
import { type FakeState, fieldsOfList, mustGet } from "./state.ts";
import type { CustomFieldRec, CustomFieldType, CustomFieldValue, FieldOptionRec, TaskRec } from "./types.ts";

// Custom field definitions and values on the wire (docs/clickup.md §13). A value is kept in one internal
// form (types.ts CustomFieldValue) and written in two: the task payload's `value`, and the form a webhook
// history item carries (§15.4), which for choice fields is the option id rather than its orderindex.

/** What a seeder may pass as a value: an option id or name, option ids or labels, a boolean, user ids… */
export type CustomFieldInput =
  | string
  | number
  | boolean
  | readonly unknown[]
  | Record<string, unknown>
  | null;

/** type_config keys ClickUp sends for each type, before the caller's own (§13.2). */
const BASE_CONFIG: Partial<Record<CustomFieldType, Record<string, unknown>>> = {
  currency: { precision: 2, currency_type: "EUR" },
  emoji: { code_point: "2b50", count: 5 },
  manual_progress: { method: "manual", start: 0, end: 100 },
  automatic_progress: {
    method: "automatic",
    tracking: { subtasks: true, checklists: true, assigned_comments: true },
    complete_on: 3,
  },
  users: { single_user: false, include_groups: true, include_guests: true, include_team_members: true },
};

function typeConfigJson(field: CustomFieldRec): Record<string, unknown> {
  const base = BASE_CONFIG[field.type] ?? {};
  if (field.type === "drop_down") {
    // A drop_down option has a `name` and an `orderindex`; the task's value is that orderindex (§13.4).
    const options = field.options.map((o) => ({
      id: o.id,
      name: o.name,
      color: o.color,
      orderindex: o.orderindex,
    }));
    return { default: 0, placeholder: null, ...field.typeConfig, options };
  }
  if (field.type === "labels") {
    // A labels option has a `label` and no orderindex; the task's value is the chosen ids (§13.4).
    const options = field.options.map((o) => ({ id: o.id, label: o.name, color: o.color }));
    return { ...field.typeConfig, options };
  }
  return { ...base, ...field.typeConfig };
}

/** One entry of GET /list/{id}/field. */
export function customFieldJson(field: CustomFieldRec) {
  return {
    id: field.id,
    name: field.name,
    type: field.type,
    type_config: typeConfigJson(field),
    date_created: String(field.dateCreated),
    hide_from_guests: field.hideFromGuests,
    required: field.required,
  };
}

/** The definition as a custom-field history item embeds it, with the extra keys webhooks carry (§15.4). */
export function historyFieldJson(field: CustomFieldRec) {
  return {
    id: field.id,
    name: field.name,
    type: field.type,
    type_config: typeConfigJson(field),
    values_set: null,
    userid: String(field.creatorId),
    date_created: String(field.dateCreated),
    hide_from_guests: field.hideFromGuests,
    team_id: field.teamId,
    deleted: false,
    deleted_by: null,
    pinned: false,
    required: field.required,
    required_on_subtasks: false,
    linked_subcategory: null,
  };
}

const optionById = (field: CustomFieldRec, id: string) => field.options.find((o) => o.id === id);

/** The task payload's `value`, or undefined for "unset" (the key is then left out, §13.3). */
function wireValue(state: FakeState, field: CustomFieldRec, value: CustomFieldValue): unknown {
  switch (value.kind) {
    case "option":
      return optionById(field, value.optionId)?.orderindex;
    case "labels": {
      const ids = value.optionIds.filter((id) => optionById(field, id));
      return ids.length > 0 ? ids : undefined;
    }
    // A string, like most custom field values (§13.4); an unticked box reads as unset.
    case "checkbox":
      return value.checked ? "true" : undefined;
    case "users":
      return value.userIds.map((id) => userRefJson(mustGet(state.users, id, "user")));
    case "raw":
      return value.value;
  }
}

/** before/after of a custom-field history item: option ids for choice fields, else the payload form. */
export function historyValue(state: FakeState, field: CustomFieldRec, value: CustomFieldValue | undefined) {
  if (value === undefined) return null;
  if (value.kind === "option") return value.optionId;
  if (value.kind === "labels") return value.optionIds.length > 0 ? [...value.optionIds] : null;
  return wireValue(state, field, value) ?? null;
}

/** A task's `custom_fields`: every field its home list reaches, with `value` only where one is set. */
export function taskCustomFieldsJson(state: FakeState, task: TaskRec) {
  const list = mustGet(state.lists, task.listId, "list");
  return fieldsOfList(state, list).map((field) => {
    const stored = task.customValues.get(field.id);
    const value = stored === undefined ? undefined : wireValue(state, field, stored);
    const { required, ...definition } = customFieldJson(field);
    return value === undefined ? { ...definition, required } : { ...definition, value, required };
  });
}

function findOption(field: CustomFieldRec, wanted: string | number): FieldOptionRec {
  const option =
    typeof wanted === "number"
      ? field.options.find((o) => o.orderindex === wanted)
      : (optionById(field, wanted) ?? field.options.find((o) => o.name === wanted));
  if (!option) throw new Error(`ClickUp fake: field ${field.name} has no option ${String(wanted)}`);
  return option;
}

/** Turns a seeder's input into the kept form; null (or an unticked box) means "clear the value". */
export function toStoredValue(
  state: FakeState,
  field: CustomFieldRec,
  input: CustomFieldInput,
): CustomFieldValue | undefined {
  if (input === null) return undefined;
  switch (field.type) {
    case "drop_down":
      if (typeof input !== "string" && typeof input !== "number")
        throw new Error("ClickUp fake: a drop_down value is an option id, name or orderindex");
      return { kind: "option", optionId: findOption(field, input).id };
    case "labels": {
      if (!Array.isArray(input)) throw new Error("ClickUp fake: a labels value is an array of options");
      const ids = (input as readonly (string | number)[]).map((o) => findOption(field, o).id);
      return ids.length > 0 ? { kind: "labels", optionIds: [...new Set(ids)] } : undefined;
    }
    case "checkbox":
      return input === true || input === "true" ? { kind: "checkbox", checked: true } : undefined;
    case "users": {
      if (!Array.isArray(input)) throw new Error("ClickUp fake: a users value is an array of user ids");
      const ids = (input as readonly unknown[]).map(Number);
      for (const id of ids) mustGet(state.users, id, "user");
      return ids.length > 0 ? { kind: "users", userIds: ids } : undefined;
    }
    // Dates are ms timestamps, sent as strings like every other date (§8.1).
    case "date":
      return { kind: "raw", value: typeof input === "number" ? String(input) : input };
    default:
      return { kind: "raw", value: input };
  }
}

/** Stable comparison of two kept values, so setting the same value again is not a change. */
export function sameValue(a: CustomFieldValue | undefined, b: CustomFieldValue | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
