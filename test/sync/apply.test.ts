import type { JobHelpers } from "graphile-worker";
import { beforeAll, describe, expect, it } from "vitest";
import applyDeliveriesJob from "../../jobs/apply-deliveries.ts";
import { createClickUpClient, createRateLimitRegistry, isClickUpError } from "../../src/clickup/index.ts";
import { createSealer } from "../../src/crypto/sealer.ts";
import { type ApplyDeps, applyTaskDeliveries } from "../../src/sync/apply/index.ts";
import type { IngestPressure } from "../../src/sync/ingest-pressure.ts";
import { seededFake, TOKEN } from "../fakes/clickup/fixtures.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { TEST_KEY_HEX, testConfig } from "../helpers/test-config.ts";
import { useTestDatabase } from "../helpers/test-database.ts";

/*
 * applyTaskDeliveries against real Postgres and the ClickUp fake. Deliveries are the fake emitter's
 * signed payloads, stored the way the webhook route stores them (same idempotency key); the route and
 * the worker themselves are exercised in live-sync.test.ts.
 */
const sealer = createSealer(Buffer.from(TEST_KEY_HEX, "hex"));
const logs = captureLogs("warn");
let seq = 0;

const database = useTestDatabase();

const MIN = 60_000;

/**
 * One fake workspace for the file (ClickUp task ids are unique in it, as they are in ClickUp); each
 * test binds a fresh list, with its webhook, in a fresh project whose connection holds `token`.
 */
let w: ReturnType<typeof seededFake>;
beforeAll(() => {
  w = seededFake({ rateLimit: { limit: 10_000 } });
});

async function setup(token = TOKEN) {
  seq += 1;
  const team = `TAPPLY${seq}`;
  const list = w.fake.addList({ folderId: w.folder.id, name: `Sprint ${seq}` });
  const created = await w.send("POST", `/v2/team/${w.team.id}/webhook`, {
    endpoint: "https://flowbot.example.com/clickup/webhook",
    events: ["*"],
    list_id: list.id,
  });
  const webhookId = created.body.id as string;
  const sql = database.sql;
  const [c] = await sql<{ id: number }[]>`
    insert into connections (slack_team_id, clickup_team_id, clickup_team_name, token_sealed, token_last4,
      token_owner_id, token_owner_name, connected_by)
    values (${team}, ${w.team.id}, 'Acme', ${sealer.seal(token)}, 'OKEN', ${w.jane.id}, 'Jane Roe', 'U0ADMIN')
    returning id::int as id`;
  await sql`
    insert into clickup_webhooks (id, connection_id, container_type, container_id, endpoint, events, secret_sealed)
    values (${webhookId}, ${c!.id}, 'list', ${list.id}, 'https://flowbot.example.com/clickup/webhook',
      ${["*"]}, ${sealer.seal(created.body.webhook.secret)})`;
  const [p] = await sql<{ id: number }[]>`
    insert into projects (slack_team_id, channel_id) values (${team}, 'C1') returning id::int as id`;
  const [b] = await sql<{ id: number }[]>`
    insert into bindings (project_id, container_type, container_id, container_name, container_path, space_id,
      folder_id, sync_status, webhook_id, created_by)
    values (${p!.id}, 'list', ${list.id}, ${list.name}, ${`Engineering › Product › ${list.name}`}, ${w.space.id},
      ${w.folder.id}, 'synced', ${webhookId}, 'U0ADMIN')
    returning id::int as id`;

  // What the route would store: one row per idempotency key, later copies acknowledged and dropped.
  const bodies: string[] = [];
  w.fake.webhooks.configure({
    deliver: (_url, init) => {
      bodies.push(init.body);
      return { status: 200 };
    },
  });
  /** What ClickUp has sent so far, not stored (yet). */
  async function take() {
    await w.fake.webhooks.settled();
    return bodies.splice(0);
  }
  async function store() {
    for (const body of await take()) await storeBody(body);
  }

  const deps: ApplyDeps = {
    sql: database.sql,
    logger: logs.logger,
    now: Date.now,
    sealer,
    clickup: (token) =>
      createClickUpClient({
        baseUrl: "http://clickup.test/api",
        token,
        fetch: w.fake.fetch,
        rateLimits: createRateLimitRegistry(),
        retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1, maxRateLimitWaitMs: 0 },
      }),
  };
  return { list, webhookId, bindingId: b!.id, connectionId: c!.id, team, store, take, deps };
}

