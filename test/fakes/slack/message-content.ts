import { BLOCK_LIMITS, blocksTextLength, checkBlocks } from "./block-limits.ts";
import { errorMessage, type FakeLimits, fail, type MethodResult } from "./method-result.ts";
import { isObject } from "./parse-body.ts";
import type { SlackFakeState } from "./state.ts";
import type { JsonObject } from "./types.ts";

/**
 * Validates the text/blocks/attachments of a message the way chat.* methods and response_url posts do.
 * Returns the failure to send, or undefined when the content is acceptable.
 */
export function checkMessageContent(
  args: JsonObject,
  limits: FakeLimits,
  state?: SlackFakeState,
): MethodResult | undefined {
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
    if (state) {
      const unknown = unknownSlackFiles(state, blocks, "/blocks");
      if (unknown.length > 0) return fail("invalid_blocks", unknown);
    }
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

/**
 * Image blocks and elements may show an uploaded file by `slack_file: {id}`; Slack rejects ids of files it
 * does not have (or whose upload never completed) with "invalid slack file". `slack_file: {url}` passes.
 */
function unknownSlackFiles(state: SlackFakeState, value: unknown, at: string): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => unknownSlackFiles(state, item, `${at}/${i}`));
  if (!isObject(value)) return [];
  const problems: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    if (key === "slack_file" && isObject(child) && typeof child.id === "string") {
      if (state.uploads.get(child.id)?.completed !== true) {
        problems.push(errorMessage("invalid slack file", `${at}/slack_file`));
      }
    } else if (typeof child === "object") {
      problems.push(...unknownSlackFiles(state, child, `${at}/${key}`));
    }
  }
  return problems;
}
