import { z } from "zod";
import type { BlockedRules } from "../../flow/metrics/blocked-rules.ts";
import { tagKey } from "../../sync/task-fields/canonical.ts";
import { findFieldByName } from "../../sync/task-fields/field-definitions.ts";
import type { FieldDefinition } from "../../sync/task-fields/types.ts";
import { clip } from "../views/block-kit.ts";
import { BLOCKED_FIELDS } from "./blocked-modal.ts";

const elementState = z
  .object({
    value: z.string().nullish(),
    selected_options: z.array(z.object({ value: z.string() })).nullish(),
  })
  .loose();
const stateValues = z.record(z.string(), z.record(z.string(), elementState));

export type ParsedBlocked = { ok: true; rules: BlockedRules } | { ok: false; errors: Record<string, string> };

/** Enough tags for any team's conventions, few enough to list in a digest line. */
const MAX_TAGS = 20;

const quoted = (names: readonly string[]) => names.map((n) => `“${n}”`).join(", ");
const split = (raw: string | null | undefined) =>
  (raw ?? "")
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== "");

/**
 * Validates the blocked-rules modal against the project's custom fields (docs/flow-metrics.md §9.1). A field
 * or option name that matches none answers with the ones that exist (§6.1), on its input's block id.
 */
export function parseBlockedSubmission(values: unknown, fields: readonly FieldDefinition[]): ParsedBlocked {
  const parsed = stateValues.safeParse(values);
  if (!parsed.success) {
    return { ok: false, errors: { [BLOCKED_FIELDS.tags]: "The form arrived incomplete; try again." } };
  }
  const input = (blockId: string) => parsed.data[blockId]?.value;
  const errors: Record<string, string> = {};

  const tags = [...new Set(split(input(BLOCKED_FIELDS.tags)?.value).flatMap((t) => tagKey(t) ?? []))];
  if (tags.length > MAX_TAGS) {
    errors[BLOCKED_FIELDS.tags] = `At most ${MAX_TAGS} tags can block; this lists ${tags.length}.`;
  }

  let field: BlockedRules["field"] = null;
  const fieldName = (input(BLOCKED_FIELDS.field)?.value ?? "").trim();
  const optionNames = split(input(BLOCKED_FIELDS.options)?.value);
  const offer = fields.length
    ? `This project's fields: ${clip(quoted(fields.map((f) => f.name)), 1000)}.`
    : "This project has no drop-down, labels or checkbox field yet (fields are read when a binding backfills).";
  if (fieldName === "") {
    if (optionNames.length > 0) {
      errors[BLOCKED_FIELDS.field] = `Name the field these values belong to. ${offer}`;
    }
  } else {
    const found = findFieldByName(fieldName, fields);
    if (!found) {
      errors[BLOCKED_FIELDS.field] =
        `No custom field is named “${fieldName}” on this project's lists. ${offer}`;
    } else if (found.kind === "checkbox") {
      if (optionNames.length > 0) {
        errors[BLOCKED_FIELDS.options] =
          `“${found.name}” is a checkbox: it blocks when checked. Leave the values empty.`;
      } else field = { fieldId: found.fieldId, optionIds: [] };
    } else {
      const known = found.options.map((o) => o.name);
      const offerOptions = `“${found.name}” has: ${clip(quoted(known), 1000)}.`;
      const ids: string[] = [];
      const unknown: string[] = [];
      for (const name of optionNames) {
        const option = found.options.find((o) => o.name.trim().toLowerCase() === name.toLowerCase());
        if (!option) unknown.push(name);
        else if (!ids.includes(option.id)) ids.push(option.id);
      }
      if (optionNames.length === 0) {
        errors[BLOCKED_FIELDS.options] = `Name the values of “${found.name}” that block. ${offerOptions}`;
      } else if (unknown.length > 0) {
        errors[BLOCKED_FIELDS.options] =
          `${quoted(unknown)} ${unknown.length === 1 ? "is not a value" : "are not values"} of “${found.name}”. ${offerOptions}`;
      } else field = { fieldId: found.fieldId, optionIds: ids };
    }
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const dependency = (input(BLOCKED_FIELDS.dependency)?.selected_options ?? []).some((o) => o.value === "on");
  return { ok: true, rules: { tags, field, dependency } };
}
