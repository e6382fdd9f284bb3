import { z } from "zod";
import { formatDays } from "../../flow/format-days.ts";
import {
  type SignalSettings,
  STALLED_DAYS_MAX,
  STALLED_DAYS_MIN,
} from "../../flow/metrics/signals-settings.ts";
import { SIGNAL_FIELDS, SIGNAL_OPTIONS } from "./signals-modal.ts";

const elementState = z
  .object({
    value: z.string().nullish(),
    selected_options: z.array(z.object({ value: z.string() })).nullish(),
  })
  .loose();
const stateValues = z.record(z.string(), z.record(z.string(), elementState));

export type ParsedSignals =
  | { ok: true; settings: SignalSettings }
  | { ok: false; errors: Record<string, string> };

/** Longest stuck rule accepted, in days (about three years), as for a fixed ageing threshold. */
const MAX_RULE_DAYS = 1000;

/**
 * Validates the signals modal's state; each problem is reported against its input, in words that say
 * what to type instead, so Slack shows it inline (`response_action: errors`).
 */
export function parseSignalsSubmission(values: unknown): ParsedSignals {
  const parsed = stateValues.safeParse(values);
  if (!parsed.success) {
    return { ok: false, errors: { [SIGNAL_FIELDS.stalledDays]: "The form arrived incomplete; try again." } };
  }
  const field = (blockId: string) => parsed.data[blockId]?.value;
  const errors: Record<string, string> = {};
  const on = new Set((field(SIGNAL_FIELDS.on)?.selected_options ?? []).map((o) => o.value));

  const stalledText = (field(SIGNAL_FIELDS.stalledDays)?.value ?? "").trim();
  const stalledDays = stalledDaysOf(stalledText);
  if (typeof stalledDays === "string") errors[SIGNAL_FIELDS.stalledDays] = stalledDays;

  const ruleText = (field(SIGNAL_FIELDS.stuckRuleDays)?.value ?? "").trim();
  let stuckRuleDays: number | null = null;
  if (ruleText !== "") {
    const n = /^\d+([.,]\d+)?$/.test(ruleText) ? Number(ruleText.replace(",", ".")) : Number.NaN;
    if (!Number.isFinite(n) || n <= 0 || n > MAX_RULE_DAYS) {
      errors[SIGNAL_FIELDS.stuckRuleDays] =
        `“${ruleText}” is not a number of days above 0 and up to ${MAX_RULE_DAYS}. Enter e.g. 8 or 2.5, or leave it empty for the project's SLE.`;
    } else {
      // Shown to a tenth everywhere; kept so, like a fixed ageing threshold.
      stuckRuleDays = Math.max(0.1, Math.round(n * 10) / 10);
    }
  }

  if (Object.keys(errors).length > 0 || typeof stalledDays === "string") return { ok: false, errors };
  return {
    ok: true,
    settings: {
      overSleOn: on.has(SIGNAL_OPTIONS.overSle),
      stuckOn: on.has(SIGNAL_OPTIONS.stuck),
      stalledOn: on.has(SIGNAL_OPTIONS.stalled),
      stalledDays,
      stuckRuleDays,
    },
  };
}

/** N of the stalled signal (docs/flow-metrics.md §8.3): a whole number from 1 to 60, or what is wrong. */
function stalledDaysOf(t: string): number | string {
  const range = `a whole number of working days from ${STALLED_DAYS_MIN} to ${STALLED_DAYS_MAX}`;
  if (t === "") return `Enter ${range}, e.g. 5.`;
  if (!/^[+-]?\d+([.,]\d+)?$/.test(t)) return `“${t}” is not a number. Enter ${range}, e.g. 5.`;
  const n = Number(t.replace(",", "."));
  if (!Number.isInteger(n)) return `“${t}” is not a whole number. Enter ${range}, e.g. 5.`;
  if (n < STALLED_DAYS_MIN)
    return `A task is stalled after at least ${STALLED_DAYS_MIN} working day, not ${n}. Enter ${range}.`;
  if (n > STALLED_DAYS_MAX) {
    return `At most ${STALLED_DAYS_MAX} working days, not ${n}. For longer quiet spells, turn the stalled signal off.`;
  }
  return n;
}

/** A short summary of saved signal settings, for the confirmation. */
export function describeSignals(s: SignalSettings): string {
  const onOff = (on: boolean) => (on ? "on" : "off");
  const rule =
    s.stuckRuleDays === null ? "the project's SLE" : formatDays(s.stuckRuleDays, { precision: "tenth" });
  return [
    `Over SLE: ${onOff(s.overSleOn)}.`,
    `Stuck in status: ${onOff(s.stuckOn)} (where a status has little history: ${rule}).`,
    `Stalled: ${onOff(s.stalledOn)}, after ${s.stalledDays} working day${s.stalledDays === 1 ? "" : "s"} without activity.`,
  ].join("\n");
}
