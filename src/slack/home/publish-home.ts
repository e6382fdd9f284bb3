import type { KnownBlock } from "@slack/types";
import type { WebClient } from "@slack/web-api";
import type { Sql } from "postgres";
import { mapLimited } from "../../concurrency/map-limited.ts";
import type { Db } from "../../db/connect-database.ts";
import { computeSignalHeadline, type SignalHeadline } from "../../flow/metrics/signals.ts";
import { type RunSeries, runSeries, sparkline } from "../../flow/metrics/throughput-series.ts";
import { DAY_MS, loadMetricsSettings } from "../../flow/metrics/window-settings.ts";
import type { ReportProject } from "../../flow/report-projects.ts";
import { homeGoalLine } from "../../goals/home-goal-line.ts";
import type { Logger } from "../../log/create-logger.ts";
import type { Subcommand } from "../commands/subcommand.ts";
import { HOME_OPEN_REPORT_ACTION_ID } from "../report/report-subcommands.ts";
import { button, context, section, slackErrorCode } from "../views/block-kit.ts";
import { days } from "../views/mrkdwn.ts";
import { userProjects } from "./user-projects.ts";

/** Slack allows 100 blocks in a Home view; the fixed parts take under 10. */
const HOME_PROJECTS_LISTED = 40;
/** Project headlines computed at once while the Home tab is built. */
const HEADLINES_AT_ONCE = 4;

export type HomeDeps = { db: Db; sql: Sql; logger: Logger; now: () => number };

/**
 * The App Home tab is the Flow page: the user's projects (channels they are in that have a binding) with
 * their headline numbers and a button that sends the full report; then the command list and how to start.
 */
