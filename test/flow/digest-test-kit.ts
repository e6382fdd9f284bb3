import type { Sql } from "postgres";
import { expect } from "vitest";
import { type Flowbot, startFlowbot } from "../../src/app/start-flowbot.ts";
import {
  type PostDigestDeps,
  type PostDigestOutcome,
  postDigest,
} from "../../src/slack/digest/post-digest.ts";
import { createSlackUserDirectory } from "../../src/slack/digest/slack-user-directory.ts";
import { recordTransition } from "../../src/sync/timeline/index.ts";
import { createSlackFake, type SlackFake, webClientFor } from "../fakes/slack/index.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { interactionRequest, slashCommandRequest } from "../helpers/sign-slack-request.ts";
import { modalKit } from "../helpers/slack-modals.ts";
import { TEST_SIGNING_SECRET, testConfig } from "../helpers/test-config.ts";

/** Shared set-up for the settings and digest tests: a running flowbot, the Slack fake, and seeded flow data. */

export const TEAM = "T0FAKETEAM";
export const ADMIN = "U0ADMIN";
export const MEMBER = "U0MEMBER";
export const CHANNEL = "C0PROJECT";
export const DAY = 24 * 60 * 60 * 1000;

export type Status = { name: string; type: string; orderindex: number };
export const STATUSES = {
  todo: { name: "to do", type: "open", orderindex: 0 },
  doing: { name: "in progress", type: "custom", orderindex: 1 },
  review: { name: "review", type: "custom", orderindex: 2 },
  blocked: { name: "blocked", type: "custom", orderindex: 3 },
  done: { name: "complete", type: "closed", orderindex: 4 },
} satisfies Record<string, Status>;

export type App = {
  flowbot: Flowbot;
  slack: SlackFake;
  sql: Sql;
  /** A /flow subcommand from a user in a channel; the slash command's JSON answer. */
  run(
    text: string,
    options?: { user?: string; channel?: string },
  ): Promise<{ text?: string; blocks?: unknown[] }>;
  /** An interaction payload (block_actions, view_submission), signed like Slack signs it. */
  interact(payload: object, user?: string): Promise<Response>;
  /** Modals as Slack drives them: opened by a command, then submitted from the fake's stored view. */
  modals: ReturnType<typeof modalKit>;
};

export async function startApp(options: {
  databaseUrl: string;
  now: () => number;
  crontab?: string;
  slack?: SlackFake;
}): Promise<App> {
  const slack =
    options.slack ??
    createSlackFake({
      now: options.now,
      users: [
        { id: ADMIN, is_admin: true, profile: { email: "ada@example.com" } },
        { id: MEMBER, profile: { email: "max@example.com" } },
      ],
      channels: [
        { id: CHANNEL, name: "project", is_member: true, members: [ADMIN, MEMBER] },
        { id: "C0DIGEST", name: "digests", is_member: true, members: [ADMIN, MEMBER] },
        { id: "C0OUTSIDE", name: "outside", is_member: false },
        { id: "C0SECRET", name: "secret", is_private: true, is_member: false },
      ],
    });
  const flowbot = await startFlowbot({
    config: testConfig({ DATABASE_URL: options.databaseUrl }),
    logger: captureLogs().logger,
    slackFetch: slack.fetch,
    now: options.now,
    crontab: options.crontab ?? "",
    workerPollInterval: 100,
  });
  const url = `${flowbot.url}/slack/events`;
  const now = () => options.now();
  return {
    flowbot,
    slack,
    sql: flowbot.database.sql,
    modals: modalKit({ slack, url, sql: () => flowbot.database.sql, now }),
    async run(text, { user = ADMIN, channel = CHANNEL } = {}) {
      const res = await fetch(
        slashCommandRequest({
          url,
          now,
          signingSecret: TEST_SIGNING_SECRET,
          text,
          user_id: user,
          team_id: TEAM,
          channel_id: channel,
          trigger_id: slack.issueTriggerId({ userId: user }),
        }),
      );
      expect(res.status).toBe(200);
      const body = await res.text();
      return body ? (JSON.parse(body) as { text?: string; blocks?: unknown[] }) : {};
    },
    interact(payload, user = ADMIN) {
      return fetch(
        interactionRequest({
          url,
          now,
          signingSecret: TEST_SIGNING_SECRET,
          payload: {
            team: { id: TEAM },
            user: { id: user, team_id: TEAM },
            api_app_id: "A0FAKEAPP",
            token: "x",
            ...payload,
          },
        }),
      );
    },
  };
}

