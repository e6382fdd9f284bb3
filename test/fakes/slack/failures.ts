import type { SlackFakeState } from "./state.ts";
import type { InjectedFailure } from "./types.ts";

/** Pseudo-method names for the two non-API endpoints, so failures can be injected there too. */
export const UPLOAD_METHOD = "upload";
export const RESPONSE_URL_METHOD = "response_url";

export function queueFailure(
  state: SlackFakeState,
  method: string,
  failure: InjectedFailure,
  times: number,
): void {
  const queue = state.failures.get(method) ?? [];
  for (let i = 0; i < times; i += 1) queue.push(failure);
  state.failures.set(method, queue);
}

/** Consumes the next queued failure for `method` (or for "*", which matches every method). */
export function takeFailure(state: SlackFakeState, method: string): InjectedFailure | undefined {
  return state.failures.get(method)?.shift() ?? state.failures.get("*")?.shift();
}

/** The HTTP answer for a failure: Slack's JSON error, a 429 with Retry-After, or a bare status. */
export function failureResponse(failure: InjectedFailure): {
  status: number;
  body: unknown;
  headers: Record<string, string>;
} {
  switch (failure.type) {
    case "error":
      return {
        status: 200,
        body: { ok: false, error: failure.error, ...failure.extra },
        headers: { "content-type": "application/json" },
      };
    case "rate_limited":
      return {
        status: 429,
        body: { ok: false, error: "ratelimited" },
        headers: { "content-type": "application/json", "retry-after": String(failure.retryAfter) },
      };
    case "http":
      return {
        status: failure.status,
        body: failure.body ?? `fake HTTP ${failure.status}`,
        headers: { "content-type": "text/plain" },
      };
  }
}

export function toResponse(status: number, body: unknown, headers: Record<string, string>): Response {
  return new Response(typeof body === "string" ? body : JSON.stringify(body), { status, headers });
}
