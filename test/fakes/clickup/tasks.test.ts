import { describe, expect, it } from "vitest";
import { seededFake } from "./fixtures.ts";

const ids = (body: { tasks: { id: string }[] }) => body.tasks.map((t) => t.id);
const HOUR = 3_600_000;

describe("ClickUp fake: GET /list/{id}/task pagination", () => {
  it.each([
    [0, [0], [true]],
    [100, [100, 0], [true, true]],
    [101, [100, 1], [false, true]],
  ])("%i tasks → page sizes %j, last_page %j", async (count, sizes, lastPages) => {
    const { fake, get, list } = seededFake();
    for (let i = 0; i < count; i++) fake.addTask({ listId: list.id, name: `T${i}`, emit: false });
    for (const [page, size] of sizes.entries()) {
      const { body } = await get(`/v2/list/${list.id}/task?page=${page}`);
      expect(body.tasks).toHaveLength(size);
      expect(body.last_page).toBe(lastPages[page]);
    }
  });

  it("pages do not overlap and cover every task exactly once", async () => {
    const { fake, get, list } = seededFake();
    const created = Array.from({ length: 230 }, () => fake.addTask({ listId: list.id, emit: false }).id);
    const seen: string[] = [];
    for (let page = 0; ; page++) {
      const { body } = await get(`/v2/list/${list.id}/task?page=${page}`);
      seen.push(...ids(body));
      if (body.last_page) break;
    }
    expect(seen.sort()).toEqual(created.sort());
  });

  it("a later page reflects changes made between requests, like a fresh query", async () => {
    const { fake, get, team, list, clock } = seededFake();
    const created = Array.from({ length: 250 }, () => {
      clock.advance(60_000);
      return fake.addTask({ listId: list.id, emit: false });
    });
    const page = async (n: number) =>
      ids((await get(`/v2/team/${team.id}/task?order_by=updated&page=${n}`)).body);
    const newestFirst = created.map((t) => t.id).reverse();
    expect(await page(0)).toEqual(newestFirst.slice(0, 100));
    // The oldest task is updated in place (no new task, same matches): it moves to the front.
    clock.advance(60_000);
    fake.updateTask(created[0]!.id, { name: "touched" }, { at: clock.now() });
    expect(await page(0)).toEqual([created[0]!.id, ...newestFirst.slice(0, 99)]);
    expect(await page(2)).toEqual(newestFirst.slice(199, 249));
    // A new task and a deleted one change the matches.
    clock.advance(60_000);
    const added = fake.addTask({ listId: list.id, emit: false });
    fake.deleteTask(created[1]!.id);
    expect((await page(0))[0]).toBe(added.id);
    expect(await page(2)).toEqual(newestFirst.slice(198, 248));
  });
});

