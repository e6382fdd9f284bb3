import type { ClickUpCustomField } from "../../clickup/schemas.ts";
import { sortedUnique } from "./canonical.ts";
import { type FieldKind, type FieldOption, type FieldValue, KEPT_FIELD_KINDS } from "./types.ts";

export function isKeptKind(type: string | null | undefined): type is FieldKind {
  return KEPT_FIELD_KINDS.some((k) => k === type);
}

/** The options of a custom field as a task or a fields endpoint carries them (drop-downs name them, labels label them). */
export function optionsOf(field: Pick<ClickUpCustomField, "type_config">): FieldOption[] {
  return (field.type_config?.options ?? []).map((o) => ({
    id: o.id,
    name: o.name ?? o.label ?? "",
    orderindex: o.orderindex,
  }));
}

/** An option named by id: a string, a number, or an option object `{id, …}`. */
function optionIdOf(raw: unknown): string | null {
  if (typeof raw === "string") return raw.trim() === "" ? null : raw;
  if (typeof raw === "number" && Number.isFinite(raw)) return String(raw);
  if (raw !== null && typeof raw === "object" && "id" in raw) return optionIdOf(raw.id);
  return null;
}

/**
 * A drop-down's value. Task payloads name the chosen option by its `orderindex` (a number, sometimes
 * sent as a string), webhook items and writes by option id (docs/clickup.md §13.4, §15.4); an exact id
 * match is tried first, then the position. A position that matches no known option is unreadable (null), never
 * guessed.
 */
function dropDownOption(raw: unknown, options: readonly FieldOption[]): string | null {
  const asId = optionIdOf(raw);
  if (asId === null) return null;
  if (options.some((o) => o.id === asId)) return asId;
  const position = typeof raw === "number" || typeof raw === "string" ? Number(raw) : Number.NaN;
  if (Number.isInteger(position)) return options.find((o) => o.orderindex === position)?.id ?? null;
  // A non-numeric string is an option id even when the definitions do not (yet) list it.
  return typeof raw === "string" ? asId : null;
}

/** Labels: an array of option ids (or option objects); a lone id is read as a one-element array. */
function labelOptions(raw: unknown): string[] {
  const items = Array.isArray(raw) ? raw : [raw];
  return sortedUnique(items.map(optionIdOf).filter((id): id is string => id !== null));
}

/**
 * A kept custom field's value in ClickUp's encoding for its type, as flowbot keeps it; null when the
 * field is unset (absent value, null, no option, no label, unticked) or its value cannot be read.
 * A checkbox is ticked when its value is `true` or `"true"` (custom field values are often strings).
 */
export function decodeFieldValue(
  fieldId: string,
  kind: FieldKind,
  raw: unknown,
  options: readonly FieldOption[],
): FieldValue | null {
  if (raw === undefined || raw === null) return null;
  switch (kind) {
    case "drop_down": {
      const optionId = dropDownOption(raw, options);
      return optionId === null ? null : { fieldId, kind, optionIds: [optionId] };
    }
    case "labels": {
      const optionIds = labelOptions(raw);
      return optionIds.length === 0 ? null : { fieldId, kind, optionIds };
    }
    case "checkbox":
      return raw === true || raw === "true" ? { fieldId, kind, checked: true } : null;
  }
}

/** Field values in their canonical order (by field id), one per field. */
export function sortFieldValues(values: Iterable<FieldValue>): FieldValue[] {
  const byId = new Map<string, FieldValue>();
  for (const v of values) byId.set(v.fieldId, v);
  return [...byId.values()].sort((a, b) => (a.fieldId < b.fieldId ? -1 : a.fieldId > b.fieldId ? 1 : 0));
}
