import type { KnownBlock, PlainTextOption, View } from "@slack/types";
import type { BlockedRules } from "../../flow/metrics/blocked-rules.ts";
import type { FieldDefinition } from "../../sync/task-fields/types.ts";
import { clip, modal } from "../views/block-kit.ts";
import { escapeMrkdwn } from "../views/mrkdwn.ts";

export const BLOCKED_CALLBACK = "flow_settings_blocked";

/** Block ids of the modal's inputs; `response_action: errors` names these. */
export const BLOCKED_FIELDS = {
  tags: "blocked_tags",
  field: "blocked_field",
  options: "blocked_options",
  dependency: "blocked_dependency",
} as const;

export type BlockedMetadata = { projectId: number; channelId: string };

const text = (t: string) => ({ type: "plain_text" as const, text: t });
const HINT_LIMIT = 2000;
const DEPENDENCY_OPTION: PlainTextOption = {
  text: text("Waiting on an unfinished task of this project blocks"),
  value: "on",
};

const optionNames = (field: FieldDefinition, ids: readonly string[]) =>
  ids.map((id) => field.options.find((o) => o.id === id)?.name ?? "(unknown value)");

/** The `/flow settings blocked` modal, filled in with the project's current rules. */
export function blockedModal(
  project: BlockedMetadata,
  current: BlockedRules,
  fields: readonly FieldDefinition[],
  describe: string,
): View {
  const field = current.field ? fields.find((f) => f.fieldId === current.field!.fieldId) : undefined;
  const fieldHint = fields.length
    ? `This project's fields: ${fields.map((f) => `${f.name} (${f.kind.replace("_", "-")})`).join(", ")}.`
    : "No drop-down, labels or checkbox field is known for this project's lists yet (they are read when a binding backfills).";
  const blocks: KnownBlock[] = [
    {
      type: "section",
      text: {
        type: "mrkdwn",
        text: `Blocked rules of <#${project.channelId}>. A task in a status that maps to blocked is always blocked; it is also blocked while any rule below holds, and that time is taken out of active time in flow efficiency. ${describe}`,
      },
    },
    {
      type: "input",
      block_id: BLOCKED_FIELDS.tags,
      optional: true,
      label: text("Tags that block"),
      hint: text("Separate them with commas, e.g. blocked, on hold. Compared without regard to case."),
      element: {
        type: "plain_text_input",
        action_id: "value",
        max_length: 500,
        placeholder: text("blocked"),
        ...(current.tags.length ? { initial_value: current.tags.join(", ") } : {}),
      },
    },
    {
      type: "input",
      block_id: BLOCKED_FIELDS.field,
      optional: true,
      label: text("Custom field that blocks"),
      hint: text(
        clip(`A drop-down, labels or checkbox field, by its name in ClickUp. ${fieldHint}`, HINT_LIMIT),
      ),
      element: {
        type: "plain_text_input",
        action_id: "value",
        max_length: 200,
        placeholder: text("Waiting for"),
        ...(field ? { initial_value: field.name } : {}),
      },
    },
    {
      type: "input",
      block_id: BLOCKED_FIELDS.options,
      optional: true,
      label: text("Its values that block"),
      hint: text(
        "For a drop-down or labels field, the options, separated by commas. A checkbox blocks when checked.",
      ),
      element: {
        type: "plain_text_input",
        action_id: "value",
        max_length: 500,
        placeholder: text("Vendor"),
        ...(field && current.field!.optionIds.length
          ? { initial_value: optionNames(field, current.field!.optionIds).join(", ") }
          : {}),
      },
    },
    {
      type: "input",
      block_id: BLOCKED_FIELDS.dependency,
      optional: true,
      label: text("Dependencies"),
      element: {
        type: "checkboxes",
        action_id: "value",
        options: [DEPENDENCY_OPTION],
        ...(current.dependency ? { initial_options: [DEPENDENCY_OPTION] } : {}),
      },
    },
  ];
  return modal({
    callbackId: BLOCKED_CALLBACK,
    privateMetadata: JSON.stringify(project),
    title: "Blocked rules",
    submit: "Save",
    blocks,
  });
}

/** The rules in a sentence (the modal and the saved confirmation). */
export function describeBlockedRules(rules: BlockedRules, fields: readonly FieldDefinition[]): string {
  const parts: string[] = [];
  if (rules.tags.length) parts.push(`tags ${escapeMrkdwn(clip(rules.tags.join(", "), 300))}`);
  if (rules.field) {
    const field = fields.find((f) => f.fieldId === rules.field!.fieldId);
    const name = field ? `“${escapeMrkdwn(field.name)}”` : "(unknown field)";
    parts.push(
      field?.kind === "checkbox" || rules.field.optionIds.length === 0
        ? `${name} checked`
        : `${name} = ${escapeMrkdwn(field ? optionNames(field, rules.field.optionIds).join(" or ") : "(unknown value)")}`,
    );
  }
  if (rules.dependency) parts.push("waiting on an unfinished task of the project");
  return parts.length
    ? `Blocked when: the status maps to blocked, or ${parts.join(", or ")}.`
    : "Blocked when: the status maps to blocked (no other rule).";
}
