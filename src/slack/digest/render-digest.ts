import type { KnownBlock } from "@slack/types";
import {
  type Digest,
  type DigestRework,
  type DigestTask,
  isQuiet,
  type StalledReason,
  type StuckReason,
} from "../../flow/digest/compute-digest.ts";
import { formatDays } from "../../flow/format-days.ts";
import type { Assignee } from "../../flow/metrics/types.ts";
import { frictionLine } from "../sentiment/friction-line.ts";
import { button, clip } from "../views/block-kit.ts";
import { escapeMrkdwn } from "../views/mrkdwn.ts";

export const DIGEST_ACTIONS = {
  open: "digest_open",
  snooze3d: "digest_snooze_3d",
  snoozeMoves: "digest_snooze_moves",
} as const;

/** What a snooze button carries: project and tracked case ids. */
type SnoozeValue = { p: number; c: number };

/** Slack's limit is 50 blocks per message. */
const MAX_BLOCKS = 50;
/** Slack rejects messages whose blocks hold much more than ~13k characters of text (bolt-js#2509); stay well under. */
const TEXT_BUDGET = 10_000;
const SECTION_TEXT = 3000;
const REWORK_TEXT = 2000;
const BLOCKED_TEXT = 1500;
const NAME_CHARS = 90;
const ASSIGNEES_SHOWN = 4;

export type RenderedMessage = { text: string; blocks: KnownBlock[] };

const days = (n: number) => formatDays(n, { precision: "fixed tenth" });
const link = (url: string, name: string) =>
  `<${url}|${escapeMrkdwn(clip(name, NAME_CHARS).replace(/\|/g, "¦"))}>`;
const slackDate = (at: Date) =>
  `<!date^${Math.floor(at.getTime() / 1000)}^{date_short_pretty} {time}|${at.toISOString().slice(0, 16).replace("T", " ")} UTC>`;

/**
 * `<@U…>` for assignees whose ClickUp email matched a Slack user, their ClickUp name otherwise.
 * @param slackUserByEmail lower-cased email → Slack user id
 */
function renderAssignees(
  assignees: readonly Assignee[],
  slackUserByEmail: ReadonlyMap<string, string>,
): string {
  if (assignees.length === 0) return "_unassigned_";
  const names = assignees.slice(0, ASSIGNEES_SHOWN).map((a) => {
    const user = a.email ? slackUserByEmail.get(a.email.toLowerCase()) : undefined;
    return user ? `<@${user}>` : escapeMrkdwn(a.username ?? `ClickUp user ${a.id}`);
  });
  const more = assignees.length - ASSIGNEES_SHOWN;
  return more > 0 ? `${names.join(", ")} +${more}` : names.join(", ");
}

/** Working days with one decimal: "6.1 working days". */
const workingDays = (n: number) => `${(Math.round(n * 10) / 10).toFixed(1)} working days`;

/**
 * "2.5 d in review (2 visits), over review's 85th percentile of 2.0 d", or "… over the project's rule of
 * 8.2 d" (docs/flow-metrics.md §8.5), on the project's clock.
 */
function stuckLine(stuck: StuckReason, clock: Digest["clock"]): string {
  const inDays = clock === "working" ? workingDays : days;
  const status = escapeMrkdwn(stuck.status);
  const visits = stuck.visits !== null && stuck.visits > 1 ? ` (${stuck.visits} visits)` : "";
  const limit =
    stuck.limitSource === "p85"
      ? `${status}'s 85th percentile of ${inDays(stuck.limitDays)}`
      : `the project's rule of ${inDays(stuck.limitDays)}`;
  const estimated = stuck.estimated ? " _(estimated from time in status)_" : "";
  return `:stopwatch: *Stuck:* ${inDays(stuck.daysSoFar)} in ${status}${visits}, over ${limit}${estimated}`;
}

/** "no activity for 6.1 working days" (§8.5): quiet time is always counted in working days. */
function stalledLine(stalled: StalledReason): string {
  return `:zzz: *Stalled:* no activity for ${workingDays(stalled.quietDays)}, since ${slackDate(stalled.lastActivityAt)}`;
}

