import type { KnownBlock } from "@slack/types";
import { clip, section } from "../slack/views/block-kit.ts";
import { escapeMrkdwn, link, percent, plural } from "../slack/views/mrkdwn.ts";
import type { TrackedTime, TrackedTimeRow } from "./tracked-time.ts";

const hours = (h: number) => `${Math.round(h * 10) / 10} h`;

function line(label: string, row: TrackedTimeRow): string {
  const share =
    row.withTime > 0
      ? `*${percent(row.share)}* of cycle time tracked (${hours(row.trackedHours)} of ${hours(row.cycleHours)}, ${plural(row.withTime, "task")})`
      : "no tracked time";
  const without = row.without > 0 ? ` · ${plural(row.without, "finished task")} without tracked time` : "";
  return `${label}: ${share}${without}`;
}

/** The report's "Tracked time" section (docs/flow-metrics.md §15); nothing when there is none. */
export function trackedTimeBlocks(tracked: TrackedTime | null): KnownBlock[] {
  if (!tracked) return [];
  const lines = [
    "*Tracked time* (ClickUp time entries of the tasks finished in the window; running timers not counted)",
    line("Project", tracked.project),
    ...tracked.segments.map((s) => line(`• ${escapeMrkdwn(clip(s.segment ?? "(none)", 60))}`, s)),
  ];
  if (tracked.untracked.length > 0) {
    const more = tracked.project.without - tracked.untracked.length;
    lines.push(
      `:stopwatch: No time tracked: ${tracked.untracked.map((t) => link(t.url, t.name, 50)).join(", ")}${more > 0 ? ` and ${more} more` : ""}`,
    );
  }
  return [section(clip(lines.join("\n"), 3000))];
}
