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

  it("reads pages ahead on long streams only, asking at most ahead − 1 pages past the end", async () => {
    const { fake, team, list, client } = setupClient();
    for (let i = 0; i < 650; i += 1) fake.addTask({ listId: list.id, emit: false });
    const inFlightAtPage: number[] = [];
    const started = new Set<string>();
    const pages: number[] = [];
    const before = fake.requests.count();
    const stream = client().teamTasksPages(team.id, { listIds: [list.id] }, { ahead: 3 });
    for await (const page of stream) {
      pages.push(page.length);
      // Give requests asked for before this page was handed over a moment to reach the fake.
      await new Promise((r) => setTimeout(r, 5));
      for (const e of fake.requests.entries) started.add(`${e.path}?${e.query.page?.[0]}`);
      inFlightAtPage.push(started.size - pages.length);
    }
    expect(pages).toEqual([100, 100, 100, 100, 100, 100, 50]);
    // One page at a time until two full pages were seen, then two more asked ahead.
    expect(inFlightAtPage[0]).toBe(0);
    expect(Math.max(...inFlightAtPage)).toBe(2);
    // Seven pages; requests for pages past the last that had already gone out are the only waste.
    const sent = fake.requests.count() - before;
    expect(sent).toBeGreaterThanOrEqual(7);
    expect(sent).toBeLessThanOrEqual(9);

    // A short stream goes page by page with `ahead`, exactly as without it.
    const short = setupClient();
    for (let i = 0; i < 150; i += 1) short.fake.addTask({ listId: short.list.id, emit: false });
    const n = short.fake.requests.count();
    let total = 0;
    for await (const page of short
      .client()
      .teamTasksPages(short.team.id, { listIds: [short.list.id] }, { ahead: 3 }))
      total += page.length;
    expect(total).toBe(150);
    expect(short.fake.requests.count() - n).toBe(2);
  });

  it("talks to ClickUp over real HTTP with the default transport: headers, bodies, errors", async () => {
    const { fake, team, list } = setupClient();
    fake.addTask({ listId: list.id, name: "Over the wire", emit: false });
    const server = await fake.listen();
    try {
      const c = createClickUpClient({
        baseUrl: server.url,
        token: TOKEN,
        rateLimits: createRateLimitRegistry(),
        retry: { baseDelayMs: 1, maxDelayMs: 5, maxRetries: 0 },
      });
      expect((await c.getTeams()).map((t) => t.id)).toEqual([team.id]);
      const names: string[] = [];
      for await (const page of c.teamTasksPages(team.id, { listIds: [list.id] }))
        names.push(...page.map((t) => t.name));
      expect(names).toEqual(["Over the wire"]);
      // The rate-limit headers reached the limiter.
      expect(c.rateLimit()).toMatchObject({ limit: 10_000 });
      expect(c.rateLimit().remaining).toBeLessThan(10_000);
      const created = await c.createWebhook(team.id, {
        endpoint: "https://flowbot.example.com/h",
        events: ["*"],
      });
      expect(created.webhook.endpoint).toBe("https://flowbot.example.com/h");
      // An error body is read and classified.
      const refused = await createClickUpClient({
        baseUrl: server.url,
        token: "pk_0_NOT_A_TOKEN",
        rateLimits: createRateLimitRegistry(),
        retry: { maxRetries: 0 },
      })
        .getTeams()
        .catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: "token_invalid" });
      // A 5xx with no retries left is ClickUp down.
      fake.faults.failNext(1, { status: 503 });
      expect(await c.getTeams().catch((e: unknown) => e)).toMatchObject({ code: "clickup_down" });
    } finally {
      await server.close();
    }
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

  it("reads a container's custom fields by its type, and the workspace's custom task types", async () => {
    const { fake, team, space, folder, list, client } = setupClient();
    const kind = fake.defineCustomField({
      listId: list.id,
      type: "drop_down",
      name: "Kind",
      options: ["Bug"],
    });
    fake.defineCustomField({ folderId: folder.id, type: "checkbox", name: "Blocked" });
    fake.defineCustomField({ spaceId: space.id, type: "labels", name: "Area", options: ["api"] });
    fake.addCustomTaskType(team.id, { name: "Bug", id: 1002 });
    const c = client();
    const names = async (type: "space" | "folder" | "list", id: string) =>
      (await c.getContainerFields({ type, id })).map((f) => f.name);
    // A list reaches every field above it; a folder or space endpoint lists only its own.
    expect(await names("list", list.id)).toEqual(["Kind", "Blocked", "Area"]);
    expect(await names("folder", folder.id)).toEqual(["Blocked"]);
    expect(await names("space", space.id)).toEqual(["Area"]);
    const [field] = await c.getContainerFields({ type: "list", id: list.id });
    expect(field).toMatchObject({
      id: kind.id,
      type: "drop_down",
      type_config: { options: [{ id: kind.options[0]!.id, name: "Bug", orderindex: 0 }] },
    });
    expect(await c.getCustomTaskTypes(team.id)).toEqual([{ id: 1002, name: "Bug" }]);
    expect(fake.requests.count({ path: /\/field$|\/custom_item$/ })).toBe(5);
    // Unreachable containers are refused like any other read, and classified the same way.
    await expect(c.getContainerFields({ type: "folder", id: "999" })).rejects.toMatchObject({
      code: "not_authorized",
    });
    await expect(c.getCustomTaskTypes("999")).rejects.toMatchObject({ code: "not_authorized" });
  });

  it("leaves out field definitions and task types it cannot read, keeping the rest", async () => {
    const answers: Record<string, unknown> = {
      "/api/v2/space/9/field": {
        fields: [
          {
            id: "f1",
            name: "Kind",
            type: "drop_down",
            type_config: { options: [{ id: "o1", name: "Bug" }] },
          },
          { name: "no id", type: "checkbox" },
          "not a field",
        ],
      },
      "/api/v2/team/1/custom_item": {
        custom_items: [{ id: "1002", name: "Bug" }, { id: "b7e1-uuid", name: "Odd" }, { name: "No id" }],
      },
    };
    const client = createClickUpClient({
      baseUrl: "http://x.test/api",
      token: TOKEN,
      fetch: async (url) => Response.json(answers[new URL(String(url)).pathname] ?? {}),
      rateLimits: createRateLimitRegistry(),
    });
    expect((await client.getContainerFields({ type: "space", id: "9" })).map((f) => f.id)).toEqual(["f1"]);
    expect(await client.getCustomTaskTypes("1")).toEqual([{ id: 1002, name: "Bug" }]);
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
