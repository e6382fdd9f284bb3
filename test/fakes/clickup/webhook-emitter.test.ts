import { createHmac } from "node:crypto";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { seededFake } from "./fixtures.ts";
import { sign } from "./sign.ts";

interface Received {
  event: string;
  body: string;
  json: {
    event: string;
    webhook_id: string;
    task_id?: string;
    history_items?: { id: string; field: string; after?: { status?: string } }[];
  } & Record<
    string,
    // biome-ignore lint/suspicious/noExplicitAny: payload fields are probed one by one below.
    any
  >;
  signature: string | undefined;
  contentType: string | undefined;
  path: string;
}

/** A stand-in for our receiving app: records deliveries and replies with a scripted status. */
function receiver() {
  const received: Received[] = [];
  const replies: number[] = [];
  const app = new Hono();
  app.post("*", async (c) => {
    const body = await c.req.text();
    const json = JSON.parse(body);
    received.push({
      event: json.event,
      body,
      json,
      signature: c.req.header("x-signature"),
      contentType: c.req.header("content-type"),
      path: new URL(c.req.url).pathname,
    });
    return c.body(null, (replies.shift() ?? 200) as 200);
  });
  return { app, received, replies };
}

async function setup(webhookOptions: Parameters<typeof seededFake>[0] = {}) {
  const rx = receiver();
  const ctx = seededFake({
    ...webhookOptions,
    webhooks: { deliver: (url, init) => rx.app.request(url, init), ...webhookOptions.webhooks },
  });
  async function hook(body: Record<string, unknown> = {}) {
    const res = await ctx.send("POST", `/v2/team/${ctx.team.id}/webhook`, {
      endpoint: "https://flowbot.test/clickup/webhook",
      events: "*",
      ...body,
    });
    return res.body.webhook as { id: string; secret: string };
  }
  return { ...ctx, rx, hook };
}

describe("ClickUp fake: webhook signer", () => {
  it("matches a published HMAC-SHA256 test vector", () => {
    expect(sign("key", "The quick brown fox jumps over the lazy dog")).toBe(
      "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8",
    );
  });

  it("signs the exact compact body bytes that are delivered", async () => {
    const { fake, list, rx, hook } = await setup();
    const { secret } = await hook();
    fake.addTask({ listId: list.id, name: "Ünïcode ✓" });
    await fake.webhooks.settled();
    expect(rx.received.length).toBeGreaterThan(0);
    for (const r of rx.received) {
      const independent = createHmac("sha256", Buffer.from(secret, "utf8"))
        .update(Buffer.from(r.body, "utf8"))
        .digest("hex");
      expect(r.signature).toBe(independent);
      expect(r.signature).toMatch(/^[0-9a-f]{64}$/);
      expect(r.body).toBe(JSON.stringify(JSON.parse(r.body)));
      expect(r.contentType).toBe("application/json");
      expect(r.path).toBe("/clickup/webhook");
    }
  });
});

