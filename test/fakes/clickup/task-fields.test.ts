import { describe, expect, it } from "vitest";
import { seededFake, TOKEN } from "./fixtures.ts";

const HOUR = 3_600_000;

// biome-ignore lint/suspicious/noExplicitAny: payload entries are probed field by field.
type Entry = any;
const byName = (fields: Entry[], name: string) => fields.find((f) => f.name === name);

describe("ClickUp fake: GET /list/{id}/field", () => {
  it("lists the fields a list reaches from itself, its folder, its space and its workspace", async () => {
    const { fake, get, team, space, folder, list, inbox } = seededFake();
    fake.defineCustomField({ listId: list.id, type: "drop_down", name: "Kind", options: ["Bug", "Feature"] });
    fake.defineCustomField({ folderId: folder.id, type: "checkbox", name: "Blocked" });
    fake.defineCustomField({ spaceId: space.id, type: "labels", name: "Area", options: ["api", "ui"] });
    fake.defineCustomField({ teamId: team.id, type: "number", name: "Score" });
    fake.defineCustomField({ listId: inbox.id, type: "text", name: "Inbox only" });

    const sprint = (await get(`/v2/list/${list.id}/field`)).body.fields as Entry[];
    expect(sprint.map((f) => f.name)).toEqual(["Kind", "Blocked", "Area", "Score"]);
    // The folderless list has no folder: it reaches its own field and the space's and workspace's.
    const loose = (await get(`/v2/list/${inbox.id}/field`)).body.fields as Entry[];
    expect(loose.map((f) => f.name)).toEqual(["Area", "Score", "Inbox only"]);
  });

  it("GET /folder/{id}/field and /space/{id}/field list only the fields created there", async () => {
    const { fake, get, team, space, folder, list } = seededFake();
    fake.defineCustomField({ listId: list.id, type: "drop_down", name: "Kind", options: ["Bug"] });
    fake.defineCustomField({ folderId: folder.id, type: "checkbox", name: "Blocked" });
    fake.defineCustomField({ spaceId: space.id, type: "labels", name: "Area", options: ["api"] });
    fake.defineCustomField({ teamId: team.id, type: "number", name: "Score" });
    const names = async (path: string) => ((await get(path)).body.fields as Entry[]).map((f) => f.name);
    expect(await names(`/v2/folder/${folder.id}/field`)).toEqual(["Blocked"]);
    expect(await names(`/v2/space/${space.id}/field`)).toEqual(["Area"]);
    expect((await get("/v2/folder/1/field")).status).toBe(401);
    expect((await get("/v2/space/1/field")).status).toBe(401);
  });

  it("shapes definitions per type: drop_down options carry name and orderindex, labels a label", async () => {
    const { fake, get, list } = seededFake();
    const kind = fake.defineCustomField({
      listId: list.id,
      type: "drop_down",
      name: "Kind",
      options: [{ name: "Bug", color: "#e50000" }, "Feature"],
    });
    fake.defineCustomField({ listId: list.id, type: "labels", name: "Area", options: ["api"] });
    fake.defineCustomField({ listId: list.id, type: "users", name: "Reviewer", required: true });
    const fields = (await get(`/v2/list/${list.id}/field`)).body.fields as Entry[];
    expect(byName(fields, "Kind")).toEqual({
      id: kind.id,
      name: "Kind",
      type: "drop_down",
      type_config: {
        default: 0,
        placeholder: null,
        options: [
          { id: kind.options[0]!.id, name: "Bug", color: "#e50000", orderindex: 0 },
          { id: kind.options[1]!.id, name: "Feature", color: null, orderindex: 1 },
        ],
      },
      date_created: String(kind.dateCreated),
      hide_from_guests: false,
      required: false,
    });
    expect(kind.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(byName(fields, "Area").type_config.options).toEqual([
      { id: expect.any(String), label: "api", color: null },
    ]);
    expect(byName(fields, "Reviewer")).toMatchObject({
      required: true,
      type_config: { single_user: false, include_team_members: true },
    });
  });

  it("follows renames and deletions, and refuses unreachable lists with OAUTH_027", async () => {
    const { fake, get, list } = seededFake();
    const field = fake.defineCustomField({ listId: list.id, type: "short_text", name: "Old" });
    fake.renameCustomField(field.id, "New");
    expect((await get(`/v2/list/${list.id}/field`)).body.fields.map((f: Entry) => [f.id, f.name])).toEqual([
      [field.id, "New"],
    ]);
    fake.deleteCustomField(field.id);
    expect((await get(`/v2/list/${list.id}/field`)).body).toEqual({ fields: [] });

    const other = fake.addWorkspace();
    const foreign = fake.addList({ spaceId: fake.addSpace({ teamId: other.id }).id });
    for (const id of [foreign.id, "123"]) {
      const res = await get(`/v2/list/${id}/field`);
      expect([res.status, res.body]).toEqual([401, { err: "Team not authorized", ECODE: "OAUTH_027" }]);
    }
  });
});

describe("ClickUp fake: custom task types and space tags", () => {
  it("GET /team/{id}/custom_item lists the workspace's own types with integer ids", async () => {
    const { fake, get, team } = seededFake();
    const bug = fake.addCustomTaskType(team.id, { name: "Bug", description: "Something broken" });
    fake.addCustomTaskType(fake.addWorkspace().id, { name: "Elsewhere" });
    const { status, body } = await get(`/v2/team/${team.id}/custom_item`);
    expect(status).toBe(200);
    expect(body).toEqual({
      custom_items: [{ id: bug.id, name: "Bug", name_plural: "Bugs", description: "Something broken" }],
    });
    expect(Number.isInteger(bug.id)).toBe(true);
    expect((await get("/v2/team/1/custom_item")).status).toBe(401);
  });

  it("GET /space/{id}/tag lists the space's tags, also those put on tasks", async () => {
    const { fake, get, space, list, jane } = seededFake();
    fake.addSpaceTag(space.id, { name: "blocked", fg: "#ffffff", bg: "#e50000" });
    fake.addTask({ listId: list.id, tags: ["Urgent-ish"] });
    const { body } = await get(`/v2/space/${space.id}/tag`);
    expect(body).toEqual({
      tags: [
        { name: "blocked", tag_fg: "#ffffff", tag_bg: "#e50000", creator: jane.id },
        { name: "Urgent-ish", tag_fg: expect.any(String), tag_bg: expect.any(String), creator: jane.id },
      ],
    });
    expect((await get("/v2/space/1/tag")).status).toBe(401);
  });
});

describe("ClickUp fake: the fields in task payloads", () => {
  function world() {
    const ctx = seededFake();
    const { fake, list, team, space } = ctx;
    const kind = fake.defineCustomField({
      listId: list.id,
      type: "drop_down",
      name: "Kind",
      options: ["Bug", "Feature"],
    });
    const area = fake.defineCustomField({
      spaceId: space.id,
      type: "labels",
      name: "Area",
      options: ["api", "ui"],
    });
    const blocked = fake.defineCustomField({ listId: list.id, type: "checkbox", name: "Blocked" });
    const note = fake.defineCustomField({ listId: list.id, type: "short_text", name: "Note" });
    const due = fake.defineCustomField({ listId: list.id, type: "date", name: "Promised" });
    const who = fake.defineCustomField({ listId: list.id, type: "users", name: "Reviewer" });
    const bug = fake.addCustomTaskType(team.id, { name: "Bug" });
    return { ...ctx, kind, area, blocked, note, due, who, bug };
  }

  it("tags, priority, task type and every value shape, as list, team and task endpoints send them", async () => {
    const w = world();
    const task = w.fake.addTask({
      listId: w.list.id,
      tags: ["blocked", "customer"],
      priority: "urgent",
      customItemId: w.bug.id,
      customFields: {
        [w.kind.id]: "Feature",
        [w.area.id]: ["ui", "api"],
        [w.blocked.id]: true,
        [w.note.id]: "see thread",
        [w.due.id]: 1_736_000_000_000,
        [w.who.id]: [w.jane.id],
      },
    });
    const payloads = [
      (await w.get(`/v2/list/${w.list.id}/task`)).body.tasks[0],
      (await w.get(`/v2/team/${w.team.id}/task`)).body.tasks[0],
      (await w.get(`/v2/task/${task.id}`)).body,
    ];
    for (const t of payloads) {
      expect(t.custom_item_id).toBe(w.bug.id);
      expect(t.tags).toEqual([
        { name: "blocked", tag_fg: expect.any(String), tag_bg: expect.any(String), creator: w.jane.id },
        { name: "customer", tag_fg: expect.any(String), tag_bg: expect.any(String), creator: w.jane.id },
      ]);
      expect(t.priority).toEqual({ id: "1", priority: "urgent", color: "#f50000", orderindex: "1" });
      const value = (name: string) => byName(t.custom_fields, name).value;
      expect(value("Kind")).toBe(1); // the chosen option's orderindex
      expect(value("Area")).toEqual([w.area.options[1]!.id, w.area.options[0]!.id]);
      expect(value("Blocked")).toBe("true");
      expect(value("Note")).toBe("see thread");
      expect(value("Promised")).toBe("1736000000000");
      expect(value("Reviewer")).toEqual([expect.objectContaining({ id: w.jane.id, username: "Jane Roe" })]);
      expect(Object.keys(byName(t.custom_fields, "Kind"))).toEqual([
        "id",
        "name",
        "type",
        "type_config",
        "date_created",
        "hide_from_guests",
        "value",
        "required",
      ]);
    }
  });

  it("leaves `value` out while unset and sends null priority and task type by default", async () => {
    const w = world();
    const task = w.fake.addTask({ listId: w.list.id });
    const t = (await w.get(`/v2/task/${task.id}`)).body;
    expect([t.priority, t.custom_item_id, t.tags, t.dependencies]).toEqual([null, null, [], []]);
    expect(t.custom_fields.map((f: Entry) => f.name)).toEqual([
      "Kind",
      "Area",
      "Blocked",
      "Note",
      "Promised",
      "Reviewer",
    ]);
    expect(t.custom_fields.every((f: Entry) => !("value" in f))).toBe(true);
    // An unticked box and a cleared value read as unset too.
    w.fake.setCustomFieldValue(task.id, w.blocked.id, true);
    w.fake.setCustomFieldValue(task.id, w.blocked.id, false);
    w.fake.setCustomFieldValue(task.id, w.kind.id, "Bug");
    w.fake.setCustomFieldValue(task.id, w.kind.id, null);
    const after = (await w.get(`/v2/task/${task.id}`)).body;
    expect(after.custom_fields.some((f: Entry) => "value" in f)).toBe(false);
  });

  it("a renamed field keeps its id and value; a deleted one leaves every task", async () => {
    const w = world();
    const task = w.fake.addTask({ listId: w.list.id, customFields: { [w.kind.id]: "Bug" } });
    w.fake.renameCustomField(w.kind.id, "Work kind");
    let t = (await w.get(`/v2/task/${task.id}`)).body;
    expect(t.custom_fields[0]).toMatchObject({ id: w.kind.id, name: "Work kind", value: 0 });
    w.fake.deleteCustomField(w.kind.id);
    t = (await w.get(`/v2/task/${task.id}`)).body;
    expect(t.custom_fields.map((f: Entry) => f.id)).not.toContain(w.kind.id);
    expect(w.fake.getTask(task.id)?.customValues.has(w.kind.id)).toBe(false);
  });

  it("shows a dependency on both tasks: task_id waits on depends_on", async () => {
    const w = world();
    const waiting = w.fake.addTask({ listId: w.list.id, name: "waiting" });
    const blocker = w.fake.addTask({ listId: w.list.id, name: "blocker" });
    w.fake.addDependency(waiting.id, blocker.id);
    const record = {
      task_id: waiting.id,
      depends_on: blocker.id,
      date_created: String(w.clock.now()),
      userid: String(w.jane.id),
      workspace_id: w.team.id,
      chain_id: null,
    };
    expect((await w.get(`/v2/task/${waiting.id}`)).body.dependencies).toEqual([{ ...record, type: 0 }]);
    expect((await w.get(`/v2/task/${blocker.id}`)).body.dependencies).toEqual([{ ...record, type: 1 }]);
    w.fake.removeDependency(waiting.id, blocker.id);
    expect((await w.get(`/v2/task/${blocker.id}`)).body.dependencies).toEqual([]);
    // Deleting a task drops the records it took part in.
    w.fake.addDependency(waiting.id, blocker.id);
    w.fake.deleteTask(blocker.id);
    expect((await w.get(`/v2/task/${waiting.id}`)).body.dependencies).toEqual([]);
  });

  it("each change moves date_updated (both tasks for a dependency); a no-op change does not", async () => {
    const w = world();
    const a = w.fake.addTask({ listId: w.list.id });
    const b = w.fake.addTask({ listId: w.list.id });
    const changes: [string, () => void][] = [
      ["tag", () => w.fake.addTag(a.id, "blocked")],
      ["untag", () => w.fake.removeTag(a.id, "BLOCKED")],
      ["priority", () => w.fake.setPriority(a.id, 2)],
      ["type", () => w.fake.setTaskType(a.id, w.bug.id)],
      ["value", () => w.fake.setCustomFieldValue(a.id, w.note.id, "x")],
      ["dependency", () => w.fake.addDependency(a.id, b.id)],
    ];
    for (const [what, change] of changes) {
      w.clock.advance(HOUR);
      change();
      expect([what, w.fake.getTask(a.id)?.dateUpdated]).toEqual([what, w.clock.now()]);
    }
    expect(w.fake.getTask(b.id)?.dateUpdated).toBe(w.clock.now());
    const before = w.clock.now();
    w.clock.advance(HOUR);
    w.fake.setPriority(a.id, "high");
    w.fake.setTaskType(a.id, w.bug.id);
    w.fake.setCustomFieldValue(a.id, w.note.id, "x");
    w.fake.removeTag(a.id, "not there");
    expect(w.fake.getTask(a.id)?.dateUpdated).toBe(before);
    // date_updated_gt sees the change, like any other.
    const hits = (await w.get(`/v2/team/${w.team.id}/task?date_updated_gt=${before}`)).body.tasks;
    expect(hits.map((t: Entry) => t.id).sort()).toEqual([a.id, b.id].sort());
  });

  it("refuses values for fields the task's list does not reach, and unknown options", () => {
    const w = world();
    const other = w.fake.defineCustomField({ listId: w.inbox.id, type: "text", name: "Elsewhere" });
    const task = w.fake.addTask({ listId: w.list.id });
    expect(() => w.fake.setCustomFieldValue(task.id, other.id, "x")).toThrow(/not reachable/);
    expect(() => w.fake.setCustomFieldValue(task.id, w.kind.id, "Chore")).toThrow(/no option/);
    expect(() => w.fake.setTaskType(task.id, 4242)).toThrow(/unknown task type/);
    expect(() => w.fake.addDependency(task.id, task.id)).toThrow(/itself/);
  });

  it("serves the same payloads over real HTTP", async () => {
    const w = world();
    const task = w.fake.addTask({ listId: w.list.id, priority: "low", customFields: { [w.kind.id]: 1 } });
    const server = await w.fake.listen();
    try {
      const res = await fetch(`${server.url}/v2/task/${task.id}`, { headers: { Authorization: TOKEN } });
      const body = (await res.json()) as Entry;
      expect(body.priority.priority).toBe("low");
      expect(byName(body.custom_fields, "Kind").value).toBe(1);
      const fields = await fetch(`${server.url}/v2/list/${w.list.id}/field`, {
        headers: { Authorization: TOKEN },
      });
      expect(((await fields.json()) as Entry).fields).toHaveLength(6);
    } finally {
      await server.close();
    }
  });
});