describe("ClickUp fake: task filters", () => {
  function world() {
    const ctx = seededFake();
    const { fake, list, inbox, clock } = ctx;
    const open = fake.addTask({ listId: list.id, name: "open" });
    clock.advance(HOUR);
    const closed = fake.addTask({ listId: list.id, name: "closed", status: "complete" });
    clock.advance(HOUR);
    const done = fake.addTask({ listId: list.id, name: "done", status: "done" });
    clock.advance(HOUR);
    const sub = fake.addTask({ listId: list.id, name: "sub", parent: open.id });
    clock.advance(HOUR);
    const archived = fake.addTask({ listId: list.id, name: "archived", archived: true });
    clock.advance(HOUR);
    const timl = fake.addTask({ listId: inbox.id, name: "timl" });
    fake.addTaskToList(timl.id, list.id);
    return { ...ctx, open, closed, done, sub, archived, timl };
  }

  it("excludes closed, done, subtasks, archived and TIML tasks by default", async () => {
    const w = world();
    expect(ids((await w.get(`/v2/list/${w.list.id}/task`)).body)).toEqual([w.open.id]);
  });

  it("honours each include flag", async () => {
    const w = world();
    const q = async (query: string) => ids((await w.get(`/v2/list/${w.list.id}/task?${query}`)).body).sort();
    expect(await q("include_closed=true")).toEqual([w.open.id, w.closed.id, w.done.id].sort());
    expect(await q("subtasks=true")).toEqual([w.open.id, w.sub.id].sort());
    expect(await q("archived=true")).toEqual([w.archived.id]);
    expect(await q("include_timl=true")).toEqual([w.open.id, w.timl.id].sort());
    expect(await q("include_closed=true&subtasks=true&include_timl=true")).toHaveLength(5);
  });

  it("can treat done-type statuses as open when configured", async () => {
    const w = world();
    w.fake.setOption("doneCountsAsClosed", false);
    expect(ids((await w.get(`/v2/list/${w.list.id}/task`)).body).sort()).toEqual(
      [w.open.id, w.done.id].sort(),
    );
  });

  it("filters by statuses[] (case-insensitive) and by date ranges", async () => {
    const w = world();
    const byStatus = await w.get(`/v2/list/${w.list.id}/task?statuses[]=COMPLETE&statuses[]=done`);
    expect(ids(byStatus.body).sort()).toEqual([w.closed.id, w.done.id].sort());
    const t0 = w.open.dateCreated;
    const created = await w.get(`/v2/list/${w.list.id}/task?include_closed=true&date_created_gt=${t0}`);
    expect(ids(created.body).sort()).toEqual([w.closed.id, w.done.id].sort());
    // date_updated_gt is inclusive, so the boundary task comes back.
    const updated = await w.get(
      `/v2/list/${w.list.id}/task?include_closed=true&date_updated_gt=${w.done.dateUpdated}`,
    );
    expect(ids(updated.body)).toEqual([w.done.id]);
    const doneRange = await w.get(
      `/v2/list/${w.list.id}/task?include_closed=true&date_done_lt=${w.done.dateDone}`,
    );
    expect(ids(doneRange.body)).toEqual([w.closed.id]);
  });

  it("orders newest first by default; reverse and order_by=updated change it", async () => {
    const w = world();
    const base = `/v2/list/${w.list.id}/task?include_closed=true`;
    expect(ids((await w.get(base)).body)).toEqual([w.done.id, w.closed.id, w.open.id]);
    expect(ids((await w.get(`${base}&reverse=true`)).body)).toEqual([w.open.id, w.closed.id, w.done.id]);
    w.clock.advance(HOUR);
    w.fake.setTaskStatus(w.open.id, "in progress");
    expect(ids((await w.get(`${base}&order_by=updated`)).body)[0]).toBe(w.open.id);
  });

  it("returns ClickUp-shaped task objects", async () => {
    const w = world();
    w.fake.updateTask(w.open.id, { assignees: [w.jane.id] });
    const { body } = await w.get(`/v2/list/${w.list.id}/task`);
    const t = body.tasks[0];
    expect(t).toMatchObject({
      id: w.open.id,
      url: `https://app.clickup.com/t/${w.open.id}`,
      date_created: String(w.open.dateCreated),
      date_closed: null,
      status: { status: "to do", type: "open", orderindex: 0 },
      list: { id: w.list.id },
      space: { id: w.space.id },
      team_id: w.team.id,
    });
    expect(t.assignees[0].id).toBe(w.jane.id);
    const closed = (await w.get(`/v2/task/${w.closed.id}`)).body;
    expect(closed.date_closed).toBe(String(w.closed.dateCreated));
    expect(closed.date_done).toBe(closed.date_closed);
    expect(closed.list).toEqual({ id: w.list.id, name: "Sprint", access: true });
  });
});

