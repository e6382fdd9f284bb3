/** ClickUp's rate-limit headers on one answer (docs/clickup.md §7.2). */
export interface RateLimitHeaders {
  /** X-RateLimit-Limit when it is a positive number, else null (the limit stays as it was). */
  limit: number | null;
  /** X-RateLimit-Remaining: requests left in the window that counted this one. */
  remaining: number;
  /** X-RateLimit-Reset in milliseconds (ClickUp sends whole seconds), on the server's clock. */
  resetMs: number;
}

/**
 * The answer's rate-limit headers, or null when it carries no usable reset or remaining count (a
 * network error, a proxy's answer): such an answer tells the limiter nothing.
 */
export function readRateLimitHeaders(headers: Headers): RateLimitHeaders | null {
  if (!headers.has("x-ratelimit-reset")) return null;
  const resetSec = Number(headers.get("x-ratelimit-reset"));
  // An absent remaining count reads as 0: the budget is taken as spent rather than guessed.
  const remaining = Number(headers.get("x-ratelimit-remaining"));
  if (!Number.isFinite(resetSec) || !Number.isFinite(remaining)) return null;
  const limit = Number(headers.get("x-ratelimit-limit"));
  return { limit: Number.isFinite(limit) && limit > 0 ? limit : null, remaining, resetMs: resetSec * 1000 };
}
