import { STAGE_LABELS } from "../../flow/metrics/wip-limits.ts";
import type { WipLimitSettings } from "../../flow/metrics/wip-limits-settings.ts";
import { clip } from "../views/block-kit.ts";
import { escapeMrkdwn } from "../views/mrkdwn.ts";

/** The project's WIP limits in a sentence (the saved confirmation). */
export function describeLimits(settings: WipLimitSettings): string {
  if (settings.limits.length === 0) return "WIP limits: none.";
  const each = settings.limits
    .map((l) => (l.kind === "stage" ? `${STAGE_LABELS[l.stage]} (stage) ${l.limit}` : `${l.key} ${l.limit}`))
    .join(", ");
  const alert = settings.alertAtOnce
    ? "the channel is alerted at once when one is exceeded"
    : "no immediate alert";
  return `WIP limits: ${escapeMrkdwn(clip(each, 2500))}; ${alert}.`;
}
