import { describe, expect, it } from "vitest";
import { seededFake, TOKEN } from "./fixtures.ts";

describe("ClickUp fake: authentication", () => {
  it("rejects a missing Authorization header with 401 OAUTH_017", async () => {
    const { get } = seededFake();
    const res = await get("/v2/user", null);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ err: "Authorization header required", ECODE: "OAUTH_017" });
  });

  it("rejects an unknown token with 401 OAUTH_025", async () => {
    const { get } = seededFake();
    const res = await get("/v2/user", "pk_nope");
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ err: "Token invalid", ECODE: "OAUTH_025" });
  });

  it("accepts the raw pk_ form and the Bearer form", async () => {
    const { get, fake, jane, team } = seededFake();
    fake.addToken(jane.id, "oauth-access-token");
    expect((await get("/v2/user")).body.user.id).toBe(jane.id);
    const bearer = await get("/v2/team", "Bearer oauth-access-token");
    expect(bearer.status).toBe(200);
    expect(bearer.body.teams.map((t: { id: string }) => t.id)).toEqual([team.id]);
  });

  it("answers OAUTH_027 for ids in a workspace the user is not in, and for unknown ids", async () => {
    const { get, fake } = seededFake();
    const other = fake.addWorkspace({ name: "Other" });
    const space = fake.addSpace({ teamId: other.id });
    const list = fake.addList({ spaceId: space.id });
    const task = fake.addTask({ listId: list.id, creatorId: fake.addUser({ teamIds: [other.id] }).id });
    const paths = [
      `/v2/team/${other.id}/space`,
      `/v2/space/${space.id}`,
      `/v2/space/${space.id}/folder`,
      `/v2/list/${list.id}`,
      `/v2/list/${list.id}/task`,
      `/v2/team/${other.id}/task`,
      `/v2/task/${task.id}`,
      "/v2/team/123/space",
      "/v2/folder/123",
    ];
    for (const path of paths) {
      const res = await get(path);
      expect([path, res.status, res.body]).toEqual([
        path,
        401,
        { err: "Team not authorized", ECODE: "OAUTH_027" },
      ]);
    }
  });

  it("answers 404 ITEM_013 for a task that does not exist", async () => {
    const { get } = seededFake();
    const res = await get("/v2/task/doesnotexist");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ err: "Task not found, deleted", ECODE: "ITEM_013" });
  });

  it("revoking a token mid-test makes the next call fail with OAUTH_025", async () => {
    const { get, fake } = seededFake();
    expect((await get("/v2/user")).status).toBe(200);
    fake.revokeToken(TOKEN);
    const res = await get("/v2/user");
    expect(res.status).toBe(401);
    expect(res.body.ECODE).toBe("OAUTH_025");
  });

  it("a user removed from the workspace loses access to it", async () => {
    const { get, fake, team, jane } = seededFake();
    fake.removeMember(team.id, jane.id);
    expect((await get("/v2/team")).body.teams).toEqual([]);
    expect((await get(`/v2/team/${team.id}/space`)).body.ECODE).toBe("OAUTH_027");
  });
});