function taskBlocks(digest: Digest, task: DigestTask, mentions: ReadonlyMap<string, string>): KnownBlock[] {
  const value = JSON.stringify({ p: digest.projectId, c: task.caseId } satisfies SnoozeValue);
  const clock = digest.clock === "working" ? " (working days)" : "";
  const estimated = task.estimated && task.level ? " _(estimated from time in status)_" : "";
  // Over SLE per segment (§8.5): whose ladder the rung is on.
  const segment = task.segment
    ? task.segment.own
      ? ` of ${escapeMrkdwn(clip(task.segment.value, 60))}`
      : ` (the project's: too few ${escapeMrkdwn(clip(task.segment.value, 60))} finished)`
    : "";
  const past = task.level ? `, past ${task.level.label}${segment}${estimated}` : "";
  const lines = [
    `*${link(task.url, task.name)}*`,
    `Age *${days(task.ageDays)}*${clock}${past} · ${escapeMrkdwn(task.status)} for ${days(task.daysInStatus)} · ${renderAssignees(task.assignees, mentions)}`,
    ...(task.stuck ? [stuckLine(task.stuck, digest.clock)] : []),
    ...(task.stalled ? [stalledLine(task.stalled)] : []),
    ...(task.friction ? [frictionLine(task.friction)] : []),
  ];
  return [
    {
      type: "section",
      block_id: `task:${task.caseId}`,
      text: { type: "mrkdwn", text: clip(lines.join("\n"), SECTION_TEXT) },
    },
    {
      type: "actions",
      block_id: `task_actions:${task.caseId}`,
      elements: [
        // Slack sends an action for a URL button too; the value lets the guard check its project.
        button({ actionId: DIGEST_ACTIONS.open, text: "Open in ClickUp", url: task.url, value }),
        button({ actionId: DIGEST_ACTIONS.snooze3d, text: "Snooze 3 days", value }),
        button({ actionId: DIGEST_ACTIONS.snoozeMoves, text: "Snooze until it moves", value }),
      ],
    },
  ];
}

function reworkLine(r: DigestRework): string {
  const what = r.kind === "reopen" ? "reopened" : "flowed back";
  const who = r.actorName ? ` by ${escapeMrkdwn(r.actorName)}` : "";
  return `• ${link(r.url, r.name)} ${what}: ${escapeMrkdwn(r.from)} → ${escapeMrkdwn(r.to)}${who}, ${slackDate(r.at)}`;
}

/** The statuses over their WIP limit in one line: "review 5 / 3" (docs/flow-metrics.md §10.1). */
function overLimitBlock(digest: Digest): KnownBlock[] {
  if (digest.overLimit.length === 0) return [];
  const each = digest.overLimit
    .map(
      (l) =>
        `${escapeMrkdwn(clip(l.label, 60))}${l.kind === "stage" ? " (stage)" : ""} ${l.count} / ${l.limit}`,
    )
    .join(", ");
  return [
    {
      type: "section",
      text: { type: "mrkdwn", text: clip(`:no_entry: *Over the WIP limit*: ${each}`, SECTION_TEXT) },
    },
  ];
}

/** "blocked for N d — reasons" (docs/flow-metrics.md §9.4), N on the project's clock. */
function blockedLine(b: Digest["blocked"][number], clock: Digest["clock"]): string {
  const unit = clock === "working" ? " working days" : " d";
  const n = formatDays(b.days, { precision: "fixed tenth" }).replace(/ ?d$/, "");
  return `• ${link(b.url, b.name)} blocked for ${n}${unit} — ${escapeMrkdwn(clip(b.reasons.join(", "), 300))}`;
}

/** Characters of text in blocks, counted the way Slack's total-text ceiling counts them (every `text` string). */
function textLength(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + textLength(item), 0);
  if (value === null || typeof value !== "object") return 0;
  let total = 0;
  for (const [key, child] of Object.entries(value)) {
    total += key === "text" && typeof child === "string" ? child.length : textLength(child);
  }
  return total;
}

/**
 * The digest as one Block Kit message within Slack's limits: tasks past the threshold first, then
 * stuck, stalled and at risk — each task once, with a reason line for every signal it newly carries
 * (docs/flow-metrics.md §8.5) — then rework; whatever does not fit is counted in a closing "and N more" line pointing at
 * `/flow report`. Undefined when there is nothing to say and the project did not ask for a quiet line.
 */
