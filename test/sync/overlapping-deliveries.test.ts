import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Flowbot, startFlowbot } from "../../src/app/start-flowbot.ts";
import { CLICKUP_WEBHOOK_PATH } from "../../src/http/create-http-app.ts";
import { sign } from "../fakes/clickup/index.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { seedWebhookBinding } from "../helpers/seed-webhook-binding.ts";
import { testConfig } from "../helpers/test-config.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

// Deliveries whose history items overlap, stored by the route and applied by the real worker: ClickUp
// sends one change in several events (taskCreated carries the status item and a creation item, then
// taskStatusUpdated the status item alone), and a delivery may carry an item an earlier one lacked.
// Each delivery with an item not seen before is stored, and each history item is applied exactly once.
const SECRET = "OVERLAP0SECRET000000000000000000000000000000000000000000000000AB";
const WEBHOOK_ID = "7a3b1c2d-0000-4000-8000-00000000a11c";
const LIST_ID = "900";
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const MIN = 60_000;
const logs = captureLogs("warn");
let tdb: TestDatabase;
let flowbot: Flowbot;
let bindingId: number;

beforeAll(async () => {
  tdb = await createTestDatabase();
  flowbot = await startFlowbot({
    config: testConfig({ DATABASE_URL: tdb.url, CLICKUP_API_URL: "http://clickup.fake/api" }),
    logger: logs.logger,
    workerPollInterval: 50,
    crontab: "",
  });
  bindingId = await seedWebhookBinding(flowbot, {
    id: WEBHOOK_ID,
    secret: SECRET,
    token: "pk_1_OVERLAP",
    events: ["*"],
    listId: LIST_ID,
  });
  // The tasks are tracked already (a backfill ran), so applying needs nothing from ClickUp.
  await flowbot.database.sql`
    insert into tracked_cases (binding_id, task_id, name, url, home_list_id, status_name, status_type,
      status_orderindex, date_created, date_updated)
    select ${bindingId}::bigint, t, 'Task ' || t, 'https://app.clickup.com/t/' || t, ${LIST_ID},
      'to do', 'open', 0, ${new Date(T0).toISOString()}::timestamptz, ${new Date(T0).toISOString()}::timestamptz
    from unnest(array['seq1', 'same1']) t`;
}, 60_000);
afterAll(async () => {
  await flowbot?.stop();
  await tdb?.drop();
});

const STATUS = {
  todo: { status: "to do", color: "#ddd", orderindex: 0, type: "open" },
  doing: { status: "in progress", color: "#0af", orderindex: 1, type: "custom" },
  review: { status: "review", color: "#a7f", orderindex: 2, type: "custom" },
};
type Item = { id: string; at: number; from: keyof typeof STATUS; to: keyof typeof STATUS };
const statusItem = (i: Item) => ({
  id: i.id,
  type: 1,
  date: String(i.at),
  field: "status",
  parent_id: LIST_ID,
  data: { status_type: STATUS[i.to].type },
  source: null,
  user: { id: 1, username: "Jane", email: "jane@example.com", color: "#000", initials: "J" },
  before: STATUS[i.from],
  after: STATUS[i.to],
});
async function deliver(event: string, taskId: string, items: Item[]) {
  const body = JSON.stringify({
    event,
    task_id: taskId,
    webhook_id: WEBHOOK_ID,
    history_items: items.map(statusItem),
  });
  const res = await fetch(flowbot.url + CLICKUP_WEBHOOK_PATH, {
    method: "POST",
    headers: { "content-type": "application/json", "x-signature": sign(SECRET, body) },
    body,
  });
  expect(res.status).toBe(200);
}

async function applied() {
  const by = Date.now() + 15_000;
  for (;;) {
    const [row] = await flowbot.database.sql<{ busy: number }[]>`
      select (select count(*)::int from webhook_deliveries where outcome = 'pending')
        + (select count(*)::int from graphile_worker.jobs
            where task_identifier in ('apply-task-deliveries', 'apply-deliveries')) as busy`;
    if (row!.busy === 0) return;
    if (Date.now() > by) throw new Error("deliveries not applied within 15 s");
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function timeline(taskId: string) {
  return flowbot.database.sql<{ item: string; to: string; at: string }[]>`
    select t.history_item_id as item, t.to_status as to, to_char(t.occurred_at at time zone 'UTC', 'HH24:MI') as at
    from status_transitions t join tracked_cases c on c.id = t.case_id
    where c.binding_id = ${bindingId} and c.task_id = ${taskId}
    order by t.occurred_at, t.id`;
}
async function deliveries(taskId: string) {
  const rows = await flowbot.database.sql<{ key: string; outcome: string }[]>`
    select idempotency_key as key, outcome::text from webhook_deliveries where task_id = ${taskId} order by id`;
  return rows.map((r) => ({ items: r.key.slice(WEBHOOK_ID.length + 1), outcome: r.outcome }));
}

describe("deliveries whose history items overlap", () => {
  it("a later delivery carrying an item more is stored and applied; the item both carry is applied once", async () => {
    const s1: Item = { id: "81001", at: T0 + MIN, from: "todo", to: "doing" };
    const s2: Item = { id: "81002", at: T0 + 2 * MIN, from: "doing", to: "review" };
    await deliver("taskStatusUpdated", "seq1", [s1]);
    await applied();
    await deliver("taskUpdated", "seq1", [s1, s2]);
    await deliver("taskUpdated", "seq1", [s2, s1]); // the same change again, items in another order
    await applied();

    expect(await deliveries("seq1")).toEqual([
      { items: "81001", outcome: "applied" },
      { items: "81001,81002", outcome: "applied" },
    ]);
    expect(await timeline("seq1")).toEqual([
      { item: "81001", to: "in progress", at: "09:01" },
      { item: "81002", to: "review", at: "09:02" },
    ]);
  });

  it("overlapping deliveries applied in the same run record each item once", async () => {
    const s3: Item = { id: "82001", at: T0 + MIN, from: "todo", to: "doing" };
    const s4: Item = { id: "82002", at: T0 + 3 * MIN, from: "doing", to: "review" };
    await Promise.all([
      deliver("taskUpdated", "same1", [s3, s4]),
      deliver("taskStatusUpdated", "same1", [s3]),
      deliver("taskStatusUpdated", "same1", [s4]),
    ]);
    await applied();

    expect((await deliveries("same1")).map((d) => d.outcome)).toEqual(["applied", "applied", "applied"]);
    expect(await timeline("same1")).toEqual([
      { item: "82001", to: "in progress", at: "09:01" },
      { item: "82002", to: "review", at: "09:03" },
    ]);
  });
});
