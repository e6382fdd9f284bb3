import type { KnownBlock, PlainTextOption, View } from "@slack/types";
import type { ProjectRow, SeenStatus } from "../../flow/settings/project-settings.ts";
import { FLOW_STAGES, type FlowStage } from "../../flow/stage-mapping.ts";
import { modal } from "../views/block-kit.ts";

export const SETTINGS_CALLBACK = "flow_settings";

/** Block ids of the modal's inputs; `response_action: errors` names these. */
export const FIELDS = {
  digestChannel: "digest_channel",
  digestDays: "digest_days",
  digestTime: "digest_time",
  timeZone: "time_zone",
  ageingThreshold: "ageing_threshold",
  ageingFixedDays: "ageing_fixed_days",
  clock: "clock",
  digestOptions: "digest_options",
} as const;

/** Stage selects use block id `stage:<statusKey>`. */
export const STAGE_BLOCK_PREFIX = "stage:";
/** What the modal's `private_metadata` carries. */
type SettingsMetadata = { projectId: number; channelId: string };

const STAGE_LABELS: Record<FlowStage, string> = {
  not_started: "Not started",
  active: "Active",
  blocked: "Blocked",
  done: "Done",
};
export const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
export const PERCENTILES = [50, 70, 85, 95] as const;

/** A modal holds at most 100 blocks; the fixed part takes 12. */
const MAX_STAGE_BLOCKS = 86;
/** Slack caps block ids at 255 characters. */
const MAX_BLOCK_ID = 255;

const text = (t: string) => ({ type: "plain_text" as const, text: t });
const option = (label: string, value: string): PlainTextOption => ({ text: text(label), value });

/** The `/flow settings` modal for a project, pre-filled with its current settings. */
export function settingsModal(project: ProjectRow, statuses: readonly SeenStatus[]): View {
  const dayOptions = WEEKDAYS.map((day, i) => option(day, String(i + 1)));
  const thresholdOptions = [
    ...PERCENTILES.map((p) => option(p === 85 ? "85th percentile (the SLE)" : `${p}th percentile`, `p${p}`)),
    option("A fixed number of days", "fixed"),
  ];
  const selectedThreshold =
    project.ageingFixedDays !== null
      ? "fixed"
      : `p${PERCENTILES.find((p) => p === project.ageingPercentile) ?? 85}`;
  const clockOptions = [
    option("Calendar days (every day counts)", "calendar"),
    option("Working days (Monday–Friday in the project's time zone)", "working"),
  ];
  const flagOptions = [
    option("Post the scheduled digest", "enabled"),
    option("When nothing needs attention, post one short “all flowing” line", "all_flowing"),
  ];
  const flags = [
    ...(project.digestEnabled ? [flagOptions[0]!] : []),
    ...(project.digestAllFlowingLine ? [flagOptions[1]!] : []),
  ];
  const days = dayOptions.filter((o) => project.digestDays.includes(Number(o.value)));

  const blocks: KnownBlock[] = [
    {
      type: "section",
      text: {
        type: "mrkdwn",
        text: `Settings for <#${project.channelId}>. Metrics are derived from the status history, so changes apply to every number at once — no re-backfill.`,
      },
    },
    {
      type: "input",
      block_id: FIELDS.digestChannel,
      label: text("Digest channel"),
      hint: text("Invite flowbot to the channel you pick."),
      element: {
        type: "conversations_select",
        action_id: "value",
        initial_conversation: project.digestChannelId ?? project.channelId,
        filter: { include: ["public", "private"], exclude_bot_users: true },
      },
    },
    {
      type: "input",
      block_id: FIELDS.digestDays,
      optional: true,
      label: text("Digest days"),
      element: {
        type: "checkboxes",
        action_id: "value",
        options: dayOptions,
        ...(days.length ? { initial_options: days } : {}),
      },
    },
    {
      type: "input",
      block_id: FIELDS.digestTime,
      label: text("Digest time (24-hour HH:MM, local)"),
      element: {
        type: "plain_text_input",
        action_id: "value",
        initial_value: project.digestTime,
        placeholder: text("09:00"),
        max_length: 5,
      },
    },
    {
      type: "input",
      block_id: FIELDS.timeZone,
      label: text("Time zone (IANA name)"),
      hint: text("For example Europe/Berlin, America/New_York or Asia/Kolkata. Days are counted in it too."),
      element: {
        type: "plain_text_input",
        action_id: "value",
        initial_value: project.timeZone,
        placeholder: text("Europe/Berlin"),
      },
    },
    {
      type: "input",
      block_id: FIELDS.ageingThreshold,
      label: text("Ageing threshold"),
      hint: text(
        "A task in progress for longer than this is ageing; past the 70th percentile it is at risk.",
      ),
      element: {
        type: "static_select",
        action_id: "value",
        options: thresholdOptions,
        initial_option: thresholdOptions.find((o) => o.value === selectedThreshold)!,
      },
    },
    {
      type: "input",
      block_id: FIELDS.ageingFixedDays,
      optional: true,
      label: text("Fixed threshold in days"),
      hint: text("Only used with “A fixed number of days”."),
      element: {
        type: "plain_text_input",
        action_id: "value",
        placeholder: text("e.g. 10"),
        ...(project.ageingFixedDays !== null ? { initial_value: String(project.ageingFixedDays) } : {}),
      },
    },
    {
      type: "input",
      block_id: FIELDS.clock,
      label: text("Count ages and cycle times in"),
      element: {
        type: "radio_buttons",
        action_id: "value",
        options: clockOptions,
        initial_option: clockOptions[project.workingDays ? 1 : 0]!,
      },
    },
    {
      type: "input",
      block_id: FIELDS.digestOptions,
      optional: true,
      label: text("Digest"),
      element: {
        type: "checkboxes",
        action_id: "value",
        options: flagOptions,
        ...(flags.length ? { initial_options: flags } : {}),
      },
    },
    { type: "divider" },
    {
      type: "section",
      text: {
        type: "mrkdwn",
        text: statuses.length
          ? "*Stage of each status* — the default comes from the ClickUp status type; change it where your workflow differs."
          : "*Stage of each status* — no statuses seen yet: bind and backfill a ClickUp list, then come back.",
      },
    },
  ];
  const shown = statuses.filter((s) => STAGE_BLOCK_PREFIX.length + s.key.length <= MAX_BLOCK_ID);
  for (const status of shown.slice(0, MAX_STAGE_BLOCKS)) {
    const stageOptions = FLOW_STAGES.map((stage) =>
      option(stage === status.defaultStage ? `${STAGE_LABELS[stage]} (default)` : STAGE_LABELS[stage], stage),
    );
    blocks.push({
      type: "input",
      block_id: `${STAGE_BLOCK_PREFIX}${status.key}`,
      label: text(status.name.slice(0, 2000)),
      element: {
        type: "static_select",
        action_id: "value",
        options: stageOptions,
        initial_option: stageOptions.find((o) => o.value === (status.override ?? status.defaultStage))!,
      },
    });
  }
  if (shown.length > MAX_STAGE_BLOCKS) {
    blocks.push({
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text: `${shown.length - MAX_STAGE_BLOCKS} rarer statuses are not shown and keep their current stage.`,
        },
      ],
    });
  }
  const metadata: SettingsMetadata = { projectId: project.id, channelId: project.channelId };
  return modal({
    callbackId: SETTINGS_CALLBACK,
    privateMetadata: JSON.stringify(metadata),
    title: "Flow settings",
    submit: "Save",
    blocks,
  });
}