/** A connected workspace and a project channel binding one list. */
export async function seedProject(
  sql: Sql,
  options: {
    channelId?: string;
    createdAt?: Date;
    settings?: Record<string, unknown>;
    /** The ageing signals on (docs/flow-metrics.md §8); "over SLE only" for tests of the ageing ladder. */
    signals?: "all" | "over SLE only";
  } = {},
): Promise<{ projectId: number; bindingId: number }> {
  await sql`
    insert into connections (slack_team_id, clickup_team_id, clickup_team_name, token_sealed, token_last4,
      token_owner_id, token_owner_name, connected_by)
    values (${TEAM}, '9001', 'Acme', 'sealed', '9999', 100, 'Jane', ${ADMIN})
    on conflict (slack_team_id) do nothing`;
  const [project] = await sql<{ id: number }[]>`
    insert into projects (slack_team_id, channel_id, channel_name, created_at)
    values (${TEAM}, ${options.channelId ?? CHANNEL}, 'project', ${(options.createdAt ?? new Date(Date.UTC(2026, 0, 1))).toISOString()}::timestamptz)
    returning id::int`;
  const projectId = project!.id;
  if (options.settings) await sql`update projects set ${sql(options.settings)} where id = ${projectId}`;
  if (options.signals === "over SLE only") {
    await sql`insert into signal_settings (project_id, stuck_on, stalled_on) values (${projectId}, false, false)`;
  }
  const [binding] = await sql<{ id: number }[]>`
    insert into bindings (project_id, container_type, container_id, container_name, container_path, space_id,
      sync_status, created_by)
    values (${projectId}, 'list', ${`L${projectId}`}, 'Backlog', 'Eng › Backlog', '10', 'synced', ${ADMIN})
    returning id::int`;
  return { projectId, bindingId: binding!.id };
}

let taskSeq = 0;

/**
 * A tracked case created at `createdAt` in "to do", then moved through `path` (status, at) with exact
 * webhook transitions — the way live sync records them.
 */
export async function addTask(
  sql: Sql,
  bindingId: number,
  task: {
    name?: string;
    createdAt: Date;
    path: [Status, Date, string?][];
    assignees?: { id: number; username: string; email: string | null }[];
  },
): Promise<{ caseId: number; taskId: string; url: string }> {
  taskSeq++;
  const taskId = `t${taskSeq}`;
  const url = `https://app.clickup.com/t/${taskId}`;
  const first = STATUSES.todo;
  const [row] = await sql<{ id: number }[]>`
    insert into tracked_cases (binding_id, task_id, name, url, home_list_id, status_name, status_type,
      status_orderindex, date_created, date_updated, assignees)
    values (${bindingId}, ${taskId}, ${task.name ?? `Task ${taskSeq}`}, ${url}, 'L1', ${first.name}, ${first.type},
      ${first.orderindex}, ${task.createdAt.toISOString()}::timestamptz, ${task.createdAt.toISOString()}::timestamptz,
      ${sql.json(task.assignees ?? [])})
    returning id::int`;
  const caseId = row!.id;
  let from: Status = first;
  let i = 0;
  for (const [to, at, actor] of task.path) {
    await recordTransition(sql, {
      caseId,
      fromStatus: from.name,
      fromType: from.type,
      fromOrderindex: from.orderindex,
      toStatus: to.name,
      toType: to.type,
      toOrderindex: to.orderindex,
      occurredAt: at,
      actorId: 100,
      actorName: actor ?? "Jane",
      source: "webhook",
      historyItemId: `${taskId}-h${i++}`,
    });
    from = to;
  }
  return { caseId, taskId, url };
}

/**
 * Twenty tasks finished before `now` with cycle times of 1, 2, … 20 days, so the window's nearest-rank
 * percentiles are p50 = 10, p70 = 14, p85 = 17 (the SLE) and p95 = 19 days; twice the SLE is 34 days.
 */
export async function seedFinishedHistory(sql: Sql, bindingId: number, now: number): Promise<void> {
  for (let i = 1; i <= 20; i++) {
    const start = now - 25 * DAY;
    await addTask(sql, bindingId, {
      name: `Shipped ${i}`,
      createdAt: new Date(start - DAY),
      path: [
        [STATUSES.doing, new Date(start)],
        [STATUSES.done, new Date(start + i * DAY)],
      ],
    });
  }
}

/** postDigest's dependencies, wired to the running app's database and the Slack fake. */
export function digestDeps(app: App, now: () => number): PostDigestDeps {
  const slack = webClientFor(app.slack);
  return {
    database: app.flowbot.database,
    slack,
    logger: captureLogs().logger,
    now,
    users: createSlackUserDirectory(slack, captureLogs().logger, now),
  };
}

/** Claims the digest run due at `at` and posts it the way the post-digest job does. */
export async function runDigest(
  deps: PostDigestDeps,
  projectId: number,
  at: number,
): Promise<PostDigestOutcome> {
  const dueAt = new Date(at).toISOString();
  await deps.database.sql`
    insert into digest_runs (project_id, due_at) values (${projectId}, ${dueAt}::timestamptz) on conflict do nothing`;
  return postDigest(deps, { projectId, dueAt });
}