async function storeBody(body: string) {
  const d = JSON.parse(body) as {
    event: string;
    webhook_id: string;
    task_id?: string;
    history_items?: { id: string }[];
  };
  const item = d.history_items?.[0]?.id;
  const key = item ? `${d.webhook_id}:${item}` : `${d.webhook_id}:${d.event}:${d.task_id}:${body.length}`;
  await database.sql`
    insert into webhook_deliveries (idempotency_key, webhook_id, event, task_id, body)
    values (${key}, ${d.webhook_id}, ${d.event}, ${d.task_id ?? null}, ${body}::text::jsonb)
    on conflict (idempotency_key) do nothing`;
}

async function outcomes(taskId: string) {
  const rows = await database.sql<{ outcome: string; n: number }[]>`
    select outcome::text, count(*)::int as n from webhook_deliveries where task_id = ${taskId} group by 1 order by 1`;
  return Object.fromEntries(rows.map((r) => [r.outcome, r.n]));
}

async function caseOf(bindingId: number, taskId: string) {
  const [c] = await database.sql<{ id: number; status: string; tracked: boolean; home: string }[]>`
    select id::int as id, status_name as status, tracked, home_list_id as home
    from tracked_cases where binding_id = ${bindingId} and task_id = ${taskId}`;
  return c;
}

async function transitions(caseId: number) {
  return database.sql<{ from: string | null; to: string; toType: string; toOrder: number }[]>`
    select from_status as from, to_status as to, to_type as "toType", to_orderindex as "toOrder"
    from status_transitions where case_id = ${caseId} order by occurred_at, id`;
}

