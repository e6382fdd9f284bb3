import type { Hono } from "hono";
import { failureResponse, takeFailure, toResponse, UPLOAD_METHOD } from "../failures.ts";
import { UPLOAD_PATH } from "../methods/files.ts";
import { bearerToken } from "../parse-body.ts";
import type { BodyKind } from "../types.ts";
import { type RouteContext, recordCall } from "./context.ts";

/**
 * POST /upload/v1/:fileId — step 2 of Slack's external upload. Like Slack's presigned URL it needs no token.
 * Accepts multipart (what WebClient sends: the bytes under a `body` field) or a raw body.
 */
export function mountUploadRoute(app: Hono, ctx: RouteContext): void {
  app.post(`${UPLOAD_PATH}:fileId`, async (c) => {
    const fileId = c.req.param("fileId");
    const request = c.req.raw;
    const { bytes, contentType, kind, filename } = await readUpload(request);
    const call = recordCall(
      ctx,
      UPLOAD_METHOD,
      { file_id: fileId, size: bytes.length, ...(filename ? { filename } : {}) },
      bearerToken(request),
      kind,
    );
    const failure = takeFailure(ctx.state, UPLOAD_METHOD);
    const outcome = failure ? failureResponse(failure) : store(ctx, fileId, bytes, contentType);
    call.status = outcome.status;
    call.response = outcome.body;
    return toResponse(outcome.status, outcome.body, outcome.headers);
  });
}

function store(ctx: RouteContext, fileId: string, bytes: Uint8Array, contentType: string | undefined) {
  const upload = ctx.state.uploads.get(fileId);
  const headers = { "content-type": "text/plain" };
  if (!upload) return { status: 404, body: "file_not_found", headers };
  upload.bytes = bytes;
  if (contentType) upload.contentType = contentType;
  // Slack's upload endpoint answers a short plain-text receipt.
  return { status: 200, body: `OK - ${bytes.length}`, headers };
}

async function readUpload(
  request: Request,
): Promise<{ bytes: Uint8Array; contentType?: string; kind: BodyKind; filename?: string }> {
  const type = request.headers.get("content-type") ?? "";
  if (type.toLowerCase().startsWith("multipart/form-data")) {
    const form = await request.formData();
    for (const value of form.values()) {
      if (typeof value !== "string") {
        return {
          bytes: new Uint8Array(await value.arrayBuffer()),
          kind: "multipart",
          filename: value.name,
          ...(value.type ? { contentType: value.type } : {}),
        };
      }
    }
    return { bytes: new Uint8Array(), kind: "multipart" };
  }
  const bytes = new Uint8Array(await request.arrayBuffer());
  return { bytes, kind: bytes.length > 0 ? "raw" : "empty", ...(type ? { contentType: type } : {}) };
}
