import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { bindings, connections } from "../../db/schema.ts";
import { type Flowbot, startFlowbot } from "../../src/app/start-flowbot.ts";
import { CLICKUP_WEBHOOK_PATH } from "../../src/http/create-http-app.ts";
import { requeuePendingDeliveries } from "../../src/sync/requeue-pending-deliveries.ts";
import type { JobName } from "../../src/worker/job-catalog.ts";
import { sign } from "../fakes/clickup/index.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { seedWebhookBinding } from "../helpers/seed-webhook-binding.ts";
import { testConfig } from "../helpers/test-config.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

// The receiving half of live sync as ClickUp meets it: every acknowledged delivery is durable with its
// apply job, concurrent deliveries share commits, and a database outage is a 503 with nothing half-written.
// The web role runs no worker, so queued apply jobs stay visible.
const SECRET = "S3cr3tForIngestTests000000000000000000000000000000000000000000AB";
const WEBHOOK_ID = "9e1d2c3b-0000-4000-8000-000000000001";
const APPLY_TASK = "apply-task-deliveries" satisfies JobName;
const DRAIN_TASK = "apply-deliveries" satisfies JobName;
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
  await seedWebhookBinding(flowbot, { id: WEBHOOK_ID, secret: SECRET, token: "pk_1_INGEST" });
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
/** The workspace's apply-deliveries runs queued (the web role runs no worker, so none starts). */
async function drainRuns() {
  return sql()<{ key: string | null; queue: string; payload: unknown; delayed: boolean; attempts: number }[]>`
    select j.key, q.queue_name as queue, j.payload::jsonb as payload, j.attempts,
      j.run_at > j.created_at + interval '500 ms' as delayed
    from graphile_worker._private_jobs j
    join graphile_worker._private_tasks t on t.id = j.task_id
    join graphile_worker._private_job_queues q on q.id = j.job_queue_id
    where t.identifier = ${DRAIN_TASK}
    order by j.id`;
}
/** Transactions that stored these deliveries (rows written by one transaction share its xmin). */
async function commitsFor(taskPrefix: string) {
  const [row] = await sql()<{ n: number }[]>`
    select count(distinct xmin::text)::int as n from webhook_deliveries where task_id like ${`${taskPrefix}%`}`;
  return row!.n;
}
/** Tasks named in queued apply-task-deliveries jobs (what the reconcile fan-out re-queues). */
async function jobTasks(taskPrefix: string) {
  const rows = await sql()<{ task_id: string }[]>`
    select e->>'taskId' as task_id
    from graphile_worker._private_jobs j
    join graphile_worker._private_tasks t on t.id = j.task_id,
    jsonb_array_elements(j.payload::jsonb) e
    where t.identifier = ${APPLY_TASK} and e->>'taskId' like ${`${taskPrefix}%`}`;
  return rows.map((r) => r.task_id).sort();
}

