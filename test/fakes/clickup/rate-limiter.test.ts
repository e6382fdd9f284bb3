import { describe, expect, it } from "vitest";
import { seededFake, TOKEN } from "./fixtures.ts";
import { createRateLimiter } from "./rate-limiter.ts";

describe("ClickUp fake: rate limiter", () => {
  it("stamps X-RateLimit-* on every response, errors included", async () => {
    const { get, clock } = seededFake({ rateLimit: { limit: 5, windowMs: 60_000 } });
    const resetSec = String(Math.ceil((clock.now() + 60_000) / 1000));
    const responses = [await get("/v2/user"), await get("/v2/task/nope"), await get("/v2/team/1/space")];
    responses.forEach((res, i) => {
      expect(res.headers.get("x-ratelimit-limit")).toBe("5");
      expect(res.headers.get("x-ratelimit-remaining")).toBe(String(4 - i));
      expect(res.headers.get("x-ratelimit-reset")).toBe(resetSec);
    });
    const anonymous = await get("/v2/user", null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("x-ratelimit-remaining")).toBe("4");
  });

  it("answers 429 APP_002 at limit + 1 and recovers when the window ends", async () => {
    const { get, clock, fake } = seededFake({ rateLimit: { limit: 3, windowMs: 60_000 } });
    for (let i = 0; i < 3; i++) expect((await get("/v2/user")).status).toBe(200);
    const limited = await get("/v2/user");
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ err: "Rate limit reached", ECODE: "APP_002" });
    expect(limited.headers.get("x-ratelimit-remaining")).toBe("0");
    const reset = Number(limited.headers.get("x-ratelimit-reset"));

    clock.advance(59_999);
    expect((await get("/v2/user")).status).toBe(429);
    clock.advance(1);
    expect(clock.now() / 1000).toBeGreaterThanOrEqual(reset);
    const fresh = await get("/v2/user");
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get("x-ratelimit-remaining")).toBe("2");
    expect(fake.rateLimiter.stats()).toEqual({ requests: 6, limited: 2 });
    expect(fake.rateLimiter.statsFor(TOKEN)).toEqual({ requests: 6, limited: 2 });
    expect(fake.requests.count({ path: "/api/v2/user" })).toBe(6);
  });

  it("counts each token separately", async () => {
    const { get, fake, jane } = seededFake({ rateLimit: { limit: 1 } });
    const other = fake.addToken(jane.id, "pk_second");
    expect((await get("/v2/user")).status).toBe(200);
    expect((await get("/v2/user")).status).toBe(429);
    expect((await get("/v2/user", other)).status).toBe(200);
  });

  it("is cheap: 100k decisions well under a second", () => {
    let t = 0;
    const limiter = createRateLimiter({ limit: 10_000, windowMs: 60_000 }, () => t);
    const started = performance.now();
    for (let i = 0; i < 100_000; i++) {
      t += 1;
      limiter.hit(`pk_${i % 10}`);
    }
    expect(performance.now() - started).toBeLessThan(1000);
    expect(limiter.stats().requests).toBe(100_000);
  });
});
