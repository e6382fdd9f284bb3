import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { bindings, clickupWebhooks, connections, projects } from "../../db/schema.ts";
import { type Flowbot, startFlowbot } from "../../src/app/start-flowbot.ts";
import { CLICKUP_WEBHOOK_PATH } from "../../src/http/create-http-app.ts";
import { APPLY_TASK } from "../../src/sync/delivery-inbox.ts";
import { requeuePendingDeliveries } from "../../src/sync/requeue-pending-deliveries.ts";
import { sign } from "../fakes/clickup/index.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { testConfig } from "../helpers/test-config.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

// The receiving half of live sync as ClickUp meets it: every acknowledged delivery is durable with its
// apply job, concurrent deliveries share commits, and a database outage is a 503 with nothing half-written.
// The web role runs no worker, so queued apply jobs stay visible.
const SECRET = "S3cr3tForIngestTests000000000000000000000000000000000000000000AB";
const WEBHOOK_ID = "9e1d2c3b-0000-4000-8000-000000000001";
let tdb: TestDatabase;
let flowbot: Flowbot;
let url: string;
const logs = captureLogs();

beforeAll(async () => {
  tdb = await createTestDatabase();
  flowbot = await startFlowbot({
    config: testConfig({ DATABASE_URL: tdb.url, FLOWBOT_ROLE: "web" }),
    logger: logs.logger,
  });
  url = flowbot.url + CLICKUP_WEBHOOK_PATH;
  const db = flowbot.database.db;
  const [connection] = await db
    .insert(connections)
    .values({
      slackTeamId: "T1",
      clickupTeamId: "9001",
      clickupTeamName: "Acme",
      tokenSealed: flowbot.sealer.seal("pk_1_INGEST"),
      tokenLast4: "GEST",
      tokenOwnerId: 1,
      tokenOwnerName: "Jane",
      connectedBy: "U1",
    })
    .returning();
  await db.insert(clickupWebhooks).values({
    id: WEBHOOK_ID,
    connectionId: connection!.id,
    containerType: "list",
    containerId: "900",
    endpoint: url,
    events: ["taskStatusUpdated"],
    secretSealed: flowbot.sealer.seal(SECRET),
  });
  const [project] = await db.insert(projects).values({ slackTeamId: "T1", channelId: "C1" }).returning();
  await db.insert(bindings).values({
    projectId: project!.id,
    containerType: "list",
    containerId: "900",
    containerName: "Backlog",
    containerPath: "Eng › Backlog",
    spaceId: "500",
    syncStatus: "synced",
    webhookId: WEBHOOK_ID,
    createdBy: "U1",
  });
});
afterAll(async () => {
  await flowbot?.stop();
  await tdb?.drop();
});

let historyId = 1_000;
const statusDelivery = (taskId: string, id = String(historyId++)) =>
  JSON.stringify({
    event: "taskStatusUpdated",
    task_id: taskId,
    webhook_id: WEBHOOK_ID,
    history_items: [
      {
        id,
        type: 1,
        date: "1767225600000",
        field: "status",
        parent_id: "900",
        data: { status_type: "custom" },
        source: null,
        user: { id: 1, username: "Jane", email: "jane@example.com", color: "#000", initials: "J" },
        before: { status: "to do", color: "#ddd", orderindex: 0, type: "open" },
        after: { status: "in progress", color: "#0af", orderindex: 1, type: "custom" },
      },
    ],
  });
const post = (body: string) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-signature": sign(SECRET, body) },
    body,
  });

const sql = () => flowbot.database.sql;
async function deliveriesFor(taskPrefix: string) {
  return sql()<{ task_id: string; outcome: string }[]>`
    select task_id, outcome::text from webhook_deliveries where task_id like ${`${taskPrefix}%`}`;
}
/** Tasks named in queued apply jobs (one job per committed group; its payload lists the group's tasks). */
async function jobTasks(taskPrefix: string) {
  const rows = await sql()<{ task_id: string }[]>`
    select e->>'taskId' as task_id
    from graphile_worker._private_jobs j
    join graphile_worker._private_tasks t on t.id = j.task_id,
    jsonb_array_elements(j.payload::jsonb) e
    where t.identifier = ${APPLY_TASK} and e->>'taskId' like ${`${taskPrefix}%`}`;
  return rows.map((r) => r.task_id).sort();
}

