import type { SlackFakeState } from "./state.ts";
import type { JsonObject, TokenIdentity } from "./types.ts";

/** What every Web API method handler receives. */
export interface MethodRequest {
  state: SlackFakeState;
  args: JsonObject;
  auth: TokenIdentity;
  now: number;
  /** Origin the request arrived on, so URLs handed back (upload_url) stay reachable through the same transport. */
  origin: string;
  limits: FakeLimits;
}

export interface FakeLimits {
  /** Approximate total-text ceiling Slack enforces on message blocks (`msg_blocks_too_long`); undocumented. */
  messageBlocksTextChars: number;
}

export type MethodResult = JsonObject & { ok: boolean };
export type MethodHandler = (request: MethodRequest) => MethodResult;

export function ok(body: JsonObject = {}): MethodResult {
  return { ok: true, ...body };
}

/** Slack's error shape; `messages` go to response_metadata like Slack's "[ERROR] … [json-pointer:…]" hints. */
export function fail(error: string, messages?: string[]): MethodResult {
  return messages && messages.length > 0
    ? { ok: false, error, response_metadata: { messages } }
    : { ok: false, error };
}

export function errorMessage(text: string, pointer: string): string {
  return `[ERROR] ${text} [json-pointer:${pointer}]`;
}

export function missingArgument(name: string): MethodResult {
  return fail("invalid_arguments", [errorMessage(`missing required field: ${name}`, `/${name}`)]);
}