describe("applyTaskDeliveries", () => {
  it("applies a task's deliveries exactly once however many runs race for it", async () => {
    const { list, bindingId, store, deps } = await setup();
    const t = w.fake.addTask({ listId: list.id, name: "Raced" });
    for (const [i, s] of ["in progress", "review", "in progress", "done"].entries())
      w.fake.setTaskStatus(t.id, s, { at: w.clock.now() + (i + 1) * MIN });
    await store();
    const stored = (await outcomes(t.id)).pending!;
    expect(stored).toBe(5);

    const runs = await Promise.all([1, 2, 3].map(() => applyTaskDeliveries(deps, t.id)));
    // The per-task lock serialises the runs: one applies everything, the others find nothing pending.
    expect(runs.map((r) => r.deliveries).sort()).toEqual([0, 0, 5]);
    expect(runs.reduce((n, r) => n + r.applied, 0)).toBe(5);
    expect(runs.reduce((n, r) => n + r.transitions, 0)).toBe(5);
    const c = (await caseOf(bindingId, t.id))!;
    expect(c.status).toBe("done");
    expect((await transitions(c.id)).map((x) => x.to)).toEqual([
      "to do",
      "in progress",
      "review",
      "in progress",
      "done",
    ]);
    expect(await outcomes(t.id)).toEqual({ applied: 5 });
  });

  it("fails (for the job to retry) when ClickUp is down or rate-limited, writing nothing; the retry applies", async () => {
    const { list, bindingId, store, deps } = await setup();
    const t = w.fake.addTask({ listId: list.id, name: "Unlucky" });
    w.fake.setTaskStatus(t.id, "in progress");
    await store();

    w.fake.faults.failNext(1, { status: 503 });
    const down = await applyTaskDeliveries(deps, t.id).catch((e: unknown) => e);
    expect(isClickUpError(down, "clickup_down")).toBe(true);
    // ClickUp keeps answering 429 (more often than the client retries).
    w.fake.faults.failNext(6, { status: 429, body: { err: "Rate limit reached", ECODE: "APP_002" } });
    const limited = await applyTaskDeliveries(deps, t.id).catch((e: unknown) => e);
    w.fake.faults.clear();
    expect(isClickUpError(limited, "rate_limited")).toBe(true);
    expect(await caseOf(bindingId, t.id)).toBeUndefined();
    expect(await outcomes(t.id)).toEqual({ pending: 2 });

    const ok = await applyTaskDeliveries(deps, t.id);
    expect(ok).toMatchObject({ deliveries: 2, applied: 2, transitions: 2 });
    expect((await caseOf(bindingId, t.id))!.status).toBe("in progress");
  });

  it("with the token revoked, records one sync error naming the fix and leaves the deliveries pending", async () => {
    const other = "pk_4400002_SECONDTOKEN";
    w.fake.addUser({ username: "Sam", token: other, teamIds: [w.team.id] });
    const { list, bindingId, store, deps } = await setup(other);
    const t = w.fake.addTask({ listId: list.id, name: "Locked out" });
    await store();
    w.fake.revokeToken(other);
    const first = await applyTaskDeliveries(deps, t.id);
    const second = await applyTaskDeliveries(deps, t.id);
    expect(first).toMatchObject({ deliveries: 1, applied: 0, leftPending: 1 });
    expect(second).toMatchObject({ leftPending: 1 });
    expect(await outcomes(t.id)).toEqual({ pending: 1 });
    const errors = await database.sql`select code, message from sync_errors where binding_id = ${bindingId}`;
    expect(errors).toHaveLength(1);
    expect(errors[0]!.code).toBe("token_invalid");
    expect(errors[0]!.message).toContain("/flow connect");
    expect(errors[0]!.message).toContain(`Engineering › Product › ${list.name}`);
    expect(logs.text()).not.toContain(other);
  });

  it("drops deliveries whose binding was paused or unbound after they arrived", async () => {
    const { list, bindingId, store, deps } = await setup();
    const t = w.fake.addTask({ listId: list.id, name: "Paused" });
    await store();
    await database.sql`update bindings set sync_status = 'paused' where id = ${bindingId}`;
    expect(await applyTaskDeliveries(deps, t.id)).toMatchObject({ deliveries: 1, dropped: 1 });
    expect(await caseOf(bindingId, t.id)).toBeUndefined();
    expect(await outcomes(t.id)).toEqual({ dropped: 1 });
  });

  it("keeps the history of a task that left the list before we heard of it, untracked; a vanished task starts nothing", async () => {
    const { list, bindingId, store, deps } = await setup();
    const left = w.fake.addTask({ listId: list.id, name: "Leaver" });
    w.fake.setTaskStatus(left.id, "in progress", { at: w.clock.now() + MIN });
    w.fake.moveTask(left.id, w.inbox.id, { at: w.clock.now() + 2 * MIN });
    const gone = w.fake.addTask({ listId: list.id, name: "Ghost" });
    w.fake.deleteTask(gone.id);
    await store();

    await applyTaskDeliveries(deps, left.id);
    const c = (await caseOf(bindingId, left.id))!;
    expect(c).toMatchObject({ tracked: false, home: w.inbox.id, status: "in progress" });
    expect((await transitions(c.id)).map((x) => x.to)).toEqual(["to do", "in progress"]);

    expect(await applyTaskDeliveries(deps, gone.id)).toMatchObject({ deliveries: 2, transitions: 0 });
    expect(await caseOf(bindingId, gone.id)).toBeUndefined();
    expect((await outcomes(gone.id)).pending).toBeUndefined();
  });

  it("keeps the newest rename, move and assignee change when an older one is applied after it", async () => {
    const { list, bindingId, store, take, deps } = await setup();
    const t = w.fake.addTask({ listId: list.id, name: "First name" });
    await store();
    await applyTaskDeliveries(deps, t.id);
    const t0 = w.clock.now();
    w.fake.updateTask(t.id, { name: "Second name", assignees: [w.jane.id] }, { at: t0 + MIN });
    w.fake.moveTask(t.id, w.inbox.id, { at: t0 + 2 * MIN });
    const older = await take();
    w.fake.moveTask(t.id, list.id, { at: t0 + 3 * MIN });
    // (Renamed once back in the list: while in the Inbox the list's webhook hears nothing.)
    w.fake.updateTask(t.id, { name: "Third name", assignees: [] }, { at: t0 + 4 * MIN });
    await store();
    await applyTaskDeliveries(deps, t.id);
    // The older changes arrive only now (a ClickUp retry): they are recorded but change nothing.
    for (const body of older) await storeBody(body);
    expect(await applyTaskDeliveries(deps, t.id)).toMatchObject({ applied: 3 });
    const [c] = await database.sql`
      select name, assignees, home_list_id as home, tracked from tracked_cases
      where binding_id = ${bindingId} and task_id = ${t.id}`;
    expect(c).toEqual({ name: "Third name", assignees: [], home: list.id, tracked: true });
  });

  it("starts tracking a task it never saw from any task event, e.g. a priority change", async () => {
    const { list, webhookId, bindingId, deps } = await setup();
    const t = w.fake.addTask({ listId: list.id, name: "Quiet until now", status: "review", emit: false });
    await storeBody(
      JSON.stringify({
        event: "taskPriorityUpdated",
        task_id: t.id,
        webhook_id: webhookId,
        history_items: [
          {
            id: "9000000000000000100",
            type: 1,
            date: String(w.clock.now()),
            field: "priority",
            parent_id: list.id,
            data: {},
            source: null,
            user: { id: w.jane.id, username: "Jane Roe" },
            before: null,
            after: { id: "2", priority: "high" },
          },
        ],
      }),
    );
    expect(await applyTaskDeliveries(deps, t.id)).toMatchObject({ applied: 1, ignored: 0, transitions: 0 });
    expect(await caseOf(bindingId, t.id)).toMatchObject({ status: "review", tracked: true, home: list.id });
  });

  it("records a status item without type or orderindex from data.status_type, never as a flow-back", async () => {
    const { list, webhookId, bindingId, store, deps } = await setup();
    const t = w.fake.addTask({ listId: list.id, name: "Sparse", status: "review" });
    await store();
    await applyTaskDeliveries(deps, t.id);
    const at = w.clock.now() + 10 * MIN;
    await storeBody(
      JSON.stringify({
        event: "taskStatusUpdated",
        task_id: t.id,
        webhook_id: webhookId,
        history_items: [
          {
            id: "9000000000000000001",
            type: 1,
            date: String(at),
            field: "status",
            parent_id: list.id,
            data: { status_type: "custom" },
            source: null,
            user: { id: w.jane.id, username: "Jane Roe" },
            before: { status: "review", color: "#fff" },
            after: { status: "in progress", color: "#fff" },
          },
          // Unusable items are skipped, not guessed.
          { id: "9000000000000000002", date: "not a date", field: "status" },
        ],
      }),
    );
    await storeBody(JSON.stringify({ event: "taskCommentPosted", task_id: t.id, webhook_id: webhookId }));
    expect(await applyTaskDeliveries(deps, t.id)).toMatchObject({ applied: 1, ignored: 1, transitions: 1 });
    const c = (await caseOf(bindingId, t.id))!;
    expect((await transitions(c.id)).at(-1)).toEqual({
      from: "review",
      to: "in progress",
      toType: "custom",
      toOrder: -1,
    });
    expect(c.status).toBe("in progress");
    const [rework] = await database.sql<
      { n: number }[]
    >`select count(*)::int as n from rework_events where case_id = ${c.id}`;
    expect(rework!.n).toBe(0);
  });
});

