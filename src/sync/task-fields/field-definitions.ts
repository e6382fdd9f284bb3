import { z } from "zod";
import { type ClickUpCustomField, customFieldSchema } from "../../clickup/schemas.ts";
import { isKeptKind, optionsOf } from "./custom-field-values.ts";
import type { FieldDefinition } from "./types.ts";

/** What a field label or option name degrades to when ClickUp no longer has it. */
export const UNKNOWN_FIELD = "(unknown field)";
export const UNKNOWN_VALUE = "(unknown value)";

/**
 * The custom field definitions worth caching among `fields`: drop-down, labels and checkbox, sorted by
 * id. The same shape comes from the list, folder and space fields endpoints (`GET /v2/list/{id}/field`,
 * `/v2/folder/{id}/field`, `/v2/space/{id}/field`: `{fields: [...]}`) and with every task's custom fields
 * (docs/clickup.md §13.1–13.3).
 */
export function fieldDefinitionsOf(fields: readonly ClickUpCustomField[]): FieldDefinition[] {
  const byId = new Map<string, FieldDefinition>();
  for (const f of fields) {
    if (!isKeptKind(f.type)) continue;
    byId.set(f.id, {
      fieldId: f.id,
      name: f.name?.trim() || UNKNOWN_FIELD,
      kind: f.type,
      options: optionsOf(f),
    });
  }
  return [...byId.values()].sort((a, b) => (a.fieldId < b.fieldId ? -1 : a.fieldId > b.fieldId ? 1 : 0));
}

/** A fields endpoint's answer; a field of a shape flowbot cannot read is left out, not a failed answer. */
export function parseFieldsResponse(body: unknown): FieldDefinition[] {
  const parsed = z.object({ fields: z.array(z.unknown()) }).safeParse(body);
  if (!parsed.success) return [];
  return fieldDefinitionsOf(
    parsed.data.fields.flatMap((f) => {
      const field = customFieldSchema.safeParse(f);
      return field.success ? [field.data] : [];
    }),
  );
}

interface FieldLabel {
  name: string;
  known: boolean;
  /** For an unknown field, a sentence saying why it shows as "(unknown field)". */
  note: string | null;
}

/**
 * The name to show for a custom field a value or a setting refers to by id. One the binding's cached
 * definitions no longer list (deleted in ClickUp, or no longer on the bound lists) degrades to
 * "(unknown field)" with a note saying so, never an error (docs/clickup.md §13.5). A rename keeps the id, so it only changes the
 * name shown; a setting that names a field (findFieldByName) finds nothing after a rename and says the same.
 */
export function fieldLabel(fieldId: string, definitions: readonly FieldDefinition[]): FieldLabel {
  const field = definitions.find((d) => d.fieldId === fieldId);
  if (field) return { name: field.name, known: true, note: null };
  return {
    name: UNKNOWN_FIELD,
    known: false,
    note: `ClickUp no longer lists custom field ${fieldId} for this binding (it was deleted there or is not on these lists any more), so it shows as "${UNKNOWN_FIELD}".`,
  };
}

/** The name of a drop-down or labels option; "(unknown value)" (docs/flow-metrics.md §6.1) for one ClickUp no longer lists. */
export function optionLabel(
  fieldId: string,
  optionId: string,
  definitions: readonly FieldDefinition[],
): string {
  const field = definitions.find((d) => d.fieldId === fieldId);
  return field?.options.find((o) => o.id === optionId)?.name || UNKNOWN_VALUE;
}

/**
 * A field a user names in `/flow settings` or `/flow report` (`priority:…` aside), matched without regard
 * to case or surrounding spaces; null when no cached field has that name.
 */
export function findFieldByName(
  name: string,
  definitions: readonly FieldDefinition[],
): FieldDefinition | null {
  const key = name.trim().toLowerCase();
  return definitions.find((d) => d.name.trim().toLowerCase() === key) ?? null;
}