describe("ClickUp fake: webhook events", () => {
  it("create → taskCreated with two items, then taskStatusUpdated with the same status item", async () => {
    const { fake, list, rx, hook } = await setup();
    const { id } = await hook();
    const task = fake.addTask({ listId: list.id });
    await fake.webhooks.settled();
    expect(rx.received.map((r) => r.event)).toEqual(["taskCreated", "taskStatusUpdated"]);
    const [created, status] = rx.received.map((r) => r.json);
    expect(created).toMatchObject({ task_id: task.id, webhook_id: id });
    expect(created.history_items?.map((h) => h.field)).toEqual(["status", "task_creation"]);
    expect(created.history_items?.[0]).toMatchObject({
      parent_id: list.id,
      before: { status: null, color: "#000000", type: "removed", orderindex: -1 },
      after: { status: "to do", type: "open", orderindex: 0 },
    });
    expect(status.history_items).toEqual([created.history_items?.[0]]);
    expect(Object.keys(created)).toEqual(["event", "task_id", "webhook_id", "history_items"]);
  });

  it("status change → taskStatusUpdated and taskUpdated sharing one history item id", async () => {
    const { fake, list, rx, hook, clock, jane } = await setup();
    await hook();
    const task = fake.addTask({ listId: list.id, emit: false });
    clock.advance(1000);
    fake.setTaskStatus(task.id, "in progress");
    await fake.webhooks.settled();
    expect(rx.received.map((r) => r.event)).toEqual(["taskStatusUpdated", "taskUpdated"]);
    const [a, b] = rx.received.map((r) => r.json.history_items?.[0]);
    expect(a?.id).toBe(b?.id);
    expect(a).toMatchObject({
      field: "status",
      date: String(clock.now()),
      data: { status_type: "custom" },
      user: { id: jane.id },
      before: { status: "to do", type: "open" },
      after: { status: "in progress", type: "custom", orderindex: 1 },
    });
  });

  it("move → taskMoved + taskUpdated + spaceUpdated, with category = folder and project = space", async () => {
    const { fake, list, inbox, space, folder, rx, hook } = await setup();
    await hook();
    const task = fake.addTask({ listId: list.id, emit: false });
    fake.moveTask(task.id, inbox.id);
    await fake.webhooks.settled();
    expect(rx.received.map((r) => r.event)).toEqual(["taskMoved", "taskUpdated", "spaceUpdated"]);
    const item = rx.received[0]?.json.history_items?.[0];
    expect(item).toMatchObject({
      field: "section_moved",
      parent_id: inbox.id,
      before: { id: list.id, category: { id: folder.id, hidden: false }, project: { id: space.id } },
      after: { id: inbox.id, category: { name: "hidden", hidden: true }, project: { id: space.id } },
    });
    expect(rx.received[1]?.json.history_items?.[0]?.id).toBe(item?.id);
    expect(rx.received[2]?.json).toMatchObject({ space_id: space.id });
  });

  it("delete → taskDeleted without history; rename and assignee changes fire too", async () => {
    const { fake, list, rx, hook, jane } = await setup();
    await hook();
    const task = fake.addTask({ listId: list.id, emit: false });
    fake.updateTask(task.id, { name: "Renamed", assignees: [jane.id] });
    fake.deleteTask(task.id);
    await fake.webhooks.settled();
    expect(rx.received.map((r) => r.event)).toEqual([
      "taskUpdated",
      "taskAssigneeUpdated",
      "taskUpdated",
      "taskDeleted",
    ]);
    expect(rx.received[0]?.json.history_items?.[0]).toMatchObject({ field: "name", after: "Renamed" });
    expect(rx.received[1]?.json.history_items?.[0]).toMatchObject({
      field: "assignee_add",
      after: { id: jane.id },
    });
    expect(rx.received[3]?.json).toEqual({
      event: "taskDeleted",
      task_id: task.id,
      webhook_id: expect.any(String),
    });
  });

  it("filters by each webhook's events and most specific location", async () => {
    const { fake, list, inbox, space, folder, rx, hook } = await setup();
    const statusOnly = await hook({ events: ["taskStatusUpdated"] });
    const listScoped = await hook({
      endpoint: "https://flowbot.test/list",
      space_id: space.id,
      list_id: inbox.id,
    });
    const folderScoped = await hook({ endpoint: "https://flowbot.test/folder", folder_id: folder.id });
    const inFolder = fake.addTask({ listId: list.id, emit: false });
    const loose = fake.addTask({ listId: inbox.id, emit: false });
    fake.setTaskStatus(inFolder.id, "review");
    fake.setTaskStatus(loose.id, "review");
    await fake.webhooks.settled();
    const by = (id: string) =>
      rx.received.filter((r) => r.json.webhook_id === id).map((r) => `${r.event}:${r.json.task_id}`);
    expect(by(statusOnly.id)).toEqual([`taskStatusUpdated:${inFolder.id}`, `taskStatusUpdated:${loose.id}`]);
    // space_id + list_id → list wins, so the folder task is not delivered.
    expect(by(listScoped.id)).toEqual([`taskStatusUpdated:${loose.id}`, `taskUpdated:${loose.id}`]);
    expect(by(folderScoped.id)).toEqual([`taskStatusUpdated:${inFolder.id}`, `taskUpdated:${inFolder.id}`]);
  });

  it("stops firing when the creator leaves the workspace", async () => {
    const { fake, list, rx, hook, team, jane } = await setup();
    await hook();
    fake.removeMember(team.id, jane.id);
    fake.addTask({ listId: list.id, creatorId: fake.addUser({ teamIds: [team.id] }).id });
    await fake.webhooks.settled();
    expect(rx.received).toEqual([]);
  });
});

