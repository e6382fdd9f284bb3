import type { KnownBlock, View } from "@slack/types";
import { STAGE_LABELS } from "../../flow/metrics/wip-limits.ts";
import {
  LIMITED_STAGES,
  type LimitedStage,
  type WipLimitSettings,
} from "../../flow/metrics/wip-limits-settings.ts";
import { modal } from "../views/block-kit.ts";

export const LIMITS_CALLBACK = "flow_settings_limits";

/** The checkbox block; each limit's block id is `limitBlockId` of its target. */
export const ALERT_BLOCK = "wip_alert_at_once";
const STAGE_PREFIX = "wip_stage:";
const STATUS_PREFIX = "wip_status:";

/** Slack caps a block id at 255 characters; a status key longer than this gets no input. */
const MAX_KEY_IN_BLOCK_ID = 200;
/** Slack caps a modal at 100 blocks: the intro, the alert, two headers, the stages and these statuses. */
const MAX_LIMITED_STATUSES = 90;

export type LimitsMetadata = { projectId: number; channelId: string };

/** A status the modal offers a limit on: its key and how ClickUp spells it. */
export type LimitableStatus = { key: string; name: string };

const stageBlockId = (stage: LimitedStage) => `${STAGE_PREFIX}${stage}`;
const statusBlockId = (key: string) => `${STATUS_PREFIX}${key}`;

/** What a block id of this modal limits, or undefined for any other block. */
export function targetOfBlock(
  blockId: string,
): { kind: "stage"; stage: LimitedStage } | { kind: "status"; key: string } | undefined {
  if (blockId.startsWith(STAGE_PREFIX)) {
    const stage = LIMITED_STAGES.find((s) => s === blockId.slice(STAGE_PREFIX.length));
    return stage ? { kind: "stage", stage } : undefined;
  }
  if (blockId.startsWith(STATUS_PREFIX)) {
    const key = blockId.slice(STATUS_PREFIX.length);
    return key !== "" && key.length <= MAX_KEY_IN_BLOCK_ID ? { kind: "status", key } : undefined;
  }
  return undefined;
}

const text = (t: string) => ({ type: "plain_text" as const, text: t });
const ALERT_OPTION = { text: text("Alert the channel at once when a limit is exceeded"), value: "on" };

function limitInput(blockId: string, label: string, current: number | undefined): KnownBlock {
  return {
    type: "input",
    block_id: blockId,
    optional: true,
    label: text(label.slice(0, 2000)),
    element: {
      type: "plain_text_input",
      action_id: "value",
      max_length: 12,
      placeholder: text("no limit"),
      ...(current !== undefined ? { initial_value: String(current) } : {}),
    },
  };
}

/**
 * The `/flow settings limits` modal (docs/flow-metrics.md §10.1): a limit for each stage but done and
 * for each of the project's statuses that is not done, empty meaning none, and the alert switch.
 */
export function limitsModal(
  project: LimitsMetadata,
  statuses: readonly LimitableStatus[],
  current: WipLimitSettings,
): View {
  const stageLimit = (stage: LimitedStage) =>
    current.limits.find((l) => l.kind === "stage" && l.stage === stage)?.limit;
  const statusLimit = (key: string) =>
    current.limits.find((l) => l.kind === "status" && l.key === key)?.limit;
  const shown = statuses.filter((s) => s.key !== "" && s.key.length <= MAX_KEY_IN_BLOCK_ID);
  const blocks: KnownBlock[] = [
    {
      type: "section",
      text: {
        type: "mrkdwn",
        text: `WIP limits of <#${project.channelId}>: a whole number of tasks (0 or more) per status or stage; leave it empty for none. A status or stage is over its limit when it holds more tasks than that. The report shows each limit, the digest names those over.`,
      },
    },
    {
      type: "input",
      block_id: ALERT_BLOCK,
      optional: true,
      label: text("Immediate alert"),
      hint: text(
        "Posts once in the channel when a limit is exceeded, and again only after it has been back at or under.",
      ),
      element: {
        type: "checkboxes",
        action_id: "value",
        options: [ALERT_OPTION],
        ...(current.alertAtOnce ? { initial_options: [ALERT_OPTION] } : {}),
      },
    },
    { type: "header", text: text("Stages") },
    ...LIMITED_STAGES.map((stage) => limitInput(stageBlockId(stage), STAGE_LABELS[stage], stageLimit(stage))),
    { type: "header", text: text("Statuses") },
    ...shown
      .slice(0, MAX_LIMITED_STATUSES)
      .map((s) => limitInput(statusBlockId(s.key), s.name, statusLimit(s.key))),
  ];
  if (shown.length === 0) {
    blocks.push({
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text: "No status is known for this project yet (statuses are read when a binding backfills).",
        },
      ],
    });
  }
  return modal({
    callbackId: LIMITS_CALLBACK,
    privateMetadata: JSON.stringify(project),
    title: "WIP limits",
    submit: "Save",
    blocks,
  });
}
