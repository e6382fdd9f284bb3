import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bindings, connections, projects, statusTransitions, trackedCases } from "../../db/schema.ts";
import { type Flowbot, startFlowbot } from "../../src/app/start-flowbot.ts";
import { createClickUpClient, createRateLimitRegistry } from "../../src/clickup/index.ts";
import type { Db } from "../../src/db/connect-database.ts";
import { backfillBinding } from "../../src/sync/backfill/backfill-binding.ts";
import { seededFake, TOKEN } from "../fakes/clickup/fixtures.ts";
import { createSlackFake, type SlackFake } from "../fakes/slack/index.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { slashCommandRequest } from "../helpers/sign-slack-request.ts";
import { TEST_SIGNING_SECRET, testConfig } from "../helpers/test-config.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

// What starts a reconcile, end to end in the running app (Bolt, Hono, graphile-worker, Postgres):
// `/flow resume`, `/flow module on` and the reconcile-bindings cron fan-out. No PUBLIC_URL, so no
// webhook: every change made in the ClickUp fake is one flowbot was never told about.
const TEAM = "T0RECON";
const ADMIN = "U0ADMIN";
const CHANNEL = "C0RECON";
const MINUTE = 60_000;

let tdb: TestDatabase;
let slack: SlackFake;
let flowbot: Flowbot;
let db: Db;
const w = seededFake({ rateLimit: { limit: 10_000 } });

beforeAll(async () => {
  tdb = await createTestDatabase();
  slack = createSlackFake({
    teamId: TEAM,
    users: [{ id: ADMIN, is_admin: true }],
    channels: [{ id: CHANNEL, name: "project" }],
  });
  flowbot = await startFlowbot({
    config: testConfig({ DATABASE_URL: tdb.url, CLICKUP_API_URL: "http://clickup.test/api" }),
    logger: captureLogs("warn").logger,
    slackFetch: slack.fetch,
    clickupFetch: w.fake.fetch,
    crontab: "",
    workerPollInterval: 100,
  });
  db = flowbot.database.db;
  await db.insert(connections).values({
    slackTeamId: TEAM,
    clickupTeamId: w.team.id,
    clickupTeamName: "Acme",
    tokenSealed: flowbot.sealer.seal(TOKEN),
    tokenLast4: TOKEN.slice(-4),
    tokenOwnerId: w.jane.id,
    tokenOwnerName: "Jane Roe",
    connectedBy: ADMIN,
  });
});
afterAll(async () => {
  await flowbot?.stop();
  await tdb?.drop();
});

/** Binds a list in the project channel and backfills it, as `/flow bind` + the backfill job would. */
async function boundList(name: string) {
  const list = w.fake.addList({ folderId: w.folder.id, name });
  const tasks = [1, 2].map((i) => w.fake.addTask({ listId: list.id, name: `${name} ${i}`, emit: false }));
  let [project] = await db.select().from(projects).where(eq(projects.channelId, CHANNEL));
  project ??= (await db.insert(projects).values({ slackTeamId: TEAM, channelId: CHANNEL }).returning())[0]!;
  const [binding] = await db
    .insert(bindings)
    .values({
      projectId: project.id,
      containerType: "list",
      containerId: list.id,
      containerName: name,
      containerPath: `Engineering › Product › ${name}`,
      spaceId: w.space.id,
      folderId: w.folder.id,
      createdBy: ADMIN,
    })
    .returning();
  const clickup = createClickUpClient({
    baseUrl: "http://clickup.test/api",
    token: TOKEN,
    fetch: w.fake.fetch,
    rateLimits: createRateLimitRegistry(),
  });
  const result = await backfillBinding(
    {
      db,
      sql: flowbot.database.sql,
      clickup,
      logger: captureLogs("warn").logger,
      now: w.clock.now,
      sealer: flowbot.sealer,
    },
    binding!.id,
  );
  expect(result.status).toBe("synced");
  return { list, tasks, bindingId: binding!.id };
}

