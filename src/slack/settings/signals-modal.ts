import type { KnownBlock, PlainTextOption, View } from "@slack/types";
import {
  type SignalSettings,
  STALLED_DAYS_MAX,
  STALLED_DAYS_MIN,
} from "../../flow/metrics/signals-settings.ts";
import { modal } from "../views/block-kit.ts";

export const SIGNALS_CALLBACK = "flow_signal_settings";

/** Block ids of the modal's inputs; `response_action: errors` names these. */
export const SIGNAL_FIELDS = {
  on: "signals_on",
  stalledDays: "stalled_days",
  stuckRuleDays: "stuck_rule_days",
} as const;

/** The checkbox values, one per signal (docs/flow-metrics.md §8.1–§8.3). */
export const SIGNAL_OPTIONS = { overSle: "over_sle", stuck: "stuck", stalled: "stalled" } as const;

/** What the modal's `private_metadata` carries. */
type SignalsMetadata = { projectId: number; channelId: string };

const text = (t: string) => ({ type: "plain_text" as const, text: t });
const option = (label: string, value: string, description: string): PlainTextOption => ({
  text: text(label),
  value,
  description: text(description),
});

/** The `/flow settings signals` modal for a project, pre-filled with its signal settings. */
export function signalsModal(project: { id: number; channelId: string }, s: SignalSettings): View {
  const options = [
    option(
      "Over SLE",
      SIGNAL_OPTIONS.overSle,
      "Age past the ageing threshold set in /flow settings (the SLE by default).",
    ),
    option(
      "Stuck in status",
      SIGNAL_OPTIONS.stuck,
      "Longer in its current status than 85% of the finished tasks spent in it.",
    ),
    option("Stalled", SIGNAL_OPTIONS.stalled, "No activity at all for the working days below."),
  ];
  const on = options.filter(
    (o) =>
      (o.value === SIGNAL_OPTIONS.overSle && s.overSleOn) ||
      (o.value === SIGNAL_OPTIONS.stuck && s.stuckOn) ||
      (o.value === SIGNAL_OPTIONS.stalled && s.stalledOn),
  );
  const blocks: KnownBlock[] = [
    {
      type: "section",
      text: {
        type: "mrkdwn",
        text: `Ageing signals for <#${project.channelId}>. Each one the digest names with its own reason, App Home counts, and the Flow view's ageing chart marks.`,
      },
    },
    {
      type: "input",
      block_id: SIGNAL_FIELDS.on,
      optional: true,
      label: text("Signals"),
      element: {
        type: "checkboxes",
        action_id: "value",
        options,
        ...(on.length ? { initial_options: on } : {}),
      },
    },
    {
      type: "input",
      block_id: SIGNAL_FIELDS.stalledDays,
      label: text("Stalled after (working days)"),
      hint: text(
        `A whole number from ${STALLED_DAYS_MIN} to ${STALLED_DAYS_MAX}, counted Monday to Friday in the project's time zone. Any status, field or comment change starts the count again.`,
      ),
      element: {
        type: "plain_text_input",
        action_id: "value",
        initial_value: String(s.stalledDays),
        placeholder: text("5"),
        max_length: 10,
      },
    },
    {
      type: "input",
      block_id: SIGNAL_FIELDS.stuckRuleDays,
      optional: true,
      label: text("Stuck limit where a status has little history (days)"),
      hint: text(
        "For a status fewer than 5 finished tasks went through. Leave it empty to use the project's SLE.",
      ),
      element: {
        type: "plain_text_input",
        action_id: "value",
        placeholder: text("the project's SLE"),
        max_length: 10,
        ...(s.stuckRuleDays !== null ? { initial_value: String(s.stuckRuleDays) } : {}),
      },
    },
  ];
  const metadata: SignalsMetadata = { projectId: project.id, channelId: project.channelId };
  return modal({
    callbackId: SIGNALS_CALLBACK,
    privateMetadata: JSON.stringify(metadata),
    title: "Ageing signals",
    submit: "Save",
    blocks,
  });
}