describe("storing a delivery enqueues its apply job in the same statement", () => {
  it("a pending delivery's task is in a queued apply job; repeats add neither rows nor jobs", async () => {
    const body = statusDelivery("one-1");
    for (let i = 0; i < 3; i++) expect((await post(body)).status).toBe(200);
    expect(await deliveriesFor("one-")).toEqual([{ task_id: "one-1", outcome: "pending" }]);
    expect(await jobTasks("one-")).toEqual(["one-1"]);
    // In the workspace's own queue (its apply jobs run one at a time), due after the grouping delay.
    const [job] = await sql()<{ queue: string; delayed: boolean }[]>`
      select q.queue_name as queue, j.run_at > j.created_at + interval '500 ms' as delayed
      from graphile_worker._private_jobs j
      join graphile_worker._private_job_queues q on q.id = j.job_queue_id
      where j.payload::jsonb @> '[{"taskId":"one-1"}]'::jsonb`;
    const [connection] = await flowbot.database.db.select().from(connections);
    expect(job).toEqual({ queue: `apply-deliveries:${connection!.id}`, delayed: true });
  });

  it("a burst of concurrent deliveries (each twice) is stored exactly once each, every task enqueued, in few commits", async () => {
    const bodies = Array.from({ length: 300 }, (_, i) => statusDelivery(`burst-${i % 30}`));
    const statuses = await Promise.all([...bodies, ...bodies].map(async (b) => (await post(b)).status));
    expect(statuses.every((s) => s === 200)).toBe(true);
    const rows = await deliveriesFor("burst-");
    expect(rows).toHaveLength(300);
    expect(rows.every((r) => r.outcome === "pending")).toBe(true);
    const tasks = await jobTasks("burst-");
    expect([...new Set(tasks)]).toEqual(Array.from({ length: 30 }, (_, i) => `burst-${i}`).sort());
    // Grouped: far fewer apply jobs (= commits with something pending) than deliveries.
    const [{ jobs }] = await sql()<{ jobs: number }[]>`
      select count(*)::int as jobs from graphile_worker._private_jobs j
      where exists (select 1 from jsonb_array_elements(j.payload::jsonb) e where e->>'taskId' like 'burst-%')`;
    expect(jobs).toBeLessThan(300);
  });

  it("deliveries of a paused binding are acknowledged, counted as dropped, and enqueue nothing", async () => {
    await flowbot.database.db.update(bindings).set({ syncStatus: "paused" });
    const res = await post(statusDelivery("paused-1"));
    await flowbot.database.db.update(bindings).set({ syncStatus: "synced" });
    expect(res.status).toBe(200);
    expect(await deliveriesFor("paused-")).toEqual([{ task_id: "paused-1", outcome: "dropped" }]);
    expect(await jobTasks("paused-")).toEqual([]);
  });

  it("a payload Postgres cannot store is refused with 400 and does not fail the deliveries beside it", async () => {
    const poison = statusDelivery("poison-1").replace('"in progress"', '"in\\u0000progress"');
    const [bad, ...good] = await Promise.all([
      post(poison),
      ...Array.from({ length: 20 }, (_, i) => post(statusDelivery(`beside-${i}`))),
    ]);
    expect(bad!.status).toBe(400);
    expect(good.every((r) => r.status === 200)).toBe(true);
    expect(await deliveriesFor("poison-")).toEqual([]);
    expect(await deliveriesFor("beside-")).toHaveLength(20);
  });
});

describe("the database unavailable during deliveries", () => {
  it("answers 503 with nothing half-written, and the retried delivery is stored once", async () => {
    const admin = postgres(inject("pgAdminUrl"), { max: 1, onnotice: () => {} });
    const body = statusDelivery("outage-1");
    const first = await post(body); // warms the webhook's secret, as a live receiver would have it
    expect(first.status).toBe(200);
    const retried = statusDelivery("outage-2");
    try {
      await admin.unsafe(`alter database ${tdb.name} with allow_connections false`);
      await admin`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${tdb.name}`;
      const during = await Promise.all([post(retried), post(statusDelivery("outage-3"))]);
      expect(during.map((r) => r.status)).toEqual([503, 503]);
    } finally {
      await admin.unsafe(`alter database ${tdb.name} with allow_connections true`);
      await admin.end();
    }
    // ClickUp retries; the pool reconnects.
    let status = 0;
    for (let i = 0; i < 20 && status !== 200; i++) {
      status = (await post(retried)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
    expect((await post(retried)).status).toBe(200);
    const rows = await deliveriesFor("outage-");
    expect(rows.map((r) => r.task_id).sort()).toEqual(["outage-1", "outage-2"]);
    expect(await jobTasks("outage-")).toEqual(["outage-1", "outage-2"]);
    expect(logs.text()).toContain("answering 503");
    expect(logs.text()).not.toContain(SECRET);
  });
});

describe("deliveries left pending", () => {
  it("are re-queued by the reconcile fan-out once no apply job names their task any more", async () => {
    expect((await post(statusDelivery("stuck-1"))).status).toBe(200);
    expect((await post(statusDelivery("stuck-2"))).status).toBe(200);
    // stuck-1's job is gone (e.g. ran out of attempts); both deliveries are old.
    await sql()`
      delete from graphile_worker._private_jobs j
      where j.payload::jsonb @> '[{"taskId":"stuck-1"}]'::jsonb`;
    await sql()`update webhook_deliveries set received_at = now() - interval '1 hour' where task_id like 'stuck-%'`;
    expect(await requeuePendingDeliveries(sql())).toBe(1);
    expect(await jobTasks("stuck-")).toEqual(["stuck-1", "stuck-2"]);
    // Now every stuck task has a waiting job: nothing more to queue.
    expect(await requeuePendingDeliveries(sql())).toBe(0);
  });
});