const flow = async (text: string) => {
  const res = await fetch(
    slashCommandRequest({
      url: `${flowbot.url}/slack/events`,
      signingSecret: TEST_SIGNING_SECRET,
      text,
      user_id: ADMIN,
      team_id: TEAM,
      channel_id: CHANNEL,
      trigger_id: slack.issueTriggerId({ userId: ADMIN }),
    }),
  );
  expect(res.status).toBe(200);
  return ((await res.json()) as { text: string }).text;
};

const caseOf = async (bindingId: number, taskId: string) =>
  (
    await db
      .select()
      .from(trackedCases)
      .where(and(eq(trackedCases.bindingId, bindingId), eq(trackedCases.taskId, taskId)))
  )[0]!;

const inferredTo = async (bindingId: number, taskId: string) =>
  (
    await db
      .select()
      .from(statusTransitions)
      .where(eq(statusTransitions.caseId, (await caseOf(bindingId, taskId)).id))
  )
    .filter((t) => t.inferred && t.source === "reconcile")
    .map((t) => t.toStatus);

/** Waits until the worker has no job left (the reconciles queued have run). */
async function jobsDone() {
  await expect
    .poll(
      async () =>
        Number((await flowbot.database.sql`select count(*)::int as n from graphile_worker.jobs`)[0]!.n),
      {
        timeout: 10_000,
      },
    )
    .toBe(0);
}

describe("reconcile triggers", () => {
  it("/flow resume catches up with what changed while paused, deletions included", async () => {
    const b = await boundList("Resume");
    expect(await flow(`pause ${b.bindingId}`)).toContain("Paused");
    w.clock.advance(10 * MINUTE);
    w.fake.setTaskStatus(b.tasks[0]!.id, "in progress");
    w.fake.deleteTask(b.tasks[1]!.id);
    w.clock.advance(MINUTE);

    expect(await flow(`resume ${b.bindingId}`)).toContain("Resumed");

    await expect
      .poll(() => inferredTo(b.bindingId, b.tasks[0]!.id), { timeout: 10_000 })
      .toEqual(["in progress"]);
    await expect.poll(async () => (await caseOf(b.bindingId, b.tasks[1]!.id)).deletedAt).not.toBeNull();
    expect((await caseOf(b.bindingId, b.tasks[0]!.id)).statusName).toBe("in progress");
  });

  it("/flow module on reconciles the workspace's synced bindings", async () => {
    const b = await boundList("Module");
    expect(await flow("module off")).toContain("module is off");
    w.clock.advance(10 * MINUTE);
    w.fake.setTaskStatus(b.tasks[1]!.id, "review");
    w.clock.advance(MINUTE);

    expect(await flow("module on")).toContain("module is on");

    await expect.poll(() => inferredTo(b.bindingId, b.tasks[1]!.id), { timeout: 10_000 }).toEqual(["review"]);
    await jobsDone();
  });

  it("the reconcile-bindings fan-out reconciles synced bindings and leaves paused ones alone", async () => {
    const synced = await boundList("Synced");
    const paused = await boundList("Paused");
    expect(await flow(`pause ${paused.bindingId}`)).toContain("Paused");
    await jobsDone();
    w.clock.advance(10 * MINUTE);
    w.fake.setTaskStatus(synced.tasks[0]!.id, "review");
    w.fake.setTaskStatus(paused.tasks[0]!.id, "review");
    w.clock.advance(MINUTE);

    // What the cron schedule does every FLOWBOT_RECONCILE_MINUTES.
    await flowbot.database.sql`select graphile_worker.add_job('reconcile-bindings', '{}'::json)`;

    await expect
      .poll(() => inferredTo(synced.bindingId, synced.tasks[0]!.id), { timeout: 10_000 })
      .toEqual(["review"]);
    await jobsDone();
    expect(await inferredTo(paused.bindingId, paused.tasks[0]!.id)).toEqual([]);
    expect((await caseOf(paused.bindingId, paused.tasks[0]!.id)).statusName).toBe("to do");
  });
});
