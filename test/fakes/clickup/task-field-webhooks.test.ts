import { createHmac } from "node:crypto";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { seededFake } from "./fixtures.ts";

// biome-ignore lint/suspicious/noExplicitAny: payloads are probed field by field.
type Json = any;
interface Received {
  body: string;
  json: Json;
  signature: string | undefined;
  path: string;
}

/** Our stand-in receiver: records every delivery, answers 200. */
async function setup() {
  const received: Received[] = [];
  const rx = new Hono();
  rx.post("*", async (c) => {
    const body = await c.req.text();
    received.push({
      body,
      json: JSON.parse(body),
      signature: c.req.header("x-signature"),
      path: new URL(c.req.url).pathname,
    });
    return c.body(null, 200);
  });
  const ctx = seededFake({ webhooks: { deliver: (url, init) => rx.request(url, init) } });
  async function hook(events: string[] | "*" = "*", endpoint = "https://flowbot.test/all") {
    const res = await ctx.send("POST", `/v2/team/${ctx.team.id}/webhook`, { endpoint, events });
    return res.body.webhook as { id: string; secret: string };
  }
  const task = ctx.fake.addTask({ listId: ctx.list.id, emit: false });
  const settled = async () => {
    await ctx.fake.webhooks.settled();
    return received.map((r) => r.json);
  };
  return { ...ctx, received, hook, task, settled };
}

const itemOf = (delivery: Json) => delivery.history_items[0];

describe("ClickUp fake: webhooks for tags, priority and assignees", () => {
  it("a tag added fires taskTagUpdated + taskUpdated with one item: field tag, after = [tag]", async () => {
    const { fake, task, hook, settled, jane, list, clock } = await setup();
    await hook();
    clock.advance(60_000);
    fake.addTag(task.id, { name: "blocked", fg: "#ffffff", bg: "#e50000" });
    const [tagged, updated] = await settled();
    expect([tagged.event, updated.event]).toEqual(["taskTagUpdated", "taskUpdated"]);
    expect(tagged.task_id).toBe(task.id);
    expect(itemOf(tagged)).toEqual({
      id: expect.stringMatching(/^\d{19,}$/),
      type: 1,
      date: String(clock.now()),
      field: "tag",
      parent_id: list.id,
      data: {},
      source: null,
      user: expect.objectContaining({ id: jane.id }),
      before: null,
      after: [{ name: "blocked", tag_fg: "#ffffff", tag_bg: "#e50000", creator: jane.id }],
    });
    expect(itemOf(updated)).toEqual(itemOf(tagged));
  });

  it("a tag removed fires field tag_removed with before = [tag]; setTags adds and removes", async () => {
    const { fake, task, hook, settled } = await setup();
    fake.addTag(task.id, "old");
    await hook(["taskTagUpdated"]);
    fake.setTags(task.id, ["new"]);
    const events = await settled();
    expect(events.map((e) => [e.event, itemOf(e).field])).toEqual([
      ["taskTagUpdated", "tag_removed"],
      ["taskTagUpdated", "tag"],
    ]);
    expect(itemOf(events[0])).toMatchObject({ before: [{ name: "old" }], after: null });
    expect(fake.getTask(task.id)?.tags.map((t) => t.name)).toEqual(["new"]);
  });

  it("priority changes fire taskPriorityUpdated + taskUpdated with priority objects or null", async () => {
    const { fake, task, hook, settled } = await setup();
    await hook();
    fake.setPriority(task.id, "urgent");
    fake.setPriority(task.id, 4);
    fake.setPriority(task.id, null);
    const events = await settled();
    expect(events.map((e) => e.event)).toEqual([
      "taskPriorityUpdated",
      "taskUpdated",
      "taskPriorityUpdated",
      "taskUpdated",
      "taskPriorityUpdated",
      "taskUpdated",
    ]);
    const sides = events.filter((e) => e.event === "taskPriorityUpdated").map((e) => itemOf(e));
    expect(sides.map((i) => [i.field, i.before?.priority ?? null, i.after?.priority ?? null])).toEqual([
      ["priority", null, "urgent"],
      ["priority", "urgent", "low"],
      ["priority", "low", null],
    ]);
    expect(sides[0].after).toEqual({ id: "1", priority: "urgent", color: "#f50000", orderindex: "1" });
  });

  it("assignee changes fire taskAssigneeUpdated: assignee_add with after, assignee_rem with before", async () => {
    const { fake, task, hook, settled, team, jane } = await setup();
    const sam = fake.addUser({ username: "Sam", teamIds: [team.id] });
    await hook(["taskAssigneeUpdated"]);
    fake.updateTask(task.id, { assignees: [jane.id, sam.id] });
    fake.updateTask(task.id, { assignees: [sam.id] });
    const items = (await settled()).map((e) => itemOf(e));
    expect(items.map((i) => [i.field, i.before?.id ?? null, i.after?.id ?? null])).toEqual([
      ["assignee_add", null, jane.id],
      ["assignee_add", null, sam.id],
      ["assignee_rem", jane.id, null],
    ]);
  });
});

