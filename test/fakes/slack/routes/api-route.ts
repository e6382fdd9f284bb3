import type { Hono } from "hono";
import { failureResponse, takeFailure, toResponse } from "../failures.ts";
import { fail, type MethodResult } from "../method-result.ts";
import { METHODS } from "../methods/index.ts";
import { bearerToken, type ParsedBody, parseApiBody, stringArg } from "../parse-body.ts";
import type { TokenIdentity } from "../types.ts";
import { type RouteContext, recordCall } from "./context.ts";

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" };

/** POST /api/:method — Slack's Web API: auth, then the method, always a JSON body with `ok`. */
export function mountApiRoute(app: Hono, ctx: RouteContext): void {
  app.post("/api/:method", async (c) => {
    const method = c.req.param("method");
    const request = c.req.raw;
    let parsed: ParsedBody;
    try {
      parsed = await parseApiBody(request);
    } catch {
      parsed = { kind: "json", args: {} };
      const call = recordCall(ctx, method, parsed.args, bearerToken(request), parsed.kind);
      return finish(call, fail("invalid_json"));
    }
    // Slack takes the token from the Bearer header or, for form bodies, a `token` field.
    const token = bearerToken(request) ?? stringArg(parsed.args, "token");
    delete parsed.args.token;
    const call = recordCall(ctx, method, parsed.args, token, parsed.kind);

    const failure = takeFailure(ctx.state, method);
    if (failure) {
      const { status, body, headers } = failureResponse(failure);
      call.status = status;
      call.response = body;
      return toResponse(status, body, headers);
    }

    const auth = authenticate(ctx, token);
    if ("ok" in auth) return finish(call, auth);
    const handler = METHODS[method];
    if (!handler) return finish(call, fail("unknown_method"));
    const result = handler({
      state: ctx.state,
      args: parsed.args,
      auth,
      now: ctx.now(),
      origin: new URL(request.url).origin,
      limits: ctx.limits,
    });
    return finish(call, result);
  });
}

function authenticate(ctx: RouteContext, token: string | undefined): TokenIdentity | MethodResult {
  if (!token) return fail("not_authed");
  const identity = ctx.state.tokens.get(token);
  if (!identity) return fail("invalid_auth");
  if (identity.revoked) return fail("token_revoked");
  return identity;
}

function finish(call: { status: number; response: unknown }, result: MethodResult): Response {
  // Slack reports method errors with HTTP 200; only rate limits and outages change the status.
  call.status = 200;
  call.response = result;
  return toResponse(200, result, JSON_HEADERS);
}
