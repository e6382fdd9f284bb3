import type { MiddlewareHandler } from "hono";
import { tokenFromHeader } from "./http.ts";

export interface RecordedRequest {
  method: string;
  /** Path as received, e.g. "/api/v2/list/123/task". */
  path: string;
  query: Record<string, string[]>;
  token: string | null;
  status: number;
  at: number;
}

export interface RequestLog {
  readonly entries: RecordedRequest[];
  count(filter?: { method?: string; path?: string | RegExp; token?: string }): number;
  clear(): void;
  enabled: boolean;
}

export function createRequestLog(): RequestLog {
  const entries: RecordedRequest[] = [];
  return {
    entries,
    enabled: true,
    count(filter = {}) {
      let n = 0;
      for (const e of entries) {
        if (filter.method && e.method !== filter.method) continue;
        if (filter.token !== undefined && e.token !== filter.token) continue;
        if (typeof filter.path === "string" && e.path !== filter.path) continue;
        if (filter.path instanceof RegExp && !filter.path.test(e.path)) continue;
        n += 1;
      }
      return n;
    },
    clear() {
      entries.length = 0;
    },
  };
}

/** Outermost middleware, so the log sees the final status of every request, 429s and faults included. */
export function requestLogMiddleware(log: RequestLog, now: () => number): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (!log.enabled) return;
    const url = new URL(c.req.url);
    const query: Record<string, string[]> = {};
    for (const [k, v] of url.searchParams) {
      const values = query[k] ?? [];
      values.push(v);
      query[k] = values;
    }
    log.entries.push({
      method: c.req.method,
      path: url.pathname,
      query,
      token: tokenFromHeader(c.req.header("authorization")),
      status: c.res.status,
      at: now(),
    });
  };
}