describe("ClickUp fake: delivery behaviour", () => {
  it("duplicates every delivery N times with identical body and signature", async () => {
    const { fake, list, rx, hook } = await setup({ webhooks: { duplicate: 3 } });
    await hook();
    const task = fake.addTask({ listId: list.id, emit: false });
    fake.setTaskStatus(task.id, "review");
    await fake.webhooks.settled();
    expect(rx.received.map((r) => r.event)).toEqual([
      "taskStatusUpdated",
      "taskStatusUpdated",
      "taskStatusUpdated",
      "taskUpdated",
      "taskUpdated",
      "taskUpdated",
    ]);
    expect(new Set(rx.received.slice(0, 3).map((r) => r.body + r.signature)).size).toBe(1);
  });

  it("holds deliveries until flush, and can reverse or shuffle a batch", async () => {
    const { fake, list, rx, hook } = await setup({ webhooks: { hold: true } });
    await hook({ events: ["taskStatusUpdated"] });
    const task = fake.addTask({ listId: list.id, emit: false });
    for (const s of ["in progress", "review", "done"]) fake.setTaskStatus(task.id, s);
    expect(fake.webhooks.pending()).toHaveLength(3);
    await fake.webhooks.settled();
    expect(rx.received).toEqual([]);
    await fake.webhooks.flush({ reorder: "reverse" });
    const statusesAfter = () => rx.received.map((r) => r.json.history_items?.[0]?.after?.status);
    expect(statusesAfter()).toEqual(["done", "review", "in progress"]);

    rx.received.length = 0;
    let seed = 0.42;
    fake.webhooks.configure({ random: () => (seed = (seed * 9301 + 0.49297) % 1) });
    for (const s of ["to do", "in progress", "review", "done", "complete", "to do"])
      fake.setTaskStatus(task.id, s);
    await fake.webhooks.flush({ reorder: "shuffle" });
    expect(statusesAfter().sort()).toEqual(["complete", "done", "in progress", "review", "to do", "to do"]);
    expect(statusesAfter()).not.toEqual(["to do", "in progress", "review", "done", "complete", "to do"]);

    fake.webhooks.release();
    fake.setTaskStatus(task.id, "review");
    await fake.webhooks.settled();
    expect(fake.webhooks.pending()).toHaveLength(0);
    expect(rx.received).toHaveLength(7);
  });

  it("retries 5 times, then drops the event and counts a failure; a later success resets health", async () => {
    const { fake, list, rx, hook } = await setup();
    const { id } = await hook({ events: ["taskStatusUpdated"] });
    rx.replies.push(...Array(6).fill(500));
    const task = fake.addTask({ listId: list.id, emit: false });
    fake.setTaskStatus(task.id, "review");
    await fake.webhooks.settled();
    expect(rx.received).toHaveLength(6);
    expect(fake.webhooks.log.at(-1)).toMatchObject({
      attempts: [500, 500, 500, 500, 500, 500],
      outcome: "dropped",
    });
    expect(fake.webhooks.get(id)?.health).toEqual({ status: "failing", fail_count: 1 });

    rx.replies.push(503);
    fake.setTaskStatus(task.id, "done");
    await fake.webhooks.settled();
    expect(fake.webhooks.log.at(-1)).toMatchObject({ attempts: [503, 200], outcome: "delivered" });
    expect(fake.webhooks.get(id)?.health).toEqual({ status: "active", fail_count: 0 });
  });

  it.each([410, 401])("suspends immediately on a %i reply; PUT status=active reactivates", async (code) => {
    const { fake, list, rx, hook, send } = await setup();
    const { id } = await hook({ events: ["taskStatusUpdated"] });
    rx.replies.push(code);
    const task = fake.addTask({ listId: list.id, emit: false });
    fake.setTaskStatus(task.id, "review");
    fake.setTaskStatus(task.id, "done");
    await fake.webhooks.settled();
    expect(rx.received).toHaveLength(1);
    expect(fake.webhooks.get(id)?.health.status).toBe("suspended");

    await send("PUT", `/v2/webhook/${id}`, {
      endpoint: "https://flowbot.test/clickup/webhook",
      events: ["taskStatusUpdated"],
      status: "active",
    });
    fake.setTaskStatus(task.id, "complete");
    await fake.webhooks.settled();
    expect(rx.received).toHaveLength(2);
    expect(rx.received[1]?.json.history_items?.[0]).toMatchObject({ after: { status: "complete" } });
  });

  it("suspends after 100 dropped events", async () => {
    const { fake, list, rx, hook } = await setup({ webhooks: { retries: 0 } });
    const { id } = await hook({ events: ["taskStatusUpdated"] });
    rx.replies.push(...Array(100).fill(500));
    const task = fake.addTask({ listId: list.id, emit: false });
    for (let i = 0; i < 101; i++) fake.setTaskStatus(task.id, i % 2 ? "review" : "in progress");
    await fake.webhooks.settled();
    expect(rx.received).toHaveLength(100);
    expect(fake.webhooks.get(id)?.health).toEqual({ status: "suspended", fail_count: 100 });
  });

  it("treats a slow endpoint as a failure (timeout)", async () => {
    const rx = receiver();
    const { fake, list, send, team } = seededFake({
      webhooks: { timeoutMs: 20, retries: 1, deliver: () => new Promise(() => {}) },
    });
    void rx;
    const { body } = await send("POST", `/v2/team/${team.id}/webhook`, {
      endpoint: "https://slow",
      events: ["taskStatusUpdated"],
    });
    const task = fake.addTask({ listId: list.id, emit: false });
    fake.setTaskStatus(task.id, "review");
    await fake.webhooks.settled();
    expect(fake.webhooks.log[0]).toMatchObject({ attempts: [null, null], outcome: "dropped" });
    expect(fake.webhooks.get(body.id)?.health).toEqual({ status: "failing", fail_count: 1 });
  });
});
