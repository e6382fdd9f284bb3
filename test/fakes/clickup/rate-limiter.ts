export interface RateLimitOptions {
  /** Requests per window per token (ClickUp plans: 100 / 1,000 / 10,000 per minute). */
  limit?: number;
  windowMs?: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Window end as epoch seconds, the unit of ClickUp's X-RateLimit-Reset header. */
  resetSec: number;
}

export interface RateLimitStats {
  requests: number;
  limited: number;
}

export interface RateLimiter {
  hit(key: string): RateLimitDecision;
  stats(): RateLimitStats;
  /** Per-key counters, for benches that drive several tokens. */
  statsFor(key: string): RateLimitStats;
  reset(): void;
  configure(options: RateLimitOptions): void;
}

interface Window {
  start: number;
  count: number;
  requests: number;
  limited: number;
}

/**
 * Fixed window per token. The window opens on the token's first request and closes `windowMs` later;
 * one Map lookup per request keeps it cheap enough for benchmarks.
 */
export function createRateLimiter(options: RateLimitOptions, now: () => number): RateLimiter {
  let limit = options.limit ?? 100;
  let windowMs = options.windowMs ?? 60_000;
  const windows = new Map<string, Window>();
  const totals: RateLimitStats = { requests: 0, limited: 0 };

  return {
    hit(key) {
      const t = now();
      let w = windows.get(key);
      if (!w) {
        w = { start: t, count: 0, requests: 0, limited: 0 };
        windows.set(key, w);
      } else if (t >= w.start + windowMs) {
        w.start = t;
        w.count = 0;
      }
      w.requests += 1;
      totals.requests += 1;
      const resetSec = Math.ceil((w.start + windowMs) / 1000);
      if (w.count >= limit) {
        w.limited += 1;
        totals.limited += 1;
        return { allowed: false, limit, remaining: 0, resetSec };
      }
      w.count += 1;
      return { allowed: true, limit, remaining: limit - w.count, resetSec };
    },
    stats: () => ({ ...totals }),
    statsFor(key) {
      const w = windows.get(key);
      return { requests: w?.requests ?? 0, limited: w?.limited ?? 0 };
    },
    reset() {
      windows.clear();
      totals.requests = 0;
      totals.limited = 0;
    },
    configure(next) {
      limit = next.limit ?? limit;
      windowMs = next.windowMs ?? windowMs;
    },
  };
}