export function renderDigest(
  digest: Digest,
  mentions: ReadonlyMap<string, string>,
): RenderedMessage | undefined {
  const { headline } = digest;
  const sle = headline.sleDays === null ? "not known yet" : `85% within ${days(headline.sleDays)}`;
  const blockedCount = digest.blocked.length ? ` · ${digest.blocked.length} blocked` : "";
  const summary = `WIP ${headline.wipNow}${blockedCount} · throughput ${headline.throughputLastWeek} in the last 7 days · SLE ${sle}`;
  if (isQuiet(digest)) {
    if (!digest.allFlowingLine) return undefined;
    const text = `:ocean: All flowing in <#${digest.projectChannelId}> — nothing ageing, stuck, stalled, at risk or reworked. ${summary}.`;
    return { text, blocks: [{ type: "section", text: { type: "mrkdwn", text } }] };
  }

  const head: KnownBlock[] = [
    { type: "header", text: { type: "plain_text", text: "Flow digest" } },
    { type: "context", elements: [{ type: "mrkdwn", text: `<#${digest.projectChannelId}> · ${summary}` }] },
    ...overLimitBlock(digest),
  ];
  const sections: { title: string; tasks: DigestTask[] }[] = [
    { title: ":hourglass: *Ageing past the threshold*", tasks: digest.ageing },
    { title: ":stopwatch: *Stuck in a status*", tasks: digest.stuck },
    {
      title: `:zzz: *Stalled* — no activity for ${digest.stalledDays} working day${digest.stalledDays === 1 ? "" : "s"} or more`,
      tasks: digest.stalled,
    },
    { title: ":warning: *At risk* — past the 70th percentile", tasks: digest.atRisk },
  ].filter((s) => s.tasks.length > 0);
  const reworkBlocks = (digest.rework.length ? 2 : 0) + (digest.blocked.length ? 2 : 0);
  // Header, summary, one title per list, rework, and the closing "and N more" line.
  let spareBlocks = MAX_BLOCKS - head.length - sections.length - reworkBlocks - 1;
  let spareText =
    TEXT_BUDGET -
    textLength(head) -
    (digest.rework.length ? REWORK_TEXT + 100 : 0) -
    (digest.blocked.length ? BLOCKED_TEXT + 100 : 0);

  const body: KnownBlock[] = [];
  let hiddenTasks = 0;
  for (const section of sections) {
    const shown: KnownBlock[] = [];
    for (const task of section.tasks) {
      const blocks = taskBlocks(digest, task, mentions);
      const size = textLength(blocks);
      if (spareBlocks < blocks.length || spareText < size) {
        hiddenTasks++;
        continue;
      }
      shown.push(...blocks);
      spareBlocks -= blocks.length;
      spareText -= size;
    }
    if (shown.length === 0) continue;
    body.push(
      { type: "section", text: { type: "mrkdwn", text: `${section.title} (${section.tasks.length})` } },
      ...shown,
    );
  }

  let hiddenRework = 0;
  if (digest.rework.length) {
    const lines: string[] = [];
    let length = 0;
    for (const r of digest.rework) {
      const line = reworkLine(r);
      if (length + line.length + 1 > REWORK_TEXT) {
        hiddenRework++;
        continue;
      }
      lines.push(line);
      length += line.length + 1;
    }
    body.push(
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text: `:leftwards_arrow_with_hook: *${
            digest.reworkPeriod.since === "last_digest"
              ? "Rework since the last digest"
              : `Rework in the last ${digest.reworkPeriod.days} days`
          }* (${digest.rework.length})`,
        },
      },
      { type: "section", text: { type: "mrkdwn", text: lines.join("\n") } },
    );
  }

  let hiddenBlocked = 0;
  if (digest.blocked.length) {
    const lines: string[] = [];
    let length = 0;
    for (const b of digest.blocked) {
      const line = blockedLine(b, digest.clock);
      if (length + line.length + 1 > BLOCKED_TEXT) {
        hiddenBlocked++;
        continue;
      }
      lines.push(line);
      length += line.length + 1;
    }
    body.push(
      { type: "section", text: { type: "mrkdwn", text: `:no_entry: *Blocked* (${digest.blocked.length})` } },
      { type: "section", text: { type: "mrkdwn", text: lines.join("\n") } },
    );
  }

  if (hiddenTasks + hiddenRework + hiddenBlocked > 0) {
    const parts = [
      hiddenTasks ? `${hiddenTasks} more task${hiddenTasks === 1 ? "" : "s"}` : "",
      hiddenBlocked ? `${hiddenBlocked} more blocked` : "",
      hiddenRework ? `${hiddenRework} more rework event${hiddenRework === 1 ? "" : "s"}` : "",
    ].filter(Boolean);
    body.push({
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text: `…and ${parts.join(" and ")}. Run \`/flow report\` in <#${digest.projectChannelId}> for the full list.`,
        },
      ],
    });
  }

  const counts = [
    digest.overLimit.length ? `${digest.overLimit.length} over the WIP limit` : "",
    digest.ageing.length ? `${digest.ageing.length} ageing` : "",
    digest.stuck.length ? `${digest.stuck.length} stuck` : "",
    digest.stalled.length ? `${digest.stalled.length} stalled` : "",
    digest.atRisk.length ? `${digest.atRisk.length} at risk` : "",
    digest.rework.length ? `${digest.rework.length} rework` : "",
    digest.blocked.length ? `${digest.blocked.length} blocked` : "",
  ].filter(Boolean);
  return { text: `Flow digest: ${counts.join(", ")}. ${summary}.`, blocks: [...head, ...body] };
}