export async function publishHome(
  client: WebClient,
  teamId: string,
  userId: string,
  subcommands: Subcommand[],
  deps: HomeDeps,
): Promise<void> {
  const projectBlocks = await flowPageBlocks(client, teamId, userId, deps);
  await client.views.publish({
    user_id: userId,
    view: {
      type: "home",
      blocks: [
        { type: "header", text: { type: "plain_text", text: "flowbot · Flow" } },
        ...projectBlocks,
        { type: "divider" },
        {
          type: "section",
          text: {
            type: "mrkdwn",
            text: "*How to start*\nFlow metrics come from how your ClickUp work moves through its statuses. In a channel: `/flow connect` links ClickUp (once per workspace), `/flow bind` picks the lists, folder or space the channel follows, and `/flow report` shows its flow.",
          },
        },
        {
          type: "section",
          text: {
            type: "mrkdwn",
            text: `*Commands*\n${subcommands.map((s) => `• \`${s.usage}\` — ${s.summary}`).join("\n")}`.slice(
              0,
              3000,
            ),
          },
        },
      ],
    },
  });
}

async function flowPageBlocks(
  client: WebClient,
  teamId: string,
  userId: string,
  deps: HomeDeps,
): Promise<KnownBlock[]> {
  let projects: ReportProject[];
  try {
    projects = await userProjects(client, deps.db, teamId, userId);
  } catch (err) {
    const code = slackErrorCode(err) ?? "unknown error";
    deps.logger.warn({ err, userId }, "could not list the user's channels for the App Home");
    return [
      section(
        `:warning: I couldn't list your channels (Slack said \`${code}\`), so your projects aren't shown. If this says \`missing_scope\`, the app needs the \`channels:read\` and \`groups:read\` scopes.`,
      ),
    ];
  }
  if (projects.length === 0) {
    return [
      section(
        "*Your projects*\nNone yet: none of your channels follows a ClickUp list. Ask a flowbot admin to run `/flow bind` in a channel you're in — it then shows up here with its numbers.",
      ),
    ];
  }
  const now = new Date(deps.now());
  const listed = projects.slice(0, HOME_PROJECTS_LISTED);
  // A few at a time: each takes several queries, and the pool is shared with the webhook route.
  const headlines = await Promise.all(
    mapLimited(listed, HEADLINES_AT_ONCE, (p) =>
      Promise.all([computeSignalHeadline(deps.sql, p.id, { now }), weeklyThroughput(deps.sql, p.id, now)])
        .then(([headline, weeks]) => ({ ...headline, weeks }))
        .catch((err: unknown) => {
          deps.logger.warn({ err, projectId: p.id }, "headline for the App Home failed");
          return null;
        }),
    ),
  );
  // Each project's linked ClickUp goals (docs/clickup.md §19), under its headline.
  const goalLines = await Promise.all(
    mapLimited(listed, HEADLINES_AT_ONCE, (p) =>
      homeGoalLine(deps.sql, p.id, p.timeZone).catch((err: unknown) => {
        deps.logger.warn({ err, projectId: p.id }, "goals for the App Home failed");
        return undefined;
      }),
    ),
  );
  const blocks: KnownBlock[] = [
    section(
      `*Your projects* (${projects.length}) · WIP · finished last 7 days · SLE · tasks carrying each ageing signal`,
    ),
  ];
  listed.forEach((project, i) => {
    blocks.push({
      type: "section",
      text: {
        type: "mrkdwn",
        text: `<#${project.channelId}>\n${headlineText(headlines[i] ?? null)}${goalLines[i] ? `\n${goalLines[i]}` : ""}`,
      },
      accessory: button({
        actionId: HOME_OPEN_REPORT_ACTION_ID,
        text: "Open report",
        value: String(project.id),
      }),
    });
  });
  if (projects.length > listed.length) {
    blocks.push(
      context(`…and ${projects.length - listed.length} more. Run \`/flow report\` in any of those channels.`),
    );
  }
  return blocks;
}

/** How App Home names each signal's count (docs/flow-metrics.md §8.5); a case carrying two counts under both. */
const SIGNAL_COUNTS = [
  { kind: "over_sle", word: "ageing", emoji: ":warning:" },
  { kind: "stuck", word: "stuck", emoji: ":stopwatch:" },
  { kind: "stalled", word: "stalled", emoji: ":zzz:" },
] as const;

/** Weeks App Home's throughput sparkline covers (docs/flow-metrics.md §13.5), the current one last. */
const SPARKLINE_WEEKS = 12;

/** The project's departures per ISO week over the last 12 weeks. */
function weeklyThroughput(sql: Sql, projectId: number, now: Date): Promise<RunSeries> {
  return loadMetricsSettings(sql, projectId).then((s) =>
    runSeries(sql, s, new Date(now.getTime() - (SPARKLINE_WEEKS - 1) * 7 * DAY_MS), now),
  );
}

/**
 * `throughput ▂▅▃█▁ (12 weeks) · last whole week 4 · this week so far 1`: a text sparkline, since an image in App Home needs
 * a public URL the uploaded charts do not have (§13.5).
 */
function sparklineText(series: RunSeries): string {
  const weeks = series.weeks.slice(-SPARKLINE_WEEKS);
  if (weeks.length === 0) return "";
  const current = weeks.at(-1)!;
  const whole = weeks.filter((w) => !w.partial).at(-1);
  return [
    `throughput \`${sparkline(weeks.map((w) => w.departures))}\` (${weeks.length} weeks)`,
    ...(whole ? [`last whole week ${whole.departures}`] : []),
    `this week so far ${current.departures}`,
  ].join(" · ");
}

function headlineText(h: (SignalHeadline & { weeks: RunSeries }) | null): string {
  if (!h) return "_numbers unavailable right now_";
  const sle = h.sleDays === null ? "SLE not known yet" : `SLE 85% ≤ ${days(h.sleDays)}`;
  // A signal switched off in `/flow settings signals` is not counted.
  const counts = SIGNAL_COUNTS.flatMap(({ kind, word, emoji }) => {
    const n = h.signals[kind];
    if (n === null) return [];
    return [n > 0 ? `${emoji} ${n} ${word}` : `0 ${word}`];
  });
  const line = [`WIP *${h.wipNow}*`, `finished last week *${h.throughputLastWeek}*`, sle, ...counts].join(
    " · ",
  );
  const spark = sparklineText(h.weeks);
  return spark ? `${line}\n${spark}` : line;
}
