import { BLOCK_LIMITS, checkBlocks, maxLength } from "./block-limits.ts";
import { errorMessage, fail, type MethodResult } from "./method-result.ts";
import { isObject } from "./parse-body.ts";

/** Documented view limits (modals and App Home). */
export const VIEW_LIMITS = {
  titleText: 24,
  buttonText: 24,
  privateMetadata: 3000,
  callbackId: 255,
  externalId: 255,
  bytes: 250_000,
  stackDepth: 3,
} as const;

export type ViewType = "modal" | "home";

/** Returns the failure Slack would answer for this view, or undefined when it is acceptable. */
export function checkView(view: unknown, allowed: readonly ViewType[]): MethodResult | undefined {
  if (!isObject(view))
    return fail("invalid_arguments", [errorMessage("missing required field: view", "/view")]);
  if (Buffer.byteLength(JSON.stringify(view)) > VIEW_LIMITS.bytes) return fail("view_too_large");
  const messages: string[] = [];
  if (typeof view.type !== "string" || !(allowed as readonly string[]).includes(view.type)) {
    messages.push(errorMessage(`must be one of ${allowed.join(", ")}`, "/view/type"));
  }
  if (view.type === "modal") {
    if (view.title === undefined) messages.push(errorMessage("missing required field: title", "/view/title"));
    for (const key of ["title", "submit", "close"] as const) {
      if (view[key] !== undefined)
        messages.push(...plainText(view[key], VIEW_LIMITS.titleText, `/view/${key}`));
    }
    const hasInputs =
      Array.isArray(view.blocks) && view.blocks.some((b) => isObject(b) && b.type === "input");
    if (hasInputs && view.submit === undefined) {
      messages.push(errorMessage("must provide submit when using input blocks", "/view/submit"));
    }
  }
  if (view.blocks === undefined)
    messages.push(errorMessage("missing required field: blocks", "/view/blocks"));
  else messages.push(...checkBlocks(view.blocks, BLOCK_LIMITS.viewBlocks, "/view/blocks").messages);
  messages.push(
    ...stringWithin(view.private_metadata, VIEW_LIMITS.privateMetadata, "/view/private_metadata"),
    ...stringWithin(view.callback_id, VIEW_LIMITS.callbackId, "/view/callback_id"),
    ...stringWithin(view.external_id, VIEW_LIMITS.externalId, "/view/external_id"),
  );
  return messages.length > 0 ? fail("invalid_arguments", messages) : undefined;
}

function plainText(value: unknown, max: number, at: string): string[] {
  if (!isObject(value) || value.type !== "plain_text" || typeof value.text !== "string") {
    return [errorMessage("must be a plain_text text object", at)];
  }
  return maxLength(value.text, max, `${at}/text`);
}

function stringWithin(value: unknown, max: number, at: string): string[] {
  if (value === undefined) return [];
  if (typeof value !== "string") return [errorMessage("must be a string", at)];
  return maxLength(value, max, at);
}