/** jobs/apply-deliveries.ts as the worker runs it, with `pressure` standing in for the webhook route. */
async function runDrain(s: Awaited<ReturnType<typeof setup>>, pressure?: IngestPressure): Promise<unknown> {
  const task = applyDeliveriesJob({
    config: testConfig({ DATABASE_URL: database.url }),
    database,
    logger: logs.logger,
    now: Date.now,
    sealer,
    clickup: s.deps.clickup,
    ingestPressure: pressure,
  });
  return task({ connectionId: s.connectionId }, {} as JobHelpers);
}

describe("apply-deliveries (a workspace's run)", () => {
  it("applies every fresh pending delivery of its workspace and leaves other workspaces' and stale ones alone", async () => {
    const a = await setup();
    const b = await setup();
    const t1 = w.fake.addTask({ listId: a.list.id, name: "First" });
    const t2 = w.fake.addTask({ listId: a.list.id, name: "Second" });
    const other = w.fake.addTask({ listId: b.list.id, name: "Elsewhere" });
    const stale = w.fake.addTask({ listId: a.list.id, name: "Stale" });
    w.fake.setTaskStatus(t1.id, "in progress");
    w.fake.setTaskStatus(t2.id, "review");
    await a.store();
    await b.store();
    // Older than a run reads: the reconcile fan-out re-queues it (requeuePendingDeliveries).
    await database.sql`update webhook_deliveries set received_at = now() - interval '1 hour' where task_id = ${stale.id}`;
    await database.sql`delete from graphile_worker._private_jobs`;

    await runDrain(a);
    expect(await outcomes(t1.id)).toEqual({ applied: 2 });
    expect(await outcomes(t2.id)).toEqual({ applied: 2 });
    expect((await caseOf(a.bindingId, t1.id))!.status).toBe("in progress");
    expect((await caseOf(a.bindingId, t2.id))!.status).toBe("review");
    expect(await outcomes(other.id)).toEqual({ pending: 1 });
    expect(await outcomes(stale.id)).toEqual({ pending: 1 });
    // The applied cases' flow facts are rebuilt by one job after the run.
    const jobs = await database.sql<
      { task: string }[]
    >`select task_identifier as task from graphile_worker.jobs`;
    expect(jobs.map((j) => j.task)).toEqual(["rebuild-flow-facts"]);
  });

  it("applies the other tasks when ClickUp fails on one, then fails for graphile-worker to retry; the retry applies it", async () => {
    const s = await setup();
    const t1 = w.fake.addTask({ listId: s.list.id, name: "Unlucky" });
    const t2 = w.fake.addTask({ listId: s.list.id, name: "Lucky" });
    await s.store();
    // Both are new to the binding, so applying each reads the task from ClickUp; the first read fails.
    w.fake.faults.failNext(1, { status: 503 });
    const failed = await runDrain(s).catch((e: unknown) => e);
    w.fake.faults.clear();
    expect(failed).toBeInstanceOf(AggregateError);
    expect((failed as AggregateError).message).toBe("1 of 2 tasks could not be applied");
    const after = [await outcomes(t1.id), await outcomes(t2.id)];
    expect(after).toContainEqual({ pending: 1 });
    expect(after).toContainEqual({ applied: 1 });

    await runDrain(s);
    expect(await outcomes(t1.id)).toEqual({ applied: 1 });
    expect(await outcomes(t2.id)).toEqual({ applied: 1 });
  });

  it("ends with deliveries ClickUp refused the token for still pending, tried once in the run", async () => {
    const token = "pk_4400003_THIRDTOKEN";
    w.fake.addUser({ username: "Kim", token, teamIds: [w.team.id] });
    const s = await setup(token);
    const t = w.fake.addTask({ listId: s.list.id, name: "Refused" });
    await s.store();
    w.fake.revokeToken(token);
    const reads = () => w.fake.requests.count({ token });
    const before = reads();
    await runDrain(s);
    expect(await outcomes(t.id)).toEqual({ pending: 1 });
    const errors = await database.sql`select code from sync_errors where binding_id = ${s.bindingId}`;
    expect(errors.map((e) => e.code)).toEqual(["token_invalid"]);
    expect(reads() - before).toBe(1);
  });

  it("steps aside for the webhook route before each task, out of one budget for the whole run", async () => {
    const s = await setup();
    const tasks = [1, 2, 3].map((i) => w.fake.addTask({ listId: s.list.id, name: `Burst ${i}` }));
    await s.store();
    const budgets: { ms: number }[] = [];
    const pressure: IngestPressure = {
      record() {},
      busy: () => true,
      async yieldTo(budget) {
        budgets.push(budget);
        const spent = Math.min(budget.ms, 4_000);
        budget.ms -= spent;
        return spent;
      },
    };
    await runDrain(s, pressure);
    for (const t of tasks) expect(await outcomes(t.id)).toEqual({ applied: 1 });
    expect(budgets).toHaveLength(3);
    expect(new Set(budgets).size).toBe(1);
    // 10 s for the run in all: 4 s + 4 s + the 2 s left.
    expect(budgets[0]!.ms).toBe(0);
  });
});
