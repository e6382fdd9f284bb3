import type { Hono } from "hono";
import { failureResponse, RESPONSE_URL_METHOD, takeFailure, toResponse } from "../failures.ts";
import { checkMessageContent } from "../message-content.ts";
import { isObject } from "../parse-body.ts";
import type { JsonObject, ResponsePost } from "../types.ts";
import { type RouteContext, recordCall } from "./context.ts";

export const RESPONSE_PATH = "/response/";
/** Slack lets a response_url be used five times within thirty minutes. */
export const RESPONSE_URL_MAX_USES = 5;
export const RESPONSE_URL_TTL_MS = 30 * 60 * 1000;

const JSON_HEADERS = { "content-type": "application/json" };

/**
 * POST /response/:id — what Bolt's `respond()` posts to. Bodies are JSON messages (text/blocks,
 * response_type, replace_original, delete_original). Ids never issued by `responseUrl()` are accepted and
 * start their lifetime on first use, so hand-written payloads work too.
 */
export function mountResponseUrlRoute(app: Hono, ctx: RouteContext): void {
  app.post(`${RESPONSE_PATH}:id`, async (c) => {
    const id = c.req.param("id");
    const now = ctx.now();
    let body: JsonObject = {};
    let parseError = false;
    try {
      const parsed: unknown = JSON.parse(await c.req.text());
      if (isObject(parsed)) body = parsed;
      else parseError = true;
    } catch {
      parseError = true;
    }
    const call = recordCall(ctx, RESPONSE_URL_METHOD, { id, ...body }, undefined, "json");
    const failure = takeFailure(ctx.state, RESPONSE_URL_METHOD);
    const outcome = failure ? failureResponse(failure) : accept(ctx, id, body, parseError, now);
    call.status = outcome.status;
    call.response = outcome.body;
    const post: ResponsePost = { id, body, at: now, status: outcome.status };
    const error =
      isObject(outcome.body) && typeof outcome.body.error === "string" ? outcome.body.error : undefined;
    if (error) post.error = error;
    ctx.state.responsePosts.push(post);
    return toResponse(outcome.status, outcome.body, outcome.headers);
  });
}

function accept(ctx: RouteContext, id: string, body: JsonObject, parseError: boolean, now: number) {
  const reject = (status: number, error: string, extra: JsonObject = {}) => ({
    status,
    body: { ok: false, error, ...extra },
    headers: JSON_HEADERS,
  });
  if (parseError) return reject(400, "invalid_payload");
  let record = ctx.state.responseUrls.get(id);
  if (!record) {
    record = { issuedAt: now, uses: 0 };
    ctx.state.responseUrls.set(id, record);
  }
  if (now - record.issuedAt > RESPONSE_URL_TTL_MS) return reject(404, "expired_url");
  if (record.uses >= RESPONSE_URL_MAX_USES) return reject(404, "used_url");
  // Deleting the original needs no content; anything else must be a valid message. A non-2xx status
  // (the fake's choice) makes Bolt's respond() throw, so oversize messages fail loudly in tests.
  if (body.delete_original !== true) {
    const invalid = checkMessageContent(body, ctx.limits, ctx.state);
    if (invalid) {
      const { ok: _ok, error, ...extra } = invalid;
      return reject(400, String(error), extra);
    }
  }
  record.uses += 1;
  return { status: 200, body: { ok: true }, headers: JSON_HEADERS };
}
