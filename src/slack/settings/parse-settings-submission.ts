import { z } from "zod";
import { isValidTimeZone, parseWallTime } from "../../flow/digest/due-times.ts";
import type { ProjectSettings } from "../../flow/settings/project-settings.ts";
import { FLOW_STAGES, type FlowStage } from "../../flow/stage-mapping.ts";
import { FIELDS, PERCENTILES, STAGE_BLOCK_PREFIX } from "./settings-modal.ts";

/** One input's state as Slack sends it in view_submission (only the fields the modal's elements use). */
const elementState = z
  .object({
    value: z.string().nullish(),
    selected_conversation: z.string().nullish(),
    selected_option: z.object({ value: z.string() }).nullish(),
    selected_options: z.array(z.object({ value: z.string() })).nullish(),
  })
  .loose();
const stateValues = z.record(z.string(), z.record(z.string(), elementState));

export type ParsedSettings =
  | { ok: true; settings: ProjectSettings; stages: Map<string, FlowStage> }
  | { ok: false; errors: Record<string, string> };

/** Longest fixed threshold accepted, in days (about three years). */
const MAX_FIXED_DAYS = 1000;

/**
 * Validates the settings modal's state. Every problem is reported against its input's block id, in
 * words that say what to type instead, so Slack shows them inline (`response_action: errors`).
 */
export function parseSettingsSubmission(values: unknown): ParsedSettings {
  const parsed = stateValues.safeParse(values);
  if (!parsed.success)
    return { ok: false, errors: { [FIELDS.digestTime]: "The form arrived incomplete; try again." } };
  const state = parsed.data;
  const field = (blockId: string) => state[blockId]?.value;
  const errors: Record<string, string> = {};

  const channel = field(FIELDS.digestChannel)?.selected_conversation ?? null;
  const days = (field(FIELDS.digestDays)?.selected_options ?? [])
    .map((o) => Number(o.value))
    .filter((d) => Number.isInteger(d) && d >= 1 && d <= 7)
    .sort((a, b) => a - b);
  const flags = new Set((field(FIELDS.digestOptions)?.selected_options ?? []).map((o) => o.value));
  const digestEnabled = flags.has("enabled");
  if (digestEnabled && days.length === 0) {
    errors[FIELDS.digestDays] = "Pick at least one day, or untick “Post the scheduled digest” below.";
  }

  const time = (field(FIELDS.digestTime)?.value ?? "").trim();
  const minutes = parseWallTime(time);
  if (minutes === undefined) {
    errors[FIELDS.digestTime] = `“${time}” is not a 24-hour time. Use HH:MM, e.g. 09:00 or 16:30.`;
  }

  const zone = (field(FIELDS.timeZone)?.value ?? "").trim();
  if (!isValidTimeZone(zone)) {
    errors[FIELDS.timeZone] = zone
      ? `“${zone}” is not an IANA time zone. Use a name like Europe/Berlin, America/New_York or UTC.`
      : "Enter an IANA time zone, e.g. Europe/Berlin or UTC.";
  }

  const threshold = field(FIELDS.ageingThreshold)?.selected_option?.value ?? "p85";
  const fixedText = (field(FIELDS.ageingFixedDays)?.value ?? "").trim();
  let ageingPercentile = 85;
  let ageingFixedDays: number | null = null;
  if (threshold === "fixed") {
    const n = Number(fixedText.replace(",", "."));
    if (fixedText === "" || !Number.isFinite(n) || n <= 0 || n > MAX_FIXED_DAYS) {
      errors[FIELDS.ageingFixedDays] = fixedText
        ? `“${fixedText}” is not a number of days between 0 and ${MAX_FIXED_DAYS}. Enter e.g. 10 or 2.5.`
        : "Enter the number of days, e.g. 10 — or choose a percentile above.";
    } else {
      ageingFixedDays = Math.round(n * 10) / 10;
    }
  } else {
    const p = Number(threshold.replace(/^p/, ""));
    ageingPercentile = (PERCENTILES as readonly number[]).includes(p) ? p : 85;
  }

  const stages = new Map<string, FlowStage>();
  for (const [blockId, inputs] of Object.entries(state)) {
    if (!blockId.startsWith(STAGE_BLOCK_PREFIX)) continue;
    const chosen = inputs.value?.selected_option?.value;
    if (chosen && (FLOW_STAGES as readonly string[]).includes(chosen)) {
      stages.set(blockId.slice(STAGE_BLOCK_PREFIX.length), chosen as FlowStage);
    }
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    stages,
    settings: {
      digestChannelId: channel,
      digestEnabled,
      digestDays: days,
      digestTime: `${String(Math.floor(minutes! / 60)).padStart(2, "0")}:${String(minutes! % 60).padStart(2, "0")}`,
      timeZone: zone,
      digestAllFlowingLine: flags.has("all_flowing"),
      ageingPercentile,
      ageingFixedDays,
      workingDays: field(FIELDS.clock)?.selected_option?.value === "working",
    },
  };
}
