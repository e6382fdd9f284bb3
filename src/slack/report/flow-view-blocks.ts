import type { ActionsBlock, KnownBlock } from "@slack/types";
import type { AgeingItem, FlowReport, Pace } from "../../flow/metrics/types.ts";
import type { FlowBalanceWeek, WipLimitCount } from "../../flow/metrics/wip-limits.ts";
import { button, clip, context as contextLine, section } from "../views/block-kit.ts";
import { dateFormatter, days, escapeMrkdwn, link, percent, plural } from "../views/mrkdwn.ts";
import { segmentLines, segmentSleText, segmentTitle } from "./segment-blocks.ts";

/** Slack's documented ceiling for blocks in one message. */
const MESSAGE_BLOCK_LIMIT = 50;
/** Ageing tasks listed by name; the rest are counted ("and N more") and shown in the chart. */
const AGEING_LISTED = 15;
const AGEING_PER_SECTION = 5;
const STATUSES_LISTED = 12;
const REWORK_LISTED = 5;

export const SHARE_ACTION_ID = "flow_report_share";

export type ChartFiles = { ageing?: string; cycleTime?: string };

export type FlowViewContext = {
  channelId: string;
  /** When the numbers were computed. */
  at: Date;
  charts: ChartFiles;
  /** Present on the private copy: the "Share to channel" button's value. Absent once shared. */
  shareValue?: string;
  /** The chart picker's buttons, shown beside Share to channel. */
  picker?: ActionsBlock;
  /** Who shared it, on the channel copy. */
  sharedBy?: string;
  /** A line shown under the headline, e.g. why the charts are missing. */
  note?: string;
  /** WIP against the project's limits and arrivals against departures (docs/flow-metrics.md §10). */
  limits?: { counts: WipLimitCount[]; weeks: FlowBalanceWeek[] };
  /** Sections from other sources, shown after rework: tracked time, linked goals (docs/flow-metrics.md §15). */
  extra?: KnownBlock[];
};

export type FlowViewMessage = { text: string; blocks: KnownBlock[] };

const PACE_MARK: Record<Pace, string> = {
  "≤p50": ":large_green_circle:",
  "p50–p70": ":large_yellow_circle:",
  "p70–p85": ":large_orange_circle:",
  "p85–p95": ":red_circle:",
  ">p95": ":rotating_light:",
};

const PACE_TEXT: Record<Pace, string> = {
  "≤p50": "within 50%",
  "p50–p70": "past 50%",
  "p70–p85": "past 70%",
  "p85–p95": "past 85%",
  ">p95": "past 95%",
};

/** True when the window holds nothing to show: nothing finished, nothing in progress. */
export function reportIsEmpty(report: FlowReport): boolean {
  return report.throughput.total === 0 && report.wipNow === 0 && report.ageingTotal === 0;
}

