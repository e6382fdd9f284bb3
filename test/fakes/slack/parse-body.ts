import type { BodyKind, JsonObject } from "./types.ts";

/** Arguments WebClient sends as JSON strings inside form bodies; decoded so tests can inspect them as objects. */
const JSON_FIELDS = ["blocks", "view", "attachments", "files"] as const;

export interface ParsedBody {
  kind: BodyKind;
  args: JsonObject;
}

/**
 * Reads a Web API request body. Slack accepts form, multipart and JSON bodies, so the fake does too; a form
 * `token` field is pulled out separately because Slack treats it as an alternative to the Bearer header.
 */
export async function parseApiBody(request: Request): Promise<ParsedBody> {
  const type = (request.headers.get("content-type") ?? "").toLowerCase();
  if (type.startsWith("application/json")) {
    const text = await request.text();
    const parsed: unknown = text ? JSON.parse(text) : {};
    return { kind: "json", args: decodeJsonFields(isObject(parsed) ? parsed : {}) };
  }
  if (type.startsWith("multipart/form-data")) {
    const form = await request.formData();
    const args: JsonObject = {};
    for (const [key, value] of form.entries()) {
      args[key] =
        typeof value === "string" ? value : { name: value.name, size: value.size, type: value.type };
    }
    return { kind: "multipart", args: decodeJsonFields(args) };
  }
  const text = await request.text();
  if (!text) return { kind: "empty", args: {} };
  return { kind: "form", args: decodeJsonFields(Object.fromEntries(new URLSearchParams(text))) };
}

function decodeJsonFields(args: JsonObject): JsonObject {
  for (const key of JSON_FIELDS) {
    const value = args[key];
    if (typeof value !== "string") continue;
    try {
      args[key] = JSON.parse(value);
    } catch {
      // Left as a string: the method's validation reports it the way Slack would (e.g. invalid_blocks_format).
    }
  }
  return args;
}

export function bearerToken(request: Request): string | undefined {
  const header = request.headers.get("authorization");
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  return match?.[1];
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Form values are always strings; this keeps handlers from repeating the type narrowing. */
export function stringArg(args: JsonObject, key: string): string | undefined {
  const value = args[key];
  if (typeof value === "string") return value === "" ? undefined : value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}
