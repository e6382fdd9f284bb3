import type { FakeLimits } from "../method-result.ts";
import type { SlackFakeState } from "../state.ts";
import type { BodyKind, JsonObject, RecordedCall } from "../types.ts";

/** Shared by all routes of one fake instance. */
export interface RouteContext {
  state: SlackFakeState;
  now: () => number;
  limits: FakeLimits;
}

/** Appends a call to the log and returns it so the route can fill in the outcome. */
export function recordCall(
  ctx: RouteContext,
  method: string,
  args: JsonObject,
  token: string | undefined,
  bodyKind: BodyKind,
): RecordedCall {
  const call: RecordedCall = { method, args, token, bodyKind, at: ctx.now(), status: 0, response: undefined };
  ctx.state.calls.push(call);
  return call;
}
