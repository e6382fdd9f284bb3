import { BLOCK_LIMITS, blocksTextLength, checkBlocks } from "./block-limits.ts";
import { errorMessage, type FakeLimits, fail, type MethodResult } from "./method-result.ts";
import type { JsonObject } from "./types.ts";

/**
 * Validates the text/blocks/attachments of a message the way chat.* methods and response_url posts do.
 * Returns the failure to send, or undefined when the content is acceptable.
 */
export function checkMessageContent(args: JsonObject, limits: FakeLimits): MethodResult | undefined {
  const { text, blocks, attachments } = args;
  const hasText = typeof text === "string" && text.length > 0;
  if (!hasText && blocks === undefined && attachments === undefined) return fail("no_text");
  if (typeof text === "string" && text.length > BLOCK_LIMITS.messageText) return fail("msg_too_long");
  if (attachments !== undefined && !Array.isArray(attachments)) {
    return fail("invalid_attachments", [errorMessage("expected an array", "/attachments")]);
  }
  if (blocks !== undefined) {
    const check = checkBlocks(blocks, BLOCK_LIMITS.messageBlocks, "/blocks");
    if (check.error) return fail(check.error, check.messages);
    if (blocksTextLength(blocks) > limits.messageBlocksTextChars) return fail("msg_blocks_too_long");
  }
  return undefined;
}

/** Only the content fields are kept on stored messages; routing args (channel, token, …) are not. */
export function messageContent(args: JsonObject): {
  text?: string;
  blocks?: unknown[];
  attachments?: unknown[];
} {
  return {
    ...(typeof args.text === "string" ? { text: args.text } : {}),
    ...(Array.isArray(args.blocks) ? { blocks: args.blocks } : {}),
    ...(Array.isArray(args.attachments) ? { attachments: args.attachments } : {}),
  };
}
