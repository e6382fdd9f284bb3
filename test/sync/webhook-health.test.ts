import { eq } from "drizzle-orm";
import type { JobHelpers } from "graphile-worker";
import { describe, expect, it } from "vitest";
import { bindings, clickupWebhooks } from "../../db/schema.ts";
import checkWebhookHealthJob from "../../jobs/check-webhook-health.ts";
import { createClickUpClient, createRateLimitRegistry } from "../../src/clickup/index.ts";
import { createSealer } from "../../src/crypto/sealer.ts";
import { backfillBinding } from "../../src/sync/backfill/backfill-binding.ts";
import { NO_PUBLIC_URL_WARNING } from "../../src/sync/backfill/messages.ts";
import { webhookFailingWarning } from "../../src/sync/webhook-health/messages.ts";
import type { JobDeps } from "../../src/worker/job-deps.ts";
import { seededFake, TOKEN } from "../fakes/clickup/fixtures.ts";
import { createSlackFake, webClientFor } from "../fakes/slack/index.ts";
import { bindFakeList } from "../helpers/bind-fake-list.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { TEST_KEY_HEX, testConfig } from "../helpers/test-config.ts";
import { useTestDatabase } from "../helpers/test-database.ts";

// The hourly check-webhook-health job against the ClickUp fake (its webhook API and emitter, which
// marks webhooks failing/suspended exactly as ClickUp does when deliveries fail) and real Postgres.
const sealer = createSealer(Buffer.from(TEST_KEY_HEX, "hex"));
const PUBLIC_URL = "https://flowbot.example.com";
const ENDPOINT = `${PUBLIC_URL}/clickup/webhook`;
const HOUR = 3_600_000;
const FIELD_EVENTS = [
  "taskAssigneeUpdated",
  "taskTagUpdated",
  "taskPriorityUpdated",
  "taskCommentPosted",
  "taskCommentUpdated",
];
let teams = 0;

const database = useTestDatabase();

const helpers = () => ({ abortSignal: new AbortController().signal }) as unknown as JobHelpers;

/**
 * A workspace with list "Sprint" bound in a project channel and backfilled (which registers its webhook
 * when `registered`). flowbot's endpoint answers ClickUp's deliveries with `endpoint.status`.
 */
async function setup(options: { registered?: boolean; publicUrl?: string | null } = {}) {
  const endpoint = { status: 200 };
  const w = seededFake({
    rateLimit: { limit: 10_000 },
    webhooks: { deliver: () => ({ status: endpoint.status }), retryDelayMs: 0 },
  });
  const task = w.fake.addTask({ listId: w.list.id, name: "Watched", emit: false });
  // One ClickUp per test: earlier tests' bindings (whose fakes are gone) are unbound, so the job sees
  // only this workspace, as a deployment would.
  await database.db.update(bindings).set({ unboundAt: new Date() });
  teams += 1;
  const slackTeamId = `TWH${teams}`;
  const channelId = `CWH${teams}`;
  const slackFake = createSlackFake({ channels: [{ id: channelId, name: "project" }] });
  const { bindingId } = await bindFakeList(database.db, sealer, w, { slackTeamId, channelId });
  const clickup = (token: string) =>
    createClickUpClient({
      baseUrl: "http://clickup.test/api",
      token,
      fetch: w.fake.fetch,
      rateLimits: createRateLimitRegistry(),
    });
  const logs = captureLogs("info");
  await backfillBinding(
    {
      db: database.db,
      sql: database.sql,
      clickup: clickup(TOKEN),
      logger: logs.logger,
      now: w.clock.now,
      sealer,
      publicUrl: options.registered === false ? undefined : PUBLIC_URL,
    },
    bindingId,
  );
  const publicUrl = options.publicUrl === null ? undefined : (options.publicUrl ?? PUBLIC_URL);
  const deps: JobDeps = {
    config: testConfig({
      DATABASE_URL: database.url,
      CLICKUP_API_URL: "http://clickup.test/api",
      ...(publicUrl ? { PUBLIC_URL: publicUrl } : {}),
    }),
    database,
    logger: logs.logger,
    now: w.clock.now,
    sealer,
    clickup,
    slack: webClientFor(slackFake),
  };
  const job = checkWebhookHealthJob(deps);
  const bindingRow = async () =>
    (await database.db.select().from(bindings).where(eq(bindings.id, bindingId)))[0]!;
  const hookRow = async (id: string) =>
    (await database.db.select().from(clickupWebhooks).where(eq(clickupWebhooks.id, id)))[0];
  /** One hourly run. */
  const check = async () => {
    w.clock.advance(HOUR);
    await job({}, helpers());
  };
  /** A status change in ClickUp, delivered (with ClickUp's retries) to flowbot's endpoint. */
  const change = async (status: string) => {
    w.fake.setTaskStatus(task.id, status);
    await w.fake.webhooks.settled();
  };
  return { ...w, endpoint, task, bindingId, channelId, slackFake, logs, check, change, bindingRow, hookRow };
}

