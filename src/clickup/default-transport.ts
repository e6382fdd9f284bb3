import { Agent, request } from "undici";

/** The subset of `fetch` the client needs; tests pass the in-process ClickUp fake's fetch. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

// One keep-alive pool for every client in the process: ClickUp calls come in bursts from sync jobs,
// and reconnecting TLS for each of them would cost more than the requests themselves.
const agent = new Agent({ keepAliveTimeout: 30_000, connections: 16 });

/**
 * `fetch` over undici's `request`, answering with the part of a Response the client reads (ok, status,
 * headers, text). WHATWG fetch builds web streams and Request/Response objects around every call, which
 * costs a backfill page more CPU than parsing it, and a backfill's pace is bound by this process's CPU as
 * much as by ClickUp's rate limit.
 */
export const defaultFetch: FetchLike = async (input, init) => {
  const res = await request(input, {
    method: (init.method ?? "GET") as "GET",
    headers: init.headers as Record<string, string> | undefined,
    body: (init.body ?? undefined) as string | undefined,
    signal: init.signal ?? undefined,
    dispatcher: agent,
  });
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  const { statusCode: status, body } = res;
  return {
    ok: status >= 200 && status < 300,
    status,
    headers,
    text: () => body.text(),
  } as Response;
};
