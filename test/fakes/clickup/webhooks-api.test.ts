import { describe, expect, it } from "vitest";
import { seededFake } from "./fixtures.ts";

describe("ClickUp fake: webhook endpoints", () => {
  it("creates a webhook with a 64-char uppercase alphanumeric secret", async () => {
    const { send, team, jane, list } = seededFake();
    const res = await send("POST", `/v2/team/${team.id}/webhook`, {
      endpoint: "https://flowbot.test/hook",
      events: ["taskStatusUpdated", "taskUpdated"],
      list_id: Number(list.id),
    });
    expect(res.status).toBe(200);
    expect(res.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.webhook).toMatchObject({
      id: res.body.id,
      userid: jane.id,
      team_id: Number(team.id),
      endpoint: "https://flowbot.test/hook",
      events: ["taskStatusUpdated", "taskUpdated"],
      list_id: list.id,
      space_id: null,
      health: { status: "active", fail_count: 0 },
    });
    expect(res.body.webhook.secret).toMatch(/^[A-Z0-9]{64}$/);
  });

  it("rejects a duplicate configuration with OAUTH_171 but allows another location", async () => {
    const { send, team, space } = seededFake();
    const body = { endpoint: "https://flowbot.test/hook", events: "*" };
    expect((await send("POST", `/v2/team/${team.id}/webhook`, body)).status).toBe(200);
    const dup = await send("POST", `/v2/team/${team.id}/webhook`, body);
    expect(dup.status).toBe(400);
    expect(dup.body).toEqual({ err: "Webhook configuration already exists", ECODE: "OAUTH_171" });
    expect((await send("POST", `/v2/team/${team.id}/webhook`, { ...body, space_id: space.id })).status).toBe(
      200,
    );
  });

  it("rejects unknown events and locations outside the workspace", async () => {
    const { send, team } = seededFake();
    expect(
      (await send("POST", `/v2/team/${team.id}/webhook`, { endpoint: "https://x", events: ["nope"] })).status,
    ).toBe(400);
    const res = await send("POST", `/v2/team/${team.id}/webhook`, {
      endpoint: "https://x",
      events: "*",
      list_id: 1,
    });
    expect(res.body.ECODE).toBe("OAUTH_027");
  });

  it("GET lists only the caller's webhooks; PUT updates and reactivates; DELETE returns {}", async () => {
    const { send, get, fake, team } = seededFake();
    const bob = fake.addUser({ username: "Bob", token: "pk_bob", teamIds: [team.id] });
    const mine = (await send("POST", `/v2/team/${team.id}/webhook`, { endpoint: "https://a", events: "*" }))
      .body.id;
    await send("POST", `/v2/team/${team.id}/webhook`, { endpoint: "https://b", events: "*" }, "pk_bob");
    const listed = (await get(`/v2/team/${team.id}/webhook`)).body.webhooks;
    expect(listed.map((w: { id: string }) => w.id)).toEqual([mine]);
    expect(listed[0].health).toEqual({ status: "active", fail_count: 0 });
    expect(bob.id).not.toBe(listed[0].userid);

    fake.webhooks.suspend(mine);
    expect((await get(`/v2/team/${team.id}/webhook`)).body.webhooks[0].health.status).toBe("suspended");
    const put = await send("PUT", `/v2/webhook/${mine}`, {
      endpoint: "https://c",
      events: ["taskMoved"],
      status: "active",
    });
    expect(put.status).toBe(200);
    expect(put.body.webhook).toMatchObject({
      endpoint: "https://c",
      events: ["taskMoved"],
      health: { status: "active" },
    });

    expect((await send("PUT", `/v2/webhook/${mine}`, { status: "active" }, "pk_bob")).body.ECODE).toBe(
      "OAUTH_027",
    );
    const del = await send("DELETE", `/v2/webhook/${mine}`);
    expect(del).toEqual({ status: 200, body: {} });
    expect((await get(`/v2/team/${team.id}/webhook`)).body.webhooks).toEqual([]);
  });
});