describe("check-webhook-health", () => {
  it("reactivates a suspended webhook with PUT status active and records what ClickUp reported", async () => {
    const s = await setup();
    const hookId = (await s.bindingRow()).webhookId!;
    // flowbot answered 410 once (e.g. a proxy): ClickUp suspends the webhook at once and stops sending.
    s.endpoint.status = 410;
    await s.change("in progress");
    expect(s.fake.webhooks.get(hookId)!.health.status).toBe("suspended");
    s.endpoint.status = 200;
    s.fake.requests.clear();

    await s.check();

    expect(s.fake.requests.count({ method: "PUT", path: `/api/v2/webhook/${hookId}` })).toBe(1);
    const hook = s.fake.webhooks.get(hookId)!;
    expect(hook.health).toEqual({ status: "active", fail_count: 0 });
    expect(hook.endpoint).toBe(ENDPOINT);
    expect(await s.hookRow(hookId)).toMatchObject({
      healthStatus: "suspended",
      lastCheckedAt: new Date(s.clock.now()),
      failingNotifiedAt: null,
    });
    // Deliveries flow again, and the next check records the webhook healthy.
    await s.change("review");
    expect(s.fake.webhooks.log.at(-1)!.outcome).toBe("delivered");
    await s.check();
    expect(await s.hookRow(hookId)).toMatchObject({ healthStatus: "active", failCount: 0 });
    expect(s.slackFake.messages(s.channelId)).toHaveLength(0);
  });

  it("gives an active webhook registered before the field events were needed the events it lacks", async () => {
    const s = await setup();
    const hookId = (await s.bindingRow()).webhookId!;
    // As flowbot registered them before it kept tags, priority and comments.
    const old = ["taskCreated", "taskUpdated", "taskDeleted", "taskStatusUpdated", "taskMoved"];
    s.fake.webhooks.get(hookId)!.events = old;
    s.fake.requests.clear();

    await s.check();

    expect(s.fake.requests.count({ method: "PUT", path: `/api/v2/webhook/${hookId}` })).toBe(1);
    const events = s.fake.webhooks.get(hookId)!.events;
    expect(events).toEqual(expect.arrayContaining([...old, ...FIELD_EVENTS]));
    expect((await s.hookRow(hookId))!.events).toEqual(events);
    expect(s.logs.lines.map((l) => l.msg)).toContain("ClickUp webhook's events updated");
    // Up to date now: the next check changes nothing.
    s.fake.requests.clear();
    await s.check();
    expect(s.fake.requests.count({ method: "PUT" })).toBe(0);
  });

  it("re-creates a webhook deleted in ClickUp and points the binding at the new one", async () => {
    const s = await setup();
    const oldId = (await s.bindingRow()).webhookId!;
    s.fake.state.webhooks.delete(oldId); // someone removed it in ClickUp

    await s.check();

    const newId = (await s.bindingRow()).webhookId!;
    expect(newId).not.toBe(oldId);
    const hook = s.fake.webhooks.get(newId)!;
    expect(hook).toMatchObject({ endpoint: ENDPOINT, listId: s.list.id, health: { status: "active" } });
    expect(hook.events).toEqual(expect.arrayContaining(["taskStatusUpdated", "taskCreated", "taskDeleted"]));
    const row = await s.hookRow(newId);
    expect(sealer.open(row!.secretSealed)).toBe(hook.secret);
    expect(await s.hookRow(oldId)).toBeUndefined();
    // The new webhook delivers.
    await s.change("in progress");
    expect(s.fake.webhooks.log.at(-1)).toMatchObject({ webhookId: newId, outcome: "delivered" });
  });

  it("tells the channel once when a webhook keeps failing after reactivation, and again only after it recovered", async () => {
    const s = await setup();
    const hookId = (await s.bindingRow()).webhookId!;
    s.endpoint.status = 503; // flowbot unreachable behind its proxy

    // taskStatusUpdated and taskUpdated, each tried 6 times and dropped: failing, fail_count 2.
    await s.change("in progress");
    expect(s.fake.webhooks.get(hookId)!.health).toEqual({ status: "failing", fail_count: 2 });
    await s.check(); // first sighting: reactivated quietly
    expect(s.fake.webhooks.get(hookId)!.health.status).toBe("active");
    expect(s.slackFake.messages(s.channelId)).toHaveLength(0);

    await s.change("review"); // fails again after the reactivation
    await s.check();
    const told = s.slackFake.messages(s.channelId);
    expect(told).toHaveLength(1);
    expect(told[0]!.text).toContain("keeps failing");
    expect(told[0]!.text).toContain("Engineering › Product › Sprint");
    expect(told[0]!.text).toContain(ENDPOINT);
    expect((await s.hookRow(hookId))!.failingNotifiedAt).toEqual(new Date(s.clock.now()));
    expect((await s.bindingRow()).warning).toContain(webhookFailingWarning);

    await s.change("done"); // and again: still one message
    await s.check();
    expect(s.slackFake.messages(s.channelId)).toHaveLength(1);

    s.endpoint.status = 200; // fixed: deliveries succeed, ClickUp marks it active
    await s.change("in progress");
    await s.check();
    expect(await s.hookRow(hookId)).toMatchObject({ healthStatus: "active", failingNotifiedAt: null });
    expect((await s.bindingRow()).warning).toBeNull();

    s.endpoint.status = 503; // a new episode is told again, once
    await s.change("review");
    await s.check();
    await s.change("in progress");
    await s.check();
    expect(s.slackFake.messages(s.channelId)).toHaveLength(2);
  });

  it("registers a webhook for a binding made before PUBLIC_URL was set and drops its warning", async () => {
    const s = await setup({ registered: false });
    expect((await s.bindingRow()).warning).toBe(NO_PUBLIC_URL_WARNING);
    await s.check();
    const row = await s.bindingRow();
    expect(row.webhookId).not.toBeNull();
    expect(row.warning).toBeNull();
    expect(s.fake.webhooks.get(row.webhookId!)).toMatchObject({ endpoint: ENDPOINT, listId: s.list.id });
  });

  it("without PUBLIC_URL skips with a log line and asks ClickUp nothing", async () => {
    const s = await setup({ registered: false, publicUrl: null });
    s.fake.requests.clear();
    await s.check();
    expect(s.fake.requests.entries).toHaveLength(0);
    expect(s.logs.text()).toContain("webhook health check skipped");
  });
});
