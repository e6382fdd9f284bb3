import { z } from "zod";
import { customFieldSchema } from "../../clickup/schemas.ts";
import { sortedUnique, tagKey } from "./canonical.ts";
import { decodeFieldValue, isKeptKind, optionsOf, sortFieldValues } from "./custom-field-values.ts";
import { priorityOf } from "./priority.ts";
import { sameTaskFields } from "./same-task-fields.ts";
import type { FieldDefinition, TaskFields } from "./types.ts";

const idText = z.union([z.string(), z.number()]).transform(String);

/** The parts of a webhook history item (docs/clickup.md §5.3) these fields need; the rest is ignored. */
const historyItem = z.object({
  field: z.string(),
  date: z.union([z.string(), z.number()]).nullish(),
  before: z.unknown(),
  after: z.unknown(),
  /** On `custom_field` items: the field's definition (id, name, type, type_config). */
  custom_field: customFieldSchema.extend({ type: z.string().nullish() }).nullish().catch(null),
});

interface AppliedItem {
  fields: TaskFields;
  /** The kept fields differ from before the item. */
  changed: boolean;
  /**
   * The item records a change made to the task — any field, kept or not (status, comment, due date…) —
   * which is what "activity" means for the stalled signal.
   */
  activity: boolean;
  /** When the change happened (the item's `date`, ms), null when the item has none. */
  at: number | null;
}

/** Tag names in a tag item's `before`/`after`: an array of tags `{name, …}`, one tag, or bare names. */
function tagNames(raw: unknown): string[] {
  const items = Array.isArray(raw) ? raw : raw === null || raw === undefined ? [] : [raw];
  const names: string[] = [];
  for (const item of items) {
    const name =
      typeof item === "string"
        ? item
        : item !== null && typeof item === "object" && "name" in item && typeof item.name === "string"
          ? item.name
          : null;
    const key = name === null ? null : tagKey(name);
    if (key !== null) names.push(key);
  }
  return names;
}

function customFieldChange(
  fields: TaskFields,
  item: z.output<typeof historyItem>,
  definitions: readonly FieldDefinition[],
): TaskFields {
  const field = item.custom_field;
  if (!field) return fields;
  const known = definitions.find((d) => d.fieldId === field.id);
  const kind = isKeptKind(field.type) ? field.type : field.type ? null : (known?.kind ?? null);
  if (kind === null) return fields;
  const own = optionsOf(field);
  const options = own.length > 0 ? own : (known?.options ?? []);
  const value = decodeFieldValue(field.id, kind, item.after, options);
  const others = fields.fieldValues.filter((v) => v.fieldId !== field.id);
  return { ...fields, fieldValues: sortFieldValues(value ? [...others, value] : others) };
}

function applyParsed(
  fields: TaskFields,
  item: z.output<typeof historyItem>,
  definitions: readonly FieldDefinition[],
): TaskFields {
  switch (item.field) {
    case "tag":
      return { ...fields, tags: sortedUnique([...fields.tags, ...tagNames(item.after)]) };
    case "tag_removed": {
      // The removed tags are the item's `before`; some payloads may only fill `after` (assumed).
      const gone = new Set(tagNames(item.before ?? item.after));
      return { ...fields, tags: fields.tags.filter((t) => !gone.has(t)) };
    }
    case "priority":
      return { ...fields, priority: priorityOf(item.after) };
    case "custom_field":
      return customFieldChange(fields, item, definitions);
    case "section_moved": {
      const to = z.object({ id: idText }).safeParse(item.after);
      return to.success ? { ...fields, homeListId: to.data.id } : fields;
    }
    default:
      return fields;
  }
}

/**
 * Applies one webhook history item to a task's kept fields: a tag added (`tag`) or removed
 * (`tag_removed`), a priority set or cleared (`priority`), a drop-down, labels or checkbox value changed
 * (`custom_field`, whose item carries the field's definition; `definitions` stand in for its options), or
 * a move to another home list (`section_moved`). ClickUp sends tag and priority items under their own
 * event and again under taskUpdated with the same item, custom field items under taskUpdated only
 * (docs/clickup.md §5.4, §15); applying an item twice gives the same fields. Dependencies and task types
 * have no event or documented item (§15.5), so they change only through task payloads (backfill,
 * reconcile). Anything else, malformed or unknown, leaves the fields as they are and never throws.
 */
export function applyHistoryItem(
  fields: TaskFields,
  raw: unknown,
  definitions: readonly FieldDefinition[] = [],
): AppliedItem {
  const parsed = historyItem.safeParse(raw);
  if (!parsed.success) return { fields, changed: false, activity: false, at: null };
  const { date } = parsed.data;
  const ms = date === null || date === undefined || date === "" ? Number.NaN : Number(date);
  const at = Number.isFinite(ms) ? ms : null;
  const next = applyParsed(fields, parsed.data, definitions);
  const changed = !sameTaskFields(fields, next);
  return { fields: changed ? next : fields, changed, activity: true, at };
}
