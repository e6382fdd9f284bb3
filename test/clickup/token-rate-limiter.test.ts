import { describe, expect, it } from "vitest";
import { createClickUpClient, createRateLimitRegistry } from "../../src/clickup/index.ts";
import { createRateLimiter } from "../fakes/clickup/index.ts";
import { createManualClock } from "./manual-clock.ts";

/** A bare ClickUp-like server on virtual time: fixed windows per token, reset in whole seconds. */
function pacedServer(now: () => number, limit: number, windowMs: number) {
  const limiter = createRateLimiter({ limit, windowMs }, now);
  const times: number[] = [];
  const fetch = async () => {
    times.push(now());
    const d = limiter.hit("token");
    const headers = {
      "x-ratelimit-limit": String(d.limit),
      "x-ratelimit-remaining": String(d.remaining),
      "x-ratelimit-reset": String(d.resetSec),
    };
    const body = d.allowed ? { id: "1", name: "List" } : { err: "Rate limit reached", ECODE: "APP_002" };
    return Response.json(body, { status: d.allowed ? 200 : 429, headers });
  };
  return { fetch, limiter, times };
}

/** A client of one token against `pacedServer` on a virtual clock; `knownWindowMs` is what the client is told. */
function virtualClient(limit: number, windowMs: number, knownWindowMs?: number) {
  const { clock, runUntil } = createManualClock(Date.UTC(2025, 0, 6, 9, 0, 0, 337));
  const server = pacedServer(() => clock.now(), limit, windowMs);
  const client = createClickUpClient({
    baseUrl: "http://x.test/api",
    token: "pk_virtual",
    fetch: server.fetch,
    rateLimits: createRateLimitRegistry({ clock, windowMs: knownWindowMs }),
    clock,
  });
  /** `n` requests from `callers` concurrent callers, each as soon as the limiter allows (run it with runUntil). */
  const burst = (n: number, callers: number) => {
    let sent = 0;
    const caller = async () => {
      while (sent < n) {
        sent += 1;
        await client.getList("1");
      }
    };
    return Promise.all(Array.from({ length: callers }, caller));
  };
  return { clock, runUntil, server, client, burst };
}

/** `skewMs`: how far the server's clock runs ahead of ours (negative: behind). */
async function drive(
  limit: number,
  windowMs: number,
  total: number,
  callers: number,
  skewMs = 0,
  options: { knownWindowMs?: number; startMs?: number } = {},
) {
  const { clock, runUntil } = createManualClock(options.startMs ?? Date.UTC(2025, 0, 6, 9, 0, 0, 337));
  const server = pacedServer(() => clock.now() + skewMs, limit, windowMs);
  const client = createClickUpClient({
    baseUrl: "http://x.test/api",
    token: "pk_virtual",
    fetch: server.fetch,
    rateLimits: createRateLimitRegistry({ clock, windowMs: options.knownWindowMs }),
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

  it("uses a short window fully from the first one when its length is known", async () => {
    // X-RateLimit-Reset rounds the first window's end up to a whole second, up to a second late; pacing
    // to it would spread 100 requests over as much as 2 s. Starting half a second past a whole second:
    const start = Date.UTC(2025, 0, 6, 9, 0, 0, 337);
    const told = await drive(100, 1_000, 250, 8, 0, { startMs: start, knownWindowMs: 1_000 });
    const untold = await drive(100, 1_000, 250, 8, 0, { startMs: start, knownWindowMs: 60_000 });
    expect(told.stats.limited).toBe(0);
    expect(untold.stats.limited).toBe(0);
    expect(told.ratio).toBeGreaterThanOrEqual(0.94);
    expect(told.ratio).toBeGreaterThan(untold.ratio + 0.05);
  });

  it("keeps the known window length after the token sat idle", async () => {
    // Two window starts seconds apart with nothing in between only bound the window's length from above;
    // taken as its length, the first window after the pause would be paced to X-RateLimit-Reset (rounded
    // up to a whole second: up to twice as long as a 1 s window).
    const { clock, runUntil, server, burst } = virtualClient(100, 1_000, 1_000);
    await runUntil(burst(40, 4));
    // Idle until just past a whole second, where rounding the reset up costs the most.
    await runUntil(clock.sleep(Date.UTC(2025, 0, 6, 9, 0, 4, 50) - clock.now()));
    const resumed = server.times.length;
    await runUntil(burst(100, 8));
    expect(server.limiter.stats().limited).toBe(0);
    // All 100 in the first window after the pause, which a second's budget allows.
    const after = server.times.slice(resumed);
    expect(after.at(-1)! - after[0]!).toBeLessThan(1_000);
  });

  it("learns from answers, without a 429, that the window is longer than it was told", async () => {
    // Told 1 s, the server counts 2 s windows. Light use first (one request every 300 ms): requests sent
    // after the limiter judged a window over still come back counted in it.
    const { clock, runUntil, server, burst } = virtualClient(100, 2_000, 1_000);
    await runUntil(
      (async () => {
        for (let i = 0; i < 30; i += 1) {
          await burst(1, 1);
          await clock.sleep(300);
        }
      })(),
    );
    const heavyFrom = server.times.length;
    await runUntil(burst(400, 8));
    expect(server.limiter.stats().limited).toBe(0);
    // 400 requests at 100 per 2 s need four windows (the first already partly used): ~8 s, not 10+.
    const heavy = server.times.slice(heavyFrom);
    expect(heavy.at(-1)! - heavy[0]!).toBeLessThan(9_000);
  });

  it("drops a window length that proves too short after a 429 and still completes", async () => {
    const { stats, ratio } = await drive(100, 1_000, 300, 8, 0, { knownWindowMs: 700 });
    expect(stats.limited).toBeGreaterThan(0);
    expect(stats.limited).toBeLessThanOrEqual(3);
    expect(stats.requests - stats.limited).toBe(300);
    expect(ratio).toBeGreaterThanOrEqual(0.6);
  });

  it("lets a tenth of a confirmed window's budget go back to back, then spreads the rest", async () => {
    const { runUntil, server, client } = virtualClient(100, 60_000);
    await runUntil(
      (async () => {
        for (let i = 0; i < 30; i += 1) await client.getList("1");
      })(),
    );
    expect(server.limiter.stats().limited).toBe(0);
    const t0 = server.times[0]!;
    // The first request alone (nothing is known before its answer), then ten at once...
    expect(server.times.slice(0, 11).map((t) => t - t0)).toEqual(Array(11).fill(0));
    // ...then the window's remaining 89 spread over what is left of the minute: ~0.66 s apart.
    const gaps = server.times.slice(11).map((t, i) => t - server.times[10 + i]!);
    expect(Math.min(...gaps)).toBeGreaterThan(500);
    expect(Math.max(...gaps)).toBeLessThan(800);
  });

  it("does not idle at a window's end while the window still has budget", async () => {
    // A caller slower than the limit (one request per 15 ms against 100 per second) never uses up a
    // window, so crossing into the next one needs no safety wait: its requests stay evenly spaced.
    const { clock, runUntil, server, client } = virtualClient(100, 1_000, 1_000);
    await runUntil(
      (async () => {
        for (let i = 0; i < 300; i += 1) {
          await client.getList("1");
          await clock.sleep(15);
        }
      })(),
    );
    expect(server.limiter.stats().limited).toBe(0);
    const gaps = server.times.slice(1).map((t, i) => t - server.times[i]!);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(25);
  });
});