/** The Flow view as one Block Kit message (≤ 50 blocks; long lists end with "and N more"). */
export function flowViewMessage(report: FlowReport, context: FlowViewContext): FlowViewMessage {
  const tz = report.window.timeZone;
  const day = dateFormatter(tz);
  const dayYear = dateFormatter(tz, true);
  const clockLabel = report.window.clock === "working" ? "working days" : "calendar days";
  const estimatedMark = (estimated: boolean) => (estimated ? " ≈" : "");

  const blocks: KnownBlock[] = [
    {
      type: "header",
      text: {
        type: "plain_text",
        text: clip(
          `Flow report · last ${report.window.days} days${report.segment ? ` · ${segmentTitle(report.segment)}` : ""}`,
          150,
        ),
      },
    },
    {
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text: `<#${context.channelId}> · ${day(report.window.from)} – ${dayYear(report.window.to)} (${tz}) · ${clockLabel} · as of ${timeOf(context.at, tz)}${context.sharedBy ? ` · shared by <@${context.sharedBy}>` : ""}`,
        },
      ],
    },
    { type: "section", fields: headlineFields(report) },
  ];

  if (context.note) blocks.push(contextLine(context.note));
  const notes = estimateNotes(report);
  if (notes) blocks.push(contextLine(notes));
  if (report.segment) {
    const { segment } = report;
    blocks.push(
      contextLine(
        `:label: Only the tasks whose ${escapeMrkdwn(clip(segment.title, 60))} is *${escapeMrkdwn(clip(segment.value, 80))}* now: every number and list below counts them alone.${segment.note ? ` ${segment.note}` : ""}`,
      ),
    );
  }
  if (report.segments) blocks.push(...segmentLines(report.segments));

  if (context.charts.ageing) {
    blocks.push({
      type: "image",
      slack_file: { id: context.charts.ageing },
      alt_text: `Ageing work in progress: ${plural(report.wipNow, "task")} by status and age, with the 50/70/85/95% cycle-time lines.`,
      title: { type: "plain_text", text: "Ageing work in progress" },
    });
  }
  if (context.charts.cycleTime) {
    blocks.push({
      type: "image",
      slack_file: { id: context.charts.cycleTime },
      alt_text: `Cycle time scatterplot: ${plural(report.cycleTime.n, "finished task")} by finish date and cycle time, with percentile lines.`,
      title: { type: "plain_text", text: "Cycle time" },
    });
  }

  blocks.push({ type: "divider" });
  const stages = timeInStageText(report);
  if (stages) blocks.push(section(`*Time per stage* (tasks finished in the window)\n${stages}`));
  const statuses = timeInStatusText(report, estimatedMark);
  if (statuses) blocks.push(section(`*Time per status*\n${statuses}`));
  if (context.limits && context.limits.counts.length > 0)
    blocks.push(section(wipLimitsText(context.limits.counts)));
  if (context.limits && context.limits.weeks.length > 0)
    blocks.push(section(flowBalanceText(context.limits.weeks)));
  blocks.push(section(reworkText(report, day)));
  if (context.extra) blocks.push(...context.extra);

  blocks.push(section(ageingHeading(report)));
  const listed = report.ageing.slice(0, AGEING_LISTED);
  for (let i = 0; i < listed.length; i += AGEING_PER_SECTION) {
    const lines = listed.slice(i, i + AGEING_PER_SECTION).map((item) => ageingLine(item, estimatedMark));
    blocks.push(section(lines.join("\n")));
  }
  const more = report.ageingTotal - listed.length;
  if (more > 0) {
    blocks.push({
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text: `…and ${plural(more, "more task")} in progress, every one of them a dot in the ageing chart.`,
        },
      ],
    });
  }

  blocks.push({
    type: "context",
    elements: [
      {
        type: "mrkdwn",
        text: ":large_green_circle: ≤50% · :large_yellow_circle: >50% · :large_orange_circle: >70% · :red_circle: >85% · :rotating_light: >95% of this window's cycle times · ≈ estimated from ClickUp's time in status",
      },
    ],
  });

  // Share and the chart picker (docs/flow-metrics.md §13) share one actions block.
  const actions = [
    ...(context.shareValue
      ? [button({ actionId: SHARE_ACTION_ID, text: "Share to channel", value: context.shareValue })]
      : []),
    ...(context.picker?.elements ?? []),
  ];
  if (actions.length > 0) blocks.push({ type: "actions", elements: actions });

  return { text: summaryText(report), blocks: blocks.slice(0, MESSAGE_BLOCK_LIMIT) };
}

function field(text: string) {
  return { type: "mrkdwn" as const, text: clip(text, 2000) };
}

