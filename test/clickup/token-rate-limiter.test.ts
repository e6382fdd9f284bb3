import { describe, expect, it } from "vitest";
import { createClickUpClient, createRateLimitRegistry } from "../../src/clickup/index.ts";
import { createRateLimiter } from "../fakes/clickup/index.ts";
import { createManualClock } from "./manual-clock.ts";

/** A bare ClickUp-like server on virtual time: fixed windows per token, reset in whole seconds. */
function pacedServer(now: () => number, limit: number, windowMs: number) {
  const limiter = createRateLimiter({ limit, windowMs }, now);
  const fetch = async () => {
    const d = limiter.hit("token");
    const headers = {
      "x-ratelimit-limit": String(d.limit),
      "x-ratelimit-remaining": String(d.remaining),
      "x-ratelimit-reset": String(d.resetSec),
    };
    const body = d.allowed ? { id: "1", name: "List" } : { err: "Rate limit reached", ECODE: "APP_002" };
    return Response.json(body, { status: d.allowed ? 200 : 429, headers });
  };
  return { fetch, limiter };
}

/** `skewMs`: how far the server's clock runs ahead of ours (negative: behind). */
async function drive(limit: number, windowMs: number, total: number, callers: number, skewMs = 0) {
  const { clock, runUntil } = createManualClock(Date.UTC(2025, 0, 6, 9, 0, 0, 337));
  const server = pacedServer(() => clock.now() + skewMs, limit, windowMs);
  const client = createClickUpClient({
    baseUrl: "http://x.test/api",
    token: "pk_virtual",
    fetch: server.fetch,
    rateLimits: createRateLimitRegistry({ clock }),
    clock,
  });
  let sent = 0;
  const started = clock.now();
  const caller = async () => {
    while (sent < total) {
      sent += 1;
      await client.getList("1");
    }
  };
  await runUntil(Promise.all(Array.from({ length: callers }, caller)));
  const elapsed = clock.now() - started;
  return { stats: server.limiter.stats(), ratio: total / ((elapsed / windowMs) * limit), client };
}

describe("token rate limiter pacing (virtual time)", () => {
  it("uses at least 90% of a 100-per-2s budget without a single 429", async () => {
    const { stats, ratio } = await drive(100, 2_000, 1_000, 8);
    expect(stats.limited).toBe(0);
    expect(ratio).toBeGreaterThanOrEqual(0.9);
  });

  it("paces a 100-per-minute token to its limit without a 429", async () => {
    const { stats, ratio, client } = await drive(100, 60_000, 300, 8);
    expect(stats.limited).toBe(0);
    expect(ratio).toBeGreaterThanOrEqual(0.9);
    expect(client.rateLimit().limit).toBe(100);
  });

  it("copes with a server clock running ahead of ours", async () => {
    const { stats, ratio } = await drive(100, 60_000, 300, 8, 1_500);
    expect(stats.limited).toBe(0);
    expect(ratio).toBeGreaterThanOrEqual(0.9);
  });

  it("learns a server clock running behind ours after a few 429s and still completes", async () => {
    const { stats, ratio } = await drive(100, 60_000, 300, 8, -1_500);
    expect(stats.limited).toBeLessThanOrEqual(5);
    expect(stats.requests - stats.limited).toBe(300);
    expect(ratio).toBeGreaterThanOrEqual(0.9);
  });
});
