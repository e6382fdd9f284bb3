import type { ProjectSettings } from "../../flow/settings/project-settings.ts";
import { WEEKDAYS } from "./settings-modal.ts";

/** A short human summary of saved settings, e.g. for the ephemeral confirmation. */
export function describeSettings(projectChannelId: string, s: ProjectSettings): string {
  const channel = `<#${s.digestChannelId ?? projectChannelId}>`;
  const days = s.digestDays.map((d) => WEEKDAYS[d - 1]!.slice(0, 3)).join(", ");
  const digest = s.digestEnabled
    ? `Digest: ${days} at ${s.digestTime} (${s.timeZone}) in ${channel}${s.digestAllFlowingLine ? ", with an “all flowing” line on quiet days" : ""}.`
    : `Digest: off (time zone ${s.timeZone}).`;
  const threshold =
    s.ageingFixedDays !== null
      ? `${s.ageingFixedDays} days`
      : `the ${s.ageingPercentile}th percentile of cycle time`;
  return `${digest}\nAgeing threshold: ${threshold}, counted in ${s.workingDays ? "working" : "calendar"} days.`;
}
