import type { TransactionSql } from "postgres";
import {
  applyHistoryItem,
  type FieldDefinition,
  type FieldKind,
  KEPT_FIELD_KINDS,
  type Priority,
  sameTaskFields,
  type TaskFields,
  tagKey,
} from "../task-fields/index.ts";
import { byHistoryOrder } from "./history-order.ts";
import type { DeliveryItem } from "./parse-delivery.ts";

/** History item fields that change a kept task field (docs/clickup.md §15); a move is the moved change's. */
const FIELD_ITEMS = ["tag", "tag_removed", "priority", "custom_field"];

export interface FieldItemsInput {
  caseId: number;
  bindingId: number;
  taskId: string;
  /** The deliveries' history items, any field, each once. */
  items: readonly DeliveryItem[];
  /** Items at or before this were already in the REST read the case was just made from. */
  restAsOf: number;
}

/**
 * Runs a task's history items through the kept task fields (src/sync/task-fields: applyHistoryItem), in
 * ClickUp's order, on the case locked by the caller. Tag, priority and custom field items change the
 * fields — unless a later item on the same tag, the priority or the same custom field was applied by an
 * earlier run, since deliveries come in any order and the newest must win (as for names and assignees).
 * Every readable item, whatever its field (a status, a comment, a due date…), is activity at ClickUp's
 * instant: last_activity_at only moves forward (docs/flow-metrics.md §8.3).
 */
export async function applyFieldItems(tx: TransactionSql, input: FieldItemsInput): Promise<void> {
  const ordered = [...input.items].sort(byHistoryOrder);
  if (ordered.length === 0) return;
  const candidates = ordered.filter((i) => isFieldItem(i) && i.at > input.restAsOf);
  let before: TaskFields | null = null;
  let fields: TaskFields | null = null;
  let definitions: readonly FieldDefinition[] = [];
  let newer: { at: number; keys: string[] }[] = [];
  if (candidates.length > 0) {
    [before, definitions, newer] = await Promise.all([
      loadFields(tx, input.caseId),
      candidates.some((i) => i.field === "custom_field") ? loadDefinitions(tx, input.bindingId) : [],
      laterApplied(tx, input.taskId, Math.min(...candidates.map((i) => i.at))),
    ]);
    fields = before;
  }

  let activity: number | null = null;
  const steps: { at: number; fields: TaskFields }[] = [];
  for (const item of ordered) {
    // Without candidates no item changes anything; applied to empty fields only for activity.
    const applied = applyHistoryItem(fields ?? EMPTY, item.raw, definitions);
    if (applied.activity && applied.at !== null) activity = Math.max(activity ?? applied.at, applied.at);
    if (fields === null || !applied.changed || !isFieldItem(item) || item.at <= input.restAsOf) continue;
    const keys = keysOf(item.raw);
    if (newer.some((n) => n.at > item.at && n.keys.some((k) => keys.includes(k)))) continue;
    fields = applied.fields;
    steps.push({ at: item.at, fields });
  }

  if (fields !== null && before !== null && !sameTaskFields(fields, before)) {
    await writeSteps(tx, input.caseId, steps);
  }

  if (fields !== null && before !== null && !sameTaskFields(fields, before)) {
    await tx`
      update tracked_cases set tags = ${fields.tags}::text[], priority = ${fields.priority}::task_priority,
        field_values = ${tx.json(fields.fieldValues)},
        last_activity_at = greatest(last_activity_at, ${activity === null ? null : new Date(activity)}::timestamptz)
      where id = ${input.caseId}`;
  } else if (activity !== null) {
    await tx`
      update tracked_cases set last_activity_at = greatest(last_activity_at, ${new Date(activity)}::timestamptz)
      where id = ${input.caseId}`;
  }
}

/**
 * Writes each change at its history item's instant, so that the blocked intervals a tag or field value
 * opens or closes start and end at ClickUp's time (db/functions/blocked-intervals.sql reads
 * `flowbot.blocked_change_at`; docs/flow-metrics.md §6.1, §9.2). The setting is cleared afterwards, since
 * the rest of the transaction's writes are not these changes.
 */
