import { describe, expect, it } from "vitest";
import { seededFake } from "./fixtures.ts";

const ids = (items: { id: string }[]) => items.map((i) => i.id);

describe("ClickUp fake: user, workspaces and hierarchy", () => {
  it("GET /user returns the token's user with an integer id and timezone", async () => {
    const { get, jane } = seededFake();
    const { body } = await get("/v2/user");
    expect(body.user).toMatchObject({
      id: jane.id,
      username: "Jane Roe",
      initials: "JR",
      timezone: "Europe/Berlin",
    });
    expect(Number.isInteger(body.user.id)).toBe(true);
  });

  it("GET /team lists only the user's workspaces with members and roles", async () => {
    const { get, fake, team } = seededFake();
    fake.addWorkspace({ name: "Not mine" });
    const { body } = await get("/v2/team");
    expect(ids(body.teams)).toEqual([team.id]);
    expect(body.teams[0].members[0].user).toMatchObject({ role: 1, role_key: "owner" });
    expect(typeof body.teams[0].id).toBe("string");
  });

  it("archived=true returns only archived spaces, folders and lists", async () => {
    const { get, fake, team, space, folder, list, inbox } = seededFake();
    const oldSpace = fake.addSpace({ teamId: team.id, archived: true });
    const oldFolder = fake.addFolder({ spaceId: space.id, archived: true });
    const oldList = fake.addList({ folderId: folder.id, archived: true });
    const oldLoose = fake.addList({ spaceId: space.id, archived: true });

    expect(ids((await get(`/v2/team/${team.id}/space?archived=false`)).body.spaces)).toEqual([space.id]);
    expect(ids((await get(`/v2/team/${team.id}/space?archived=true`)).body.spaces)).toEqual([oldSpace.id]);
    expect(ids((await get(`/v2/space/${space.id}/folder`)).body.folders)).toEqual([folder.id]);
    expect(ids((await get(`/v2/space/${space.id}/folder?archived=true`)).body.folders)).toEqual([
      oldFolder.id,
    ]);
    expect(ids((await get(`/v2/folder/${folder.id}/list`)).body.lists)).toEqual([list.id]);
    expect(ids((await get(`/v2/folder/${folder.id}/list?archived=true`)).body.lists)).toEqual([oldList.id]);
    expect(ids((await get(`/v2/space/${space.id}/list`)).body.lists)).toEqual([inbox.id]);
    expect(ids((await get(`/v2/space/${space.id}/list?archived=true`)).body.lists)).toEqual([oldLoose.id]);

    fake.setArchived("list", inbox.id);
    expect((await get(`/v2/space/${space.id}/list`)).body.lists).toEqual([]);
  });

  it("single space, folder and list carry statuses, and folderless lists report a hidden folder", async () => {
    const { get, fake, space, folder, list, inbox } = seededFake();
    fake.addTask({ listId: list.id });
    const s = (await get(`/v2/space/${space.id}`)).body;
    expect(s.statuses.map((st: { type: string }) => st.type)).toEqual([
      "open",
      "custom",
      "custom",
      "done",
      "closed",
    ]);
    expect(s.statuses.map((st: { orderindex: number }) => st.orderindex)).toEqual([0, 1, 2, 3, 4]);
    const f = (await get(`/v2/folder/${folder.id}`)).body;
    expect(f).toMatchObject({ id: folder.id, task_count: "1", space: { id: space.id } });
    expect(ids(f.lists)).toEqual([list.id]);
    const l = (await get(`/v2/list/${inbox.id}`)).body;
    expect(l.folder).toMatchObject({ name: "hidden", hidden: true });
    expect(l.override_statuses).toBe(false);
    expect(l.statuses).toHaveLength(5);
  });

  it("a list with its own workflow reports its overriding statuses", async () => {
    const { get, fake, folder } = seededFake();
    const custom = fake.addList({
      folderId: folder.id,
      statuses: [
        { status: "backlog", type: "open" },
        { status: "shipped", type: "closed" },
      ],
    });
    const l = (await get(`/v2/list/${custom.id}`)).body;
    expect(l.override_statuses).toBe(true);
    expect(l.statuses.map((s: { status: string }) => s.status)).toEqual(["backlog", "shipped"]);
    expect(l.statuses[0].id).toMatch(new RegExp(`^sc${custom.id}_`));
  });
});
