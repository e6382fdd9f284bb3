import { describe, expect, it } from "vitest";
import { countsPerWindow, setupClient, TOKEN } from "./setup-client.ts";

describe("ClickUp client rate limiting", () => {
  it("waits for the window reset after a 429, then succeeds", async () => {
    const { fake, list, client } = setupClient({ limit: 5, windowMs: 1_000 });
    // Another process spends the token's budget behind our back.
    for (let i = 0; i < 5; i += 1)
      await fake.fetch("http://clickup.test/api/v2/user", { headers: { authorization: TOKEN } });
    const windowOpened = fake.requests.entries[0]!.at;
    await expect(client().getList(list.id)).resolves.toMatchObject({ id: list.id });
    expect(fake.rateLimiter.stats().limited).toBe(1);
    const retried = fake.requests.entries.at(-1)!;
    expect(retried.status).toBe(200);
    expect(retried.at).toBeGreaterThanOrEqual(windowOpened + 1_000);
    expect(client().rateLimit()).toMatchObject({ limit: 5, remaining: 4 });
  });

  it("shares one budget between concurrent callers of a token and never exceeds it", async () => {
    const { fake, list, client } = setupClient({ limit: 5, windowMs: 1_000 });
    const clients = Array.from({ length: 4 }, () => client());
    await Promise.all(clients.flatMap((c) => Array.from({ length: 4 }, () => c.getList(list.id))));
    expect(fake.rateLimiter.stats()).toEqual({ requests: 16, limited: 0 });
    for (const n of countsPerWindow(fake.requests.entries, 1_000)) expect(n).toBeLessThanOrEqual(5);
  });

  it("assumes 100 per minute before the first response", async () => {
    const { client } = setupClient();
    expect(client().rateLimit()).toEqual({ limit: 100, remaining: 100, resetAt: null });
    await client().getUser();
    expect(client().rateLimit().limit).toBe(10_000);
    expect(client().rateLimit().resetAt).toBeInstanceOf(Date);
  });

  it("aborting cancels a request waiting for budget before it is sent", async () => {
    const { fake, list, client } = setupClient({ limit: 1, windowMs: 60_000 });
    const c = client();
    await c.getList(list.id);
    const ac = new AbortController();
    const pending = c.getList(list.id, { signal: ac.signal });
    setTimeout(() => ac.abort(new Error("shutting down")), 20);
    await expect(pending).rejects.toThrow("shutting down");
    expect(fake.requests.count()).toBe(1);
  });
});