function headlineFields(report: FlowReport) {
  const ct = report.cycleTime;
  const weeks = report.window.days / 7;
  const perWeek = report.throughput.total / weeks;
  const recent = report.throughput.perWeek.slice(-6).map((w) => w.count);
  const sle = report.segment
    ? segmentSleText(report.segment)
    : report.sle.days === null
      ? "not known yet (no finished task)"
      : `85% of tasks finish within *${days(report.sle.days)}*${report.sle.source === "manual" ? " (set by hand)" : ""}`;
  const threshold = report.ageingBySegment
    ? " (each over its segment's threshold)"
    : report.ageingThresholdDays === null
      ? ""
      : ` (over ${days(report.ageingThresholdDays)})`;
  return [
    field(
      `*Cycle time* (${plural(ct.n, "task")})\n50% ${days(ct.p50)} · 70% ${days(ct.p70)} · 85% ${days(ct.p85)} · 95% ${days(ct.p95)}`,
    ),
    field(`*SLE*\n${sle}`),
    field(
      `*Throughput*\n${Math.round(perWeek * 10) / 10} / week (${report.throughput.total} finished)${recent.length ? `\nlast weeks: ${recent.join(", ")}` : ""}`,
    ),
    field(`*WIP now*\n${report.wipNow} in progress · ${report.ageingOverThreshold} ageing${threshold}`),
    field(`*Flow efficiency*\n${percent(report.flowEfficiency)} of cycle time active`),
    field(
      `*Lead time* (${plural(report.leadTime.n, "task")})\n50% ${days(report.leadTime.p50)} · 85% ${days(report.leadTime.p85)} · 95% ${days(report.leadTime.p95)}`,
    ),
    field(
      `*Rework rate*\n${percent(report.rework.rate)} (${report.rework.finishedWithRework} of ${report.rework.finished} finished)`,
    ),
    field(`*Skipped the workflow*\n${plural(report.skippedWorkflow, "task")} went straight to done`),
  ];
}

function estimateNotes(report: FlowReport): string | null {
  const parts: string[] = [];
  if (report.cycleTime.estimated > 0)
    parts.push(`${report.cycleTime.estimated} of ${report.cycleTime.n} cycle times`);
  if (report.leadTime.estimated > 0)
    parts.push(`${report.leadTime.estimated} of ${report.leadTime.n} lead times`);
  const ageingEstimated = report.ageing.filter((a) => a.estimated).length;
  if (ageingEstimated > 0) parts.push(plural(ageingEstimated, "task age"));
  if (parts.length === 0) return null;
  return `:information_source: Estimated from ClickUp's time in status (history from before the binding): ${parts.join(", ")}. Marked ≈ below.`;
}

function timeInStageText(report: FlowReport): string | null {
  const total = report.timeInStage.reduce((sum, s) => sum + s.days, 0);
  if (total <= 0) return null;
  return report.timeInStage
    .filter((s) => s.days > 0)
    .map(
      (s) =>
        `• ${s.stage.replace("_", " ")}: ${days(s.days)} (${percent(s.days / total)})${s.estimated ? " ≈" : ""}`,
    )
    .join("\n");
}

function timeInStatusText(report: FlowReport, mark: (estimated: boolean) => string): string | null {
  const statuses = [...report.timeInStatus].filter((s) => s.days > 0).sort((a, b) => b.days - a.days);
  if (statuses.length === 0) return null;
  const total = statuses.reduce((sum, s) => sum + s.days, 0);
  const lines = statuses
    .slice(0, STATUSES_LISTED)
    .map(
      (s) =>
        `• ${escapeMrkdwn(clip(s.status, 40))} (${s.stage.replace("_", " ")}): ${days(s.days)} (${percent(s.days / total)})${mark(s.estimated)}`,
    );
  const more = statuses.length - STATUSES_LISTED;
  if (more > 0) lines.push(`…and ${plural(more, "more status", "more statuses")}`);
  return lines.join("\n");
}

const LIMITS_LISTED = 20;
const WEEKS_LISTED = 14;

