import { describe, expect, it } from "vitest";
import { seededFake, TOKEN } from "./fixtures.ts";

describe("ClickUp fake: transport and fault injection", () => {
  it("serves on a loopback port for real HTTP clients", async () => {
    const { fake, jane } = seededFake();
    const server = await fake.listen();
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api$/);
      const res = await fetch(`${server.url}/v2/user`, { headers: { Authorization: TOKEN } });
      expect(res.status).toBe(200);
      expect(res.headers.get("x-ratelimit-limit")).toBe("100");
      expect(((await res.json()) as { user: { id: number } }).user.id).toBe(jane.id);
    } finally {
      await server.close();
    }
    await expect(fetch(`${server.url}/v2/user`)).rejects.toThrow();
  });

  it("accepts a Request object in the in-process fetch and records requests", async () => {
    const { fake, list } = seededFake();
    const req = new Request(`http://x/api/v2/list/${list.id}/task?statuses[]=to%20do&page=0`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect((await fake.fetch(req)).status).toBe(200);
    expect(fake.requests.entries[0]).toMatchObject({
      method: "GET",
      path: `/api/v2/list/${list.id}/task`,
      query: { "statuses[]": ["to do"], page: ["0"] },
      token: TOKEN,
      status: 200,
    });
    expect(fake.requests.count({ path: /\/task$/ })).toBe(1);
  });

  it("injects 5xx for the next N requests or by predicate, with rate-limit headers", async () => {
    const { fake, get } = seededFake();
    fake.faults.failNext(2, { status: 503 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await get("/v2/user")).status);
    expect(statuses).toEqual([503, 503, 200]);
    fake.faults.failWhen((req) => req.path.endsWith("/team"));
    const failed = await get("/v2/team");
    expect(failed.status).toBe(500);
    expect(failed.headers.get("x-ratelimit-remaining")).toBe("96");
    expect((await get("/v2/user")).status).toBe(200);
    fake.faults.clear();
    expect((await get("/v2/team")).status).toBe(200);
  });

  it("injects latency through the injected sleep", async () => {
    const delays: number[] = [];
    const { fake, get } = seededFake({ sleep: async (ms) => void delays.push(ms) });
    fake.faults.setLatency((req) => (req.path.includes("/task") ? 250 : 0));
    await get("/v2/user");
    await get("/v2/task/x");
    expect(delays).toEqual([250]);
  });
});
