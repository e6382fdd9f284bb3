import type { MiddlewareHandler } from "hono";
import { tokenFromHeader } from "./http.ts";
import type { RateLimiter } from "./rate-limiter.ts";

/** Counts every request against its token and stamps the X-RateLimit-* headers on every response. */
export function rateLimitMiddleware(limiter: RateLimiter): MiddlewareHandler {
  return async (c, next) => {
    // Requests without a token share one anonymous bucket.
    const decision = limiter.hit(tokenFromHeader(c.req.header("authorization")) ?? "");
    if (decision.allowed) await next();
    else c.res = c.json({ err: "Rate limit reached", ECODE: "APP_002" }, 429);
    c.res.headers.set("X-RateLimit-Limit", String(decision.limit));
    c.res.headers.set("X-RateLimit-Remaining", String(decision.remaining));
    c.res.headers.set("X-RateLimit-Reset", String(decision.resetSec));
  };
}