describe("storing a delivery makes sure its workspace's apply run is queued, in the same statement", () => {
  it("a pending delivery has the workspace's apply-deliveries run waiting; repeats add neither rows nor runs", async () => {
    const body = statusDelivery("one-1");
    for (let i = 0; i < 3; i++) expect((await post(body)).status).toBe(200);
    expect(await deliveriesFor("one-")).toEqual([{ task_id: "one-1", outcome: "pending" }]);
    // Keyed and queued per workspace (its runs go one at a time), due after the grouping delay.
    const [connection] = await flowbot.database.db.select().from(connections);
    const key = `apply-deliveries:${connection!.id}`;
    expect(await drainRuns()).toEqual([
      { key, queue: key, payload: { connectionId: connection!.id }, delayed: true, attempts: 0 },
    ]);
    // Another task's delivery: the waiting run will apply it too, so nothing is queued.
    expect((await post(statusDelivery("one-2"))).status).toBe(200);
    expect(await drainRuns()).toHaveLength(1);
  });

  it("a delivery that arrives while the run is going (taken by a worker) queues the next run", async () => {
    const [connection] = await flowbot.database.db.select().from(connections);
    const key = `apply-deliveries:${connection!.id}`;
    // What graphile-worker does when it takes the job.
    await sql()`
      update graphile_worker._private_jobs set locked_at = now(), locked_by = 'test-worker', attempts = 1
      where key = ${key}`;
    expect((await post(statusDelivery("during-1"))).status).toBe(200);
    const runs = await drainRuns();
    // The running one lost its key (it may have read the pending rows before this one was stored);
    // the new one holds it and starts after the running one ends (same queue).
    expect(runs.map((r) => ({ key: r.key, attempts: r.attempts }))).toEqual([
      { key: null, attempts: 25 },
      { key, attempts: 0 },
    ]);
    await sql()`delete from graphile_worker._private_jobs where key is null`;
  });

  it("a burst of concurrent deliveries (each twice) is stored exactly once each, in shared commits, with one run waiting", async () => {
    const bodies = Array.from({ length: 300 }, (_, i) => statusDelivery(`burst-${i % 30}`));
    const statuses = await Promise.all([...bodies, ...bodies].map(async (b) => (await post(b)).status));
    expect(statuses.every((s) => s === 200)).toBe(true);
    const rows = await deliveriesFor("burst-");
    expect(rows).toHaveLength(300);
    expect(rows.every((r) => r.outcome === "pending")).toBe(true);
    // Grouped: far fewer commits than deliveries, and still the one waiting run.
    expect(await commitsFor("burst-")).toBeLessThan(300);
    expect(await drainRuns()).toHaveLength(1);
  });

  it("deliveries of a paused binding are acknowledged, counted as dropped, and enqueue nothing", async () => {
    await sql()`delete from graphile_worker._private_jobs`;
    await flowbot.database.db.update(bindings).set({ syncStatus: "paused" });
    const res = await post(statusDelivery("paused-1"));
    await flowbot.database.db.update(bindings).set({ syncStatus: "synced" });
    expect(res.status).toBe(200);
    expect(await deliveriesFor("paused-")).toEqual([{ task_id: "paused-1", outcome: "dropped" }]);
    expect(await drainRuns()).toEqual([]);
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

describe("a body nested too deep for Postgres beside valid deliveries", () => {
  it("is refused with 400 while the deliveries sharing its moment are stored", async () => {
    const deep = `${"[".repeat(20_000)}${"]".repeat(20_000)}`;
    const poison = statusDelivery("deep-1").replace('"source":null', `"source":${deep}`);
    const [bad, ...good] = await Promise.all([
      post(poison),
      ...Array.from({ length: 20 }, (_, i) => post(statusDelivery(`deepside-${i}`))),
    ]);
    expect(bad!.status).toBe(400);
    expect(good.map((r) => r.status)).toEqual(good.map(() => 200));
    expect(await deliveriesFor("deep-")).toEqual([]);
    expect(await deliveriesFor("deepside-")).toHaveLength(20);
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
    expect(rows.every((r) => r.outcome === "pending")).toBe(true);
    expect(await drainRuns()).toHaveLength(1);
    expect(logs.text()).toContain("answering 503");
    expect(logs.text()).not.toContain(SECRET);
  });
});

describe("deliveries left pending", () => {
  it("are re-queued by the reconcile fan-out once they are too old for the workspace's runs", async () => {
    expect((await post(statusDelivery("stuck-1"))).status).toBe(200);
    expect((await post(statusDelivery("stuck-2"))).status).toBe(200);
    // stuck-2 has a re-queued job already; a few minutes old is still the apply-deliveries runs' to do.
    await sql()`select graphile_worker.add_job(${APPLY_TASK}, '[{"taskId":"stuck-2"}]'::json)`;
    await sql()`update webhook_deliveries set received_at = now() - interval '5 minutes' where task_id like 'stuck-%'`;
    expect(await requeuePendingDeliveries(sql())).toBe(0);
    await sql()`update webhook_deliveries set received_at = now() - interval '1 hour' where task_id like 'stuck-%'`;
    expect(await requeuePendingDeliveries(sql())).toBe(1);
    expect(await jobTasks("stuck-")).toEqual(["stuck-1", "stuck-2"]);
    // Now every stuck task has a waiting job: nothing more to queue.
    expect(await requeuePendingDeliveries(sql())).toBe(0);
  });
});
