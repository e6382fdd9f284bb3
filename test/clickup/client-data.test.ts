import { describe, expect, it } from "vitest";
import { createClickUpClient, createRateLimitRegistry } from "../../src/clickup/index.ts";
import { setupClient, TOKEN } from "./setup-client.ts";

describe("ClickUp client data", () => {
  it("walks the hierarchy", async () => {
    const { team, space, folder, list, client } = setupClient();
    const c = client();
    expect((await c.getUser()).id).toBeTypeOf("number");
    expect((await c.getTeams()).map((t) => t.id)).toEqual([team.id]);
    expect((await c.getSpaces(team.id)).map((s) => s.id)).toEqual([space.id]);
    expect(await c.getSpaces(team.id, { archived: true })).toEqual([]);
    expect((await c.getFolders(space.id))[0]).toMatchObject({ id: folder.id, task_count: 0 });
    expect((await c.getFolderLists(folder.id)).map((l) => l.id)).toEqual([list.id]);
    expect(await c.getFolderlessLists(space.id)).toEqual([]);
    expect((await c.getList(list.id)).statuses?.length).toBeGreaterThan(0);
  });

  it("streams task pages and stops on a short page or last_page", async () => {
    const { fake, team, list, client } = setupClient();
    for (let i = 0; i < 230; i += 1) fake.addTask({ listId: list.id, emit: false });
    const sizes: number[] = [];
    for await (const page of client().listTasksPages(list.id, { includeClosed: true, subtasks: true }))
      sizes.push(page.length);
    expect(sizes).toEqual([100, 100, 30]);

    fake.setOption("omitTeamTasksLastPage", true);
    const before = fake.requests.count();
    let total = 0;
    for await (const page of client().teamTasksPages(team.id, { listIds: [list.id] })) total += page.length;
    expect(total).toBe(230);
    expect(fake.requests.count() - before).toBe(3);
  });

  it("chunks bulk time in status by 100 ids", async () => {
    const { fake, list, client } = setupClient();
    const ids: string[] = [];
    for (let i = 0; i < 230; i += 1) ids.push(fake.addTask({ listId: list.id, emit: false }).id);
    const tis = await client().bulkTimeInStatus(ids);
    expect(Object.keys(tis)).toHaveLength(230);
    expect(fake.requests.count({ path: /bulk_time_in_status/ })).toBe(3);
    expect(tis[ids[0]!]?.current_status?.status).toBe("to do");
  });

  it("parses drifted field types leniently", async () => {
    const body = {
      tasks: [
        {
          id: 12345,
          name: "Drifted",
          status: { status: "open", type: "open", orderindex: "2", color: "#fff" },
          orderindex: "7.00000000000000000000000000000000",
          date_created: 1700000000000,
          date_updated: "1700000000001",
          date_closed: null,
          time_estimate: "3600000",
          list: { id: 901 },
          space: { id: "9" },
          parent: null,
        },
      ],
      last_page: true,
    };
    const client = createClickUpClient({
      baseUrl: "http://x.test/api",
      token: TOKEN,
      fetch: async () => Response.json(body),
      rateLimits: createRateLimitRegistry(),
    });
    const pages = [];
    for await (const page of client.listTasksPages("901")) pages.push(page);
    expect(pages).toHaveLength(1);
    expect(pages[0]?.[0]).toMatchObject({
      id: "12345",
      orderindex: 7,
      date_created: 1700000000000,
      date_updated: 1700000000001,
      date_done: null,
      time_estimate: 3600000,
      status: { orderindex: 2 },
      list: { id: "901" },
    });
  });

  it("rejects a response missing a field we depend on", async () => {
    const client = createClickUpClient({
      baseUrl: "http://x.test/api",
      token: TOKEN,
      fetch: async () => Response.json({ id: "1" }),
      rateLimits: createRateLimitRegistry(),
    });
    await expect(client.getList("1")).rejects.toMatchObject({ code: "unexpected_response" });
  });

  it("creates, lists, updates and deletes webhooks", async () => {
    const { team, list, client } = setupClient();
    const c = client();
    const created = await c.createWebhook(team.id, {
      endpoint: "https://x.test/hook",
      events: ["taskStatusUpdated"],
      list_id: list.id,
    });
    expect(created.webhook).toMatchObject({ team_id: team.id, list_id: list.id });
    expect(created.webhook.secret).toBeTruthy();
    expect(await c.listWebhooks(team.id)).toHaveLength(1);
    const updated = await c.updateWebhook(created.id, { events: "*", status: "active" });
    expect(updated.webhook.events).toEqual(["*"]);
    await c.deleteWebhook(created.id);
    expect(await c.listWebhooks(team.id)).toEqual([]);
  });
});
