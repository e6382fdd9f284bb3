import { createHash } from "node:crypto";
import { type Clock, systemClock } from "./clock.ts";
import { createTokenRateLimiter, type TokenRateLimiter } from "./token-rate-limiter.ts";

export interface RateLimitRegistryOptions {
  clock?: Clock;
  safetyMarginMs?: number;
  /** The server's window length when known (default: ClickUp's minute); benches scale it down. */
  windowMs?: number;
}

/**
 * One limiter per token, so every client and job in the process that uses the same token draws from
 * one budget. Keyed by a hash so the token never sits in a map that might end up in a heap dump or log.
 */
export function createRateLimitRegistry(options: RateLimitRegistryOptions = {}) {
  const clock = options.clock ?? systemClock;
  const limiters = new Map<string, TokenRateLimiter>();
  return {
    forToken(token: string): TokenRateLimiter {
      const key = createHash("sha256").update(token).digest("hex").slice(0, 24);
      let limiter = limiters.get(key);
      if (!limiter) {
        limiter = createTokenRateLimiter({
          clock,
          safetyMarginMs: options.safetyMarginMs,
          windowMs: options.windowMs,
        });
        limiters.set(key, limiter);
      }
      return limiter;
    },
  };
}

export type RateLimitRegistry = ReturnType<typeof createRateLimitRegistry>;

/** The process-wide default; tests pass their own so limiter state does not leak between them. */
export const sharedRateLimits: RateLimitRegistry = createRateLimitRegistry();