describe("ClickUp fake: webhooks for custom fields, task types and dependencies", () => {
  it("a custom field change fires taskUpdated alone, its item naming the field with its definition", async () => {
    const { fake, task, hook, settled, list, team, jane } = await setup();
    const kind = fake.defineCustomField({
      listId: list.id,
      type: "drop_down",
      name: "Kind",
      options: ["Bug", "Feature"],
    });
    const area = fake.defineCustomField({
      listId: list.id,
      type: "labels",
      name: "Area",
      options: ["api", "ui"],
    });
    const blocked = fake.defineCustomField({ listId: list.id, type: "checkbox", name: "Blocked" });
    await hook();
    fake.setCustomFieldValue(task.id, kind.id, "Bug");
    fake.setCustomFieldValue(task.id, kind.id, "Feature");
    fake.setCustomFieldValue(task.id, area.id, ["api"]);
    fake.setCustomFieldValue(task.id, blocked.id, true);
    fake.setCustomFieldValue(task.id, blocked.id, false);
    const events = await settled();
    expect(events.map((e) => e.event)).toEqual(Array(5).fill("taskUpdated"));
    const items = events.map((e) => itemOf(e));
    expect(items.every((i) => i.field === "custom_field")).toBe(true);
    // Choice fields carry option ids here, not the orderindex of the task payload.
    expect(items.map((i) => [i.custom_field.name, i.before, i.after])).toEqual([
      ["Kind", null, kind.options[0]!.id],
      ["Kind", kind.options[0]!.id, kind.options[1]!.id],
      ["Area", null, [area.options[0]!.id]],
      ["Blocked", null, "true"],
      ["Blocked", "true", null],
    ]);
    expect(items[0].custom_field).toMatchObject({
      id: kind.id,
      type: "drop_down",
      type_config: {
        options: [
          { name: "Bug", orderindex: 0 },
          { name: "Feature", orderindex: 1 },
        ],
      },
      team_id: team.id,
      userid: String(jane.id),
      deleted: false,
      required: false,
    });
  });

  it("a later rename shows in later items; defining, renaming and deleting fields fires nothing", async () => {
    const { fake, task, hook, settled, list } = await setup();
    await hook();
    const note = fake.defineCustomField({ listId: list.id, type: "short_text", name: "Note" });
    fake.renameCustomField(note.id, "Notes");
    expect(await settled()).toEqual([]);
    fake.setCustomFieldValue(task.id, note.id, "hello");
    fake.deleteCustomField(note.id);
    const items = (await settled()).map((e) => itemOf(e));
    expect(items.map((i) => [i.custom_field.id, i.custom_field.name, i.after])).toEqual([
      [note.id, "Notes", "hello"],
    ]);
  });

  it("a dependency added or removed fires taskUpdated for both tasks; ClickUp has no dependency event", async () => {
    const { fake, task, hook, settled, list, team, send } = await setup();
    const blocker = fake.addTask({ listId: list.id, emit: false });
    await hook();
    fake.addDependency(task.id, blocker.id);
    fake.removeDependency(task.id, blocker.id);
    const events = await settled();
    expect(events.map((e) => [e.event, e.task_id, itemOf(e).field])).toEqual([
      ["taskUpdated", task.id, "dependency"],
      ["taskUpdated", blocker.id, "dependency"],
      ["taskUpdated", task.id, "dependency"],
      ["taskUpdated", blocker.id, "dependency"],
    ]);
    const record = { task_id: task.id, depends_on: blocker.id };
    expect([itemOf(events[0]).before, itemOf(events[0]).after]).toEqual([null, record]);
    expect([itemOf(events[2]).before, itemOf(events[2]).after]).toEqual([record, null]);
    const refused = await send("POST", `/v2/team/${team.id}/webhook`, {
      endpoint: "https://flowbot.test/deps",
      events: ["taskDependencyUpdated"],
    });
    expect([refused.status, refused.body.ECODE]).toEqual([400, "INPUT_005"]);
  });

  it("a task type change fires taskUpdated with field custom_item_id", async () => {
    const { fake, task, hook, settled, team } = await setup();
    const bug = fake.addCustomTaskType(team.id, { name: "Bug" });
    await hook();
    fake.setTaskType(task.id, bug.id);
    fake.setTaskType(task.id, null);
    const items = (await settled()).map((e) => itemOf(e));
    expect(items.map((i) => [i.field, i.before, i.after])).toEqual([
      ["custom_item_id", null, bug.id],
      ["custom_item_id", bug.id, null],
    ]);
  });
});

describe("ClickUp fake: filtering and signing of the new events", () => {
  it("each webhook gets only the events it subscribed to, signed with its own secret", async () => {
    const { fake, task, hook, received, list } = await setup();
    const note = fake.defineCustomField({ listId: list.id, type: "text", name: "Note" });
    const tags = await hook(["taskTagUpdated"], "https://flowbot.test/tags");
    const priority = await hook(["taskPriorityUpdated"], "https://flowbot.test/priority");
    const updates = await hook(["taskUpdated"], "https://flowbot.test/updates");
    fake.addTag(task.id, "blocked");
    fake.setPriority(task.id, "high");
    fake.setCustomFieldValue(task.id, note.id, "n");
    await fake.webhooks.settled();
    const by = (path: string) =>
      received.filter((r) => r.path === path).map((r) => `${r.json.event}:${itemOf(r.json).field}`);
    expect(by("/tags")).toEqual(["taskTagUpdated:tag"]);
    expect(by("/priority")).toEqual(["taskPriorityUpdated:priority"]);
    expect(by("/updates")).toEqual(["taskUpdated:tag", "taskUpdated:priority", "taskUpdated:custom_field"]);
    const secrets = new Map([tags, priority, updates].map((h) => [h.id, h.secret] as const));
    for (const r of received) {
      const secret = secrets.get(r.json.webhook_id)!;
      expect(r.signature).toBe(createHmac("sha256", secret).update(r.body).digest("hex"));
    }
  });
});