describe("ClickUp fake: GET /team/{id}/task", () => {
  it("filters by space_ids[], project_ids[] (folders) and list_ids[]", async () => {
    const { fake, get, team, space, list, inbox, folder } = seededFake();
    const otherSpace = fake.addSpace({ teamId: team.id });
    const otherList = fake.addList({ spaceId: otherSpace.id });
    const a = fake.addTask({ listId: list.id });
    const b = fake.addTask({ listId: inbox.id });
    const c = fake.addTask({ listId: otherList.id });
    const q = async (query: string) => ids((await get(`/v2/team/${team.id}/task?${query}`)).body).sort();
    expect(await q("")).toEqual([a.id, b.id, c.id].sort());
    expect(await q(`space_ids[]=${space.id}`)).toEqual([a.id, b.id].sort());
    expect(await q(`project_ids[]=${folder.id}`)).toEqual([a.id]);
    expect(await q(`list_ids[]=${inbox.id}&list_ids[]=${otherList.id}`)).toEqual([b.id, c.id].sort());
    expect(await q(`space_ids[]=${otherSpace.id}&list_ids[]=${list.id}`)).toEqual([]);
  });

  it("pages by 100 with last_page, which can be switched off", async () => {
    const { fake, get, team, list } = seededFake();
    for (let i = 0; i < 150; i++) fake.addTask({ listId: list.id, emit: false });
    const p0 = (await get(`/v2/team/${team.id}/task?page=0`)).body;
    const p1 = (await get(`/v2/team/${team.id}/task?page=1`)).body;
    expect([p0.tasks.length, p0.last_page, p1.tasks.length, p1.last_page]).toEqual([100, false, 50, true]);
    fake.setOption("omitTeamTasksLastPage", true);
    const bare = (await get(`/v2/team/${team.id}/task?page=1`)).body;
    expect(Object.keys(bare)).toEqual(["tasks"]);
  });

  it("honours archived, include_closed, subtasks and date_updated_gt", async () => {
    const { fake, get, team, list, clock } = seededFake();
    const parent = fake.addTask({ listId: list.id });
    const sub = fake.addTask({ listId: list.id, parent: parent.id });
    const closed = fake.addTask({ listId: list.id, status: "complete" });
    const gone = fake.addTask({ listId: list.id, archived: true });
    clock.advance(HOUR);
    fake.setTaskStatus(parent.id, "review");
    const q = async (query: string) => ids((await get(`/v2/team/${team.id}/task?${query}`)).body).sort();
    expect(await q("")).toEqual([parent.id]);
    expect(await q("subtasks=true&include_closed=true")).toEqual([parent.id, sub.id, closed.id].sort());
    expect(await q("archived=true")).toEqual([gone.id]);
    expect(await q(`subtasks=true&date_updated_gt=${clock.now()}`)).toEqual([parent.id]);
    expect(await q(`parent=${parent.id}`)).toEqual([sub.id]);
  });

  it("task objects carry team-task extras", async () => {
    const { fake, get, team, list, folder } = seededFake();
    fake.addTask({ listId: list.id });
    const t = (await get(`/v2/team/${team.id}/task`)).body.tasks[0];
    expect(t.project).toEqual({ id: folder.id, name: "Product", hidden: false, access: true });
    expect(t.folder).toEqual(t.project);
    expect(t.list).toEqual({ id: list.id, name: "Sprint", access: true });
  });
});

describe("ClickUp fake: GET /task/{id}", () => {
  it("resolves custom ids with custom_task_ids=true&team_id and lists subtasks on request", async () => {
    const { fake, get, team, list } = seededFake();
    const parent = fake.addTask({ listId: list.id, customId: "DEV-7" });
    const sub = fake.addTask({ listId: list.id, parent: parent.id });
    const byCustom = await get(`/v2/task/DEV-7?custom_task_ids=true&team_id=${team.id}`);
    expect(byCustom.body.id).toBe(parent.id);
    const withSubs = await get(`/v2/task/${parent.id}?include_subtasks=true`);
    expect(withSubs.body.subtasks.map((t: { id: string }) => t.id)).toEqual([sub.id]);
    expect((await get(`/v2/task/${sub.id}`)).body).toMatchObject({
      parent: parent.id,
      top_level_parent: parent.id,
    });
  });

  it("a deleted task is gone (404) and a moved task reports its new home list", async () => {
    const { fake, get, list, inbox } = seededFake();
    const moved = fake.addTask({ listId: list.id });
    const deleted = fake.addTask({ listId: list.id });
    fake.moveTask(moved.id, inbox.id);
    fake.deleteTask(deleted.id);
    expect((await get(`/v2/task/${deleted.id}`)).status).toBe(404);
    expect((await get(`/v2/task/${moved.id}`)).body.list.id).toBe(inbox.id);
    expect(ids((await get(`/v2/list/${list.id}/task`)).body)).toEqual([]);
  });
});
