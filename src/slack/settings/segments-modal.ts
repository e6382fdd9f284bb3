import type { KnownBlock, PlainTextOption, View } from "@slack/types";
import type { DimensionKind, SegmentDimension } from "../../flow/segments/segment-settings.ts";
import type { FieldDefinition } from "../../sync/task-fields/types.ts";
import { clip, modal } from "../views/block-kit.ts";
import { escapeMrkdwn } from "../views/mrkdwn.ts";

export const SEGMENTS_CALLBACK = "flow_settings_segments";

/** Block ids of the modal's inputs; `response_action: errors` names these. */
export const SEGMENT_FIELDS = {
  dimension: "segment_dimension",
  groupName: "segment_group_name",
  groupTags: "segment_group_tags",
  field: "segment_field",
} as const;

/** What the modal's `private_metadata` carries. */
export type SegmentsMetadata = { projectId: number; channelId: string };

const text = (t: string) => ({ type: "plain_text" as const, text: t });
const option = (label: string, value: DimensionKind): PlainTextOption => ({ text: text(label), value });

const DIMENSION_OPTIONS: PlainTextOption[] = [
  option("Nothing: the whole project is one segment", "none"),
  option("Task type (Task, Milestone and the workspace's own types)", "type"),
  option("Priority (urgent, high, normal, low)", "priority"),
  option("A tag group (named below)", "tag_group"),
  option("A drop-down custom field (named below)", "drop_down"),
  option("A labels custom field (named below)", "labels"),
  option("Home list", "list"),
];

/** Slack caps an input hint at 2000 characters. */
const HINT_LIMIT = 2000;

/** The `/flow settings segments` modal, filled in with the project's current dimension. */
export function segmentsModal(
  project: SegmentsMetadata,
  current: SegmentDimension,
  fields: readonly FieldDefinition[],
  describe: string,
): View {
  const choosable = fields.filter((f) => f.kind === "drop_down" || f.kind === "labels");
  const currentField =
    current.kind === "drop_down" || current.kind === "labels"
      ? choosable.find((f) => f.fieldId === current.fieldId)?.name
      : undefined;
  const fieldHint = choosable.length
    ? `Its name as ClickUp shows it. This project's fields: ${choosable
        .map((f) => `${f.name} (${f.kind === "drop_down" ? "drop-down" : "labels"})`)
        .join(", ")}.`
    : "No drop-down or labels field is known for this project's lists yet (they are read when a binding backfills).";
  const blocks: KnownBlock[] = [
    {
      type: "section",
      text: {
        type: "mrkdwn",
        text: `Segments of <#${project.channelId}>: the report shows cycle time, an SLE, throughput and WIP per segment, and \`/flow report type:Bug\` reports on one. ${describe}`,
      },
    },
    {
      type: "input",
      block_id: SEGMENT_FIELDS.dimension,
      label: text("Segment tasks by"),
      element: {
        type: "radio_buttons",
        action_id: "value",
        options: DIMENSION_OPTIONS,
        initial_option: DIMENSION_OPTIONS.find((o) => o.value === current.kind)!,
      },
    },
    { type: "divider" },
    {
      type: "input",
      block_id: SEGMENT_FIELDS.groupName,
      optional: true,
      label: text("Tag group name"),
      hint: text("Only for “A tag group”, e.g. kind."),
      element: {
        type: "plain_text_input",
        action_id: "value",
        max_length: 60,
        placeholder: text("kind"),
        ...(current.kind === "tag_group" ? { initial_value: current.name } : {}),
      },
    },
    {
      type: "input",
      block_id: SEGMENT_FIELDS.groupTags,
      optional: true,
      label: text("Tags of the group, in order"),
      hint: text(
        "Only for “A tag group”. Separate them with commas or new lines. A task carrying several counts under the first listed; tags outside the list play no part.",
      ),
      element: {
        type: "plain_text_input",
        action_id: "value",
        multiline: true,
        placeholder: text("bug, feature, chore"),
        ...(current.kind === "tag_group" ? { initial_value: current.tags.join(", ") } : {}),
      },
    },
    {
      type: "input",
      block_id: SEGMENT_FIELDS.field,
      optional: true,
      label: text("Custom field name"),
      hint: text(clip(`Only for a drop-down or labels field. ${fieldHint}`, HINT_LIMIT)),
      element: {
        type: "plain_text_input",
        action_id: "value",
        max_length: 200,
        placeholder: text("Area"),
        ...(currentField ? { initial_value: currentField } : {}),
      },
    },
  ];
  return modal({
    callbackId: SEGMENTS_CALLBACK,
    privateMetadata: JSON.stringify(project),
    title: "Segments",
    submit: "Save",
    blocks,
  });
}

/** The current dimension in a sentence (the modal, the saved confirmation, `/flow settings`). */
export function describeSegments(dimension: SegmentDimension, fields: readonly FieldDefinition[]): string {
  const fieldName = (fieldId: string) => fields.find((f) => f.fieldId === fieldId)?.name;
  switch (dimension.kind) {
    case "none":
      return "Segments: none — the whole project is one segment.";
    case "type":
      return "Segments: by task type.";
    case "priority":
      return "Segments: by priority.";
    case "list":
      return "Segments: by home list.";
    case "tag_group":
      return `Segments: by the tag group “${escapeMrkdwn(dimension.name)}” (${escapeMrkdwn(clip(dimension.tags.join(", "), 300))}).`;
    case "drop_down":
    case "labels": {
      const kind = dimension.kind === "drop_down" ? "drop-down" : "labels";
      const name = fieldName(dimension.fieldId);
      return name
        ? `Segments: by the ${kind} field “${escapeMrkdwn(name)}”.`
        : `Segments: by a ${kind} field ClickUp no longer lists for these lists (id ${escapeMrkdwn(dimension.fieldId)}), so it shows as "(unknown field)" and every task counts in one segment. Pick another field.`;
    }
  }
}
