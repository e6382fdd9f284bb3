import { z } from "zod";
import { SEGMENT_DIMENSIONS, type SegmentDimension } from "../../flow/segments/segment-settings.ts";
import { tagKey } from "../../sync/task-fields/canonical.ts";
import { findFieldByName } from "../../sync/task-fields/field-definitions.ts";
import type { FieldDefinition } from "../../sync/task-fields/types.ts";
import { clip } from "../views/block-kit.ts";
import { SEGMENT_FIELDS } from "./segments-modal.ts";

const elementState = z
  .object({ value: z.string().nullish(), selected_option: z.object({ value: z.string() }).nullish() })
  .loose();
const stateValues = z.record(z.string(), z.record(z.string(), elementState));

export type ParsedSegments =
  | { ok: true; dimension: SegmentDimension }
  | { ok: false; errors: Record<string, string> };

/** Tags a group may list: enough for any workflow, few enough for the report to name them all. */
const MAX_GROUP_TAGS = 30;

const quoted = (names: readonly string[]) => names.map((n) => `“${n}”`).join(", ");

/**
 * Validates the segments modal's state against the project's custom fields. Every problem is reported on
 * its input's block id, saying what to fix (docs/flow-metrics.md §6.1: a name that matches no field
 * answers with the fields that exist).
 */
export function parseSegmentsSubmission(values: unknown, fields: readonly FieldDefinition[]): ParsedSegments {
  const parsed = stateValues.safeParse(values);
  if (!parsed.success) {
    return { ok: false, errors: { [SEGMENT_FIELDS.dimension]: "The form arrived incomplete; try again." } };
  }
  const field = (blockId: string) => parsed.data[blockId]?.value;
  const kind = SEGMENT_DIMENSIONS.find((d) => d === field(SEGMENT_FIELDS.dimension)?.selected_option?.value);
  if (!kind) return { ok: false, errors: { [SEGMENT_FIELDS.dimension]: "Choose what to segment tasks by." } };

  switch (kind) {
    case "none":
    case "type":
    case "priority":
    case "list":
      return { ok: true, dimension: { kind } };
    case "tag_group": {
      const errors: Record<string, string> = {};
      const name = (field(SEGMENT_FIELDS.groupName)?.value ?? "").trim();
      if (name === "") errors[SEGMENT_FIELDS.groupName] = "Name the tag group, e.g. kind.";
      const typed = (field(SEGMENT_FIELDS.groupTags)?.value ?? "").split(/[,\n]/);
      const tags: string[] = [];
      const repeated = new Set<string>();
      for (const raw of typed) {
        const key = tagKey(raw);
        if (key === null) continue;
        if (tags.includes(key)) repeated.add(key);
        else tags.push(key);
      }
      if (tags.length === 0) {
        errors[SEGMENT_FIELDS.groupTags] =
          "The tag group is empty: list its tags in order, separated by commas, e.g. bug, feature, chore.";
      } else if (repeated.size > 0) {
        errors[SEGMENT_FIELDS.groupTags] =
          `${quoted([...repeated])} ${repeated.size === 1 ? "is" : "are"} listed twice (tags are compared without regard to case): list each tag once, in the order that should win.`;
      } else if (tags.length > MAX_GROUP_TAGS) {
        errors[SEGMENT_FIELDS.groupTags] =
          `A tag group holds at most ${MAX_GROUP_TAGS} tags; this one lists ${tags.length}. Keep the ones that tell kinds of work apart.`;
      }
      if (Object.keys(errors).length > 0) return { ok: false, errors };
      return { ok: true, dimension: { kind, name, tags } };
    }
    case "drop_down":
    case "labels": {
      const name = (field(SEGMENT_FIELDS.field)?.value ?? "").trim();
      const kindName = kind === "drop_down" ? "drop-down" : "labels";
      const ofKind = fields.filter((f) => f.kind === kind).map((f) => f.name);
      const offer = ofKind.length
        ? `This project's ${kindName} fields: ${clip(quoted(ofKind), 1000)}.`
        : `This project has no ${kindName} field yet (fields are read when a binding backfills).`;
      if (name === "") {
        return { ok: false, errors: { [SEGMENT_FIELDS.field]: `Name the ${kindName} field. ${offer}` } };
      }
      const found = findFieldByName(name, fields);
      if (!found) {
        return {
          ok: false,
          errors: {
            [SEGMENT_FIELDS.field]: `No custom field is named “${name}” on this project's lists. ${offer}`,
          },
        };
      }
      if (found.kind !== kind) {
        const its =
          found.kind === "drop_down" ? "a drop-down" : found.kind === "labels" ? "a labels" : "a checkbox";
        const instead =
          found.kind === "checkbox"
            ? "A checkbox can't segment tasks."
            : `Choose “A ${found.kind === "drop_down" ? "drop-down" : "labels"} custom field” above instead, or name another field.`;
        return {
          ok: false,
          errors: {
            [SEGMENT_FIELDS.field]: `“${found.name}” is ${its} field, not a ${kindName} one. ${instead} ${offer}`,
          },
        };
      }
      return { ok: true, dimension: { kind, fieldId: found.fieldId } };
    }
  }
}