async function writeSteps(
  tx: TransactionSql,
  caseId: number,
  steps: readonly { at: number; fields: TaskFields }[],
): Promise<void> {
  for (const { at, fields } of steps) {
    await tx`select set_config('flowbot.blocked_change_at', ${new Date(at).toISOString()}, true)`;
    await tx`
      update tracked_cases set tags = ${fields.tags}::text[], priority = ${fields.priority}::task_priority,
        field_values = ${tx.json(fields.fieldValues)}
      where id = ${caseId}`;
  }
  await tx`select set_config('flowbot.blocked_change_at', '', true)`;
}

const EMPTY: TaskFields = {
  tags: [],
  priority: null,
  taskTypeId: 0,
  fieldValues: [],
  waitingOn: [],
  homeListId: "",
};

const isFieldItem = (item: DeliveryItem) => item.field !== null && FIELD_ITEMS.includes(item.field);

/** What an item changes, for "a later change of the same thing": `tag:<key>`, `priority`, `field:<id>`. */
function keysOf(raw: unknown): string[] {
  if (raw === null || typeof raw !== "object") return [];
  const item = raw as { field?: unknown; before?: unknown; after?: unknown; custom_field?: unknown };
  if (item.field === "priority") return ["priority"];
  if (item.field === "custom_field") {
    const field = item.custom_field as { id?: unknown } | null | undefined;
    const id =
      field && (typeof field.id === "string" || typeof field.id === "number") ? String(field.id) : null;
    return id === null ? [] : [`field:${id}`];
  }
  if (item.field === "tag" || item.field === "tag_removed") {
    const names: string[] = [];
    for (const side of [item.before, item.after]) {
      for (const tag of Array.isArray(side) ? side : side == null ? [] : [side]) {
        const name = typeof tag === "string" ? tag : (tag as { name?: unknown } | null)?.name;
        const key = typeof name === "string" ? tagKey(name) : null;
        if (key !== null) names.push(`tag:${key}`);
      }
    }
    return names;
  }
  return [];
}

/** The case's kept fields, as stored. */
async function loadFields(tx: TransactionSql, caseId: number): Promise<TaskFields> {
  const [row] = await tx<
    {
      tags: string[];
      priority: Priority | null;
      taskTypeId: number;
      fieldValues: TaskFields["fieldValues"];
      waitingOn: string[];
      homeListId: string;
    }[]
  >`
    select tags, priority::text as priority, task_type_id as "taskTypeId", field_values as "fieldValues",
      waiting_on as "waitingOn", home_list_id as "homeListId"
    from tracked_cases where id = ${caseId}`;
  return row ?? EMPTY;
}

/** The binding's cached definitions: options for a custom field item that does not carry its own. */
async function loadDefinitions(tx: TransactionSql, bindingId: number): Promise<FieldDefinition[]> {
  const rows = await tx<
    { fieldId: string; name: string; kind: string; options: FieldDefinition["options"] }[]
  >`
    select field_id as "fieldId", name, kind, options from custom_field_definitions
    where binding_id = ${bindingId} order by field_id`;
  return rows.flatMap((r) =>
    KEPT_FIELD_KINDS.includes(r.kind as FieldKind) ? [{ ...r, kind: r.kind as FieldKind }] : [],
  );
}

/** Kept-field items of the task that earlier runs applied, later than `after`, with what each changed. */
async function laterApplied(
  tx: TransactionSql,
  taskId: string,
  after: number,
): Promise<{ at: number; keys: string[] }[]> {
  const rows = await tx<{ item: unknown; at: string }[]>`
    select h as item, h->>'date' as at
    from webhook_deliveries d, jsonb_array_elements(d.body->'history_items') h
    where d.task_id = ${taskId} and d.outcome = 'applied' and h->>'field' = any(${FIELD_ITEMS}::text[])
      -- At most 18 digits: a longer "date" (a hostile payload) would overflow bigint and fail every run.
      and h->>'date' ~ '^[0-9]{1,18}$' and (h->>'date')::bigint > ${after}`;
  return rows.map((r) => ({ at: Number(r.at), keys: keysOf(r.item) }));
}
