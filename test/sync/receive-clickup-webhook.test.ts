import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clickupWebhooks, connections, webhookDeliveries } from "../../db/schema.ts";
import { type Flowbot, startFlowbot } from "../../src/app/start-flowbot.ts";
import { CLICKUP_WEBHOOK_PATH } from "../../src/http/create-http-app.ts";
import { sign } from "../fakes/clickup/index.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { testConfig } from "../helpers/test-config.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

// Deliveries are posted over loopback the way ClickUp posts them: compact JSON, X-Signature.
const SECRET = "K7Q2ZJ4M9X1B8C3V6N0P5L2R7T4Y9U1W3E6S8D0F2G4H6J8A1Q3W5E7R9T0Y2U4I";
const WEBHOOK_ID = "4b67ac88-0000-4000-8000-26e504e3435e";
let db: TestDatabase;
let flowbot: Flowbot;
let url: string;
const logs = captureLogs();

beforeAll(async () => {
  db = await createTestDatabase();
  flowbot = await startFlowbot({ config: testConfig({ DATABASE_URL: db.url }), logger: logs.logger });
  url = flowbot.url + CLICKUP_WEBHOOK_PATH;
  const [connection] = await flowbot.database.db
    .insert(connections)
    .values({
      slackTeamId: "T1",
      clickupTeamId: "9001",
      clickupTeamName: "Acme",
      tokenSealed: flowbot.sealer.seal("pk_1_ABC"),
      tokenLast4: "_ABC",
      tokenOwnerId: 1,
      tokenOwnerName: "Jane",
      connectedBy: "U1",
    })
    .returning();
  await flowbot.database.db.insert(clickupWebhooks).values({
    id: WEBHOOK_ID,
    connectionId: connection!.id,
    containerType: "list",
    containerId: "900",
    endpoint: url,
    events: ["taskStatusUpdated"],
    secretSealed: flowbot.sealer.seal(SECRET),
  });
});
afterAll(async () => {
  await flowbot?.stop();
  await db?.drop();
});

const delivery = (historyId: string) =>
  JSON.stringify({
    event: "taskStatusUpdated",
    task_id: "abc1",
    webhook_id: WEBHOOK_ID,
    history_items: [{ id: historyId, type: 1, date: "1642736073330", field: "status" }],
  });
const post = (body: string, signature = sign(SECRET, body), headers: Record<string, string> = {}) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-signature": signature, ...headers },
    body,
  });
const stored = async () => flowbot.database.db.select().from(webhookDeliveries);

describe("POST /clickup/webhook", () => {
  it("stores a correctly signed delivery once, however often it arrives", async () => {
    const body = delivery("2800787326392370170");
    for (let i = 0; i < 3; i++) expect((await post(body)).status).toBe(200);
    const rows = await stored();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      idempotencyKey: `${WEBHOOK_ID}:2800787326392370170`,
      event: "taskStatusUpdated",
      taskId: "abc1",
      outcome: "pending",
    });
  });

  it("refuses a bad signature with 403 (never 401/410, which suspend the webhook) and stores nothing", async () => {
    const before = (await stored()).length;
    const res = await post(delivery("1"), sign("WRONG", delivery("1")));
    expect(res.status).toBe(403);
    expect((await stored()).length).toBe(before);
  });

  it("refuses an unknown webhook, malformed JSON, a schema mismatch and an oversized body", async () => {
    const before = (await stored()).length;
    const unknown = JSON.stringify({ event: "taskUpdated", webhook_id: "nope", task_id: "x" });
    expect((await post(unknown)).status).toBe(400);
    expect((await post("{oops", sign(SECRET, "{oops"))).status).toBe(400);
    const noEvent = JSON.stringify({ webhook_id: WEBHOOK_ID });
    const res = await post(noEvent);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain("event");
    const huge = JSON.stringify({ event: "taskUpdated", webhook_id: WEBHOOK_ID, pad: "x".repeat(300_000) });
    expect((await post(huge)).status).toBe(413);
    expect((await stored()).length).toBe(before);
  });

  it("accepts an X-Signature in upper-case hex", async () => {
    const body = delivery("2800787326392370999");
    const res = await post(body, sign(SECRET, body).toUpperCase());
    expect(res.status).toBe(200);
    const rows = await flowbot.database.db
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.idempotencyKey, `${WEBHOOK_ID}:2800787326392370999`));
    expect(rows).toHaveLength(1);
  });

  it("refuses a body nested deeper than 64 levels with 400 naming the limit, and stores nothing", async () => {
    const before = (await stored()).length;
    const deep = `[${"[".repeat(20_000)}${"]".repeat(20_000)}]`;
    const body = `{"event":"taskUpdated","task_id":"abc1","webhook_id":"${WEBHOOK_ID}","history_items":[{"id":"55","field":"x","after":${deep}}]}`;
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe("body nests deeper than 64 levels");
    // A ClickUp-shaped body well inside the bound is stored.
    const nested = `{"event":"taskUpdated","task_id":"abc1","webhook_id":"${WEBHOOK_ID}","history_items":[{"id":"56","field":"x","after":${"[".repeat(60)}${"]".repeat(60)}}]}`;
    expect((await post(nested)).status).toBe(200);
    expect((await stored()).length).toBe(before + 1);
  });

  it("keys a delivery on all its history items: one carrying an item more is stored too, the same items again are a repeat", async () => {
    const items = (...ids: string[]) =>
      JSON.stringify({
        event: "taskCreated",
        task_id: "overlap1",
        webhook_id: WEBHOOK_ID,
        history_items: ids.map((id) => ({ id, type: 1, date: "1642736073330", field: "status" })),
      });
    for (const body of [items("901"), items("901", "902"), items("902", "901"), items("901")])
      expect((await post(body)).status).toBe(200);
    const rows = await flowbot.database.db
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.taskId, "overlap1"));
    expect(rows.map((r) => r.idempotencyKey).sort()).toEqual([`${WEBHOOK_ID}:901`, `${WEBHOOK_ID}:901,902`]);
  });

  it("keys a delivery without history items by its body", async () => {
    const body = JSON.stringify({ event: "taskDeleted", task_id: "gone1", webhook_id: WEBHOOK_ID });
    await post(body);
    await post(body);
    const rows = await flowbot.database.db
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.taskId, "gone1"));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.idempotencyKey).toMatch(new RegExp(`^${WEBHOOK_ID}:taskDeleted:gone1:[0-9a-f]{64}$`));
  });
});

describe("module off", () => {
  it("acknowledges deliveries and counts them as dropped", async () => {
    await flowbot.database.db.update(connections).set({ moduleEnabled: false });
    const res = await post(delivery("777"));
    await flowbot.database.db.update(connections).set({ moduleEnabled: true });
    expect(res.status).toBe(200);
    const [row] = await flowbot.database.db
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.idempotencyKey, `${WEBHOOK_ID}:777`));
    expect(row!.outcome).toBe("dropped");
  });
});

describe("GET /healthz", () => {
  it("is 200 with database and worker up", async () => {
    const res = await fetch(`${flowbot.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok", database: { ok: true }, worker: { ok: true } });
  });

  it("is 503 naming the worker once the worker has stopped", async () => {
    await flowbot.worker!.stop();
    const res = await fetch(`${flowbot.url}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      status: "unavailable",
      worker: { ok: false, detail: "stopped" },
    });
  });

  it("never logs the secrets it handled", () => {
    expect(logs.text()).not.toContain(SECRET);
    expect(logs.text()).not.toContain("pk_1_ABC");
  });
});
