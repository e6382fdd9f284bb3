import { z } from "zod";
import type { WipLimit, WipLimitSettings } from "../../flow/metrics/wip-limits-settings.ts";
import { ALERT_BLOCK, targetOfBlock } from "./limits-modal.ts";

const elementState = z
  .object({
    value: z.string().nullish(),
    selected_options: z.array(z.object({ value: z.string() })).nullish(),
  })
  .loose();
const stateValues = z.record(z.string(), z.record(z.string(), elementState));

export type ParsedLimits =
  | { ok: true; settings: WipLimitSettings }
  | { ok: false; errors: Record<string, string> };

/** The largest limit accepted: more than any team holds in one status, small enough to be a typo guard. */
const MAX_WIP_LIMIT = 10_000;

/**
 * Validates the limits modal's state (docs/flow-metrics.md §10.1: a whole number ≥ 0, empty for none).
 * `labels` names each block's status or stage for the errors, which are reported on that block.
 */
export function parseLimitsSubmission(values: unknown, labels: ReadonlyMap<string, string>): ParsedLimits {
  const parsed = stateValues.safeParse(values);
  if (!parsed.success)
    return { ok: false, errors: { [ALERT_BLOCK]: "The form arrived incomplete; try again." } };
  const errors: Record<string, string> = {};
  const limits: WipLimit[] = [];
  for (const [blockId, elements] of Object.entries(parsed.data)) {
    const target = targetOfBlock(blockId);
    if (!target) continue;
    const raw = (elements.value?.value ?? "").trim();
    if (raw === "") continue;
    const name = labels.get(blockId) ?? (target.kind === "status" ? target.key : target.stage);
    if (!/^[+-]?\d+$/.test(raw)) {
      errors[blockId] = /^[+-]?\d*[.,]\d+$/.test(raw)
        ? `The limit of “${name}” must be a whole number of tasks, not ${raw}.`
        : `The limit of “${name}” must be a whole number of tasks (0 or more), or empty for none.`;
      continue;
    }
    const n = Number(raw);
    if (n < 0)
      errors[blockId] = `The limit of “${name}” can't be negative: use 0 or more, or leave it empty.`;
    else if (n > MAX_WIP_LIMIT) errors[blockId] = `The limit of “${name}” is at most ${MAX_WIP_LIMIT}.`;
    else limits.push(target.kind === "status" ? { ...target, limit: n } : { ...target, limit: n });
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const alertAtOnce = (parsed.data[ALERT_BLOCK]?.value?.selected_options ?? []).some((o) => o.value === "on");
  return { ok: true, settings: { limits, alertAtOnce } };
}