/** Count / limit of each limited status and stage, those over it marked (§10.1: at the limit is not over). */
function wipLimitsText(counts: readonly WipLimitCount[]): string {
  const over = counts.filter((c) => c.over).length;
  const lines = counts.slice(0, LIMITS_LISTED).map((c) => {
    const name = `${escapeMrkdwn(clip(c.label, 40))}${c.kind === "stage" ? " (stage)" : ""}`;
    return c.over
      ? `• :warning: *${name}: ${c.count} / ${c.limit}* — over`
      : `• ${name}: ${c.count} / ${c.limit}`;
  });
  const more = counts.length - LIMITS_LISTED;
  if (more > 0) lines.push(`…and ${plural(more, "more limit")}`);
  return `*WIP vs limit*${over > 0 ? ` (${over} over)` : ""}\n${lines.join("\n")}`;
}

/** Arrivals (tasks started) and departures (tasks finished) per ISO week, the latest weeks (§10.2). */
function flowBalanceText(weeks: readonly FlowBalanceWeek[]): string {
  const shown = weeks.slice(-WEEKS_LISTED);
  const lines = shown.map((w) => {
    const trend = w.arrivals > w.departures ? " ↑" : w.arrivals < w.departures ? " ↓" : "";
    return `• ${w.label}: ${w.arrivals} arrived · ${w.departures} departed${trend}`;
  });
  const arrived = shown.reduce((n, w) => n + w.arrivals, 0);
  const departed = shown.reduce((n, w) => n + w.departures, 0);
  return `*Arrivals vs departures* (per ISO week; ${arrived} started, ${departed} finished)\n${lines.join("\n")}`;
}

function reworkText(report: FlowReport, day: (d: Date) => string): string {
  const { rework } = report;
  if (rework.eventsTotal === 0) return "*Rework*\nNo flow-backs or reopens in this window.";
  const lines = rework.events.slice(0, REWORK_LISTED).map((event) => {
    const kind = event.kind === "reopen" ? "reopened" : "moved back";
    const who = event.actorName ? ` by ${escapeMrkdwn(clip(event.actorName, 40))}` : "";
    return `• ${link(event.url, event.taskName, 60)}: ${kind} ${escapeMrkdwn(clip(event.from, 30))} → ${escapeMrkdwn(clip(event.to, 30))}, ${day(event.at)}${who}`;
  });
  const more = rework.eventsTotal - lines.length;
  if (more > 0) lines.push(`…and ${plural(more, "more event")}`);
  return `*Rework* (${plural(rework.eventsTotal, "event")}, newest first)\n${lines.join("\n")}`;
}

function ageingHeading(report: FlowReport): string {
  if (report.ageingTotal === 0) return "*Work in progress*\nNothing in progress right now.";
  return `*Oldest work in progress* (${report.ageingTotal} in progress, oldest first)`;
}

function ageingLine(item: AgeingItem, mark: (estimated: boolean) => string): string {
  const pace = item.pace ? `${PACE_MARK[item.pace]} ` : "";
  const who = item.assignees.length
    ? item.assignees
        .slice(0, 2)
        .map((a) => escapeMrkdwn(clip(a.username ?? a.email ?? `#${a.id}`, 30)))
        .join(", ") + (item.assignees.length > 2 ? ` +${item.assignees.length - 2}` : "")
    : "unassigned";
  const paceText = item.pace ? ` · ${PACE_TEXT[item.pace]}` : "";
  return `${pace}${link(item.url, item.name, 60)} — *${days(item.ageDays)}${mark(item.estimated)}* old · ${escapeMrkdwn(clip(item.status, 30))} for ${days(item.daysInStatus)}${paceText} · ${who}`;
}

function summaryText(report: FlowReport): string {
  return `Flow report, last ${report.window.days} days${report.segment ? ` (${segmentTitle(report.segment)})` : ""}: cycle time 85% ${days(report.cycleTime.p85)}, ${report.throughput.total} finished, ${report.wipNow} in progress.`;
}

function timeOf(date: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-GB", {
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    timeZone,
  }).format(date);
}
