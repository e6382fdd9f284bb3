import { errorMessage } from "./method-result.ts";
import { isObject } from "./parse-body.ts";

/** Documented Block Kit limits the fake enforces, so oversize output fails in tests instead of in Slack. */
export const BLOCK_LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  messageText: 40_000,
  blockId: 255,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  imageAltText: 2000,
  inputLabel: 2000,
} as const;

export interface BlocksCheck {
  /** `invalid_blocks_format` when `blocks` is not an array of objects, `invalid_blocks` for limit breaches. */
  error?: "invalid_blocks_format" | "invalid_blocks";
  messages: string[];
}

export function checkBlocks(blocks: unknown, maxBlocks: number, pointer: string): BlocksCheck {
  if (!Array.isArray(blocks)) {
    return {
      error: "invalid_blocks_format",
      messages: [errorMessage("expected an array of blocks", pointer)],
    };
  }
  const messages: string[] = [];
  if (blocks.length > maxBlocks) {
    messages.push(errorMessage(`must provide an array of no more than ${maxBlocks} items`, pointer));
  }
  blocks.forEach((block, index) => {
    messages.push(...checkBlock(block, `${pointer}/${index}`));
  });
  return messages.length > 0 ? { error: "invalid_blocks", messages } : { messages };
}

function checkBlock(block: unknown, at: string): string[] {
  if (!isObject(block) || typeof block.type !== "string") {
    return [errorMessage("missing required field: type", at)];
  }
  const problems: string[] = [];
  if (typeof block.block_id === "string") {
    problems.push(...maxLength(block.block_id, BLOCK_LIMITS.blockId, `${at}/block_id`));
  }
  switch (block.type) {
    case "section": {
      if (block.text === undefined && block.fields === undefined) {
        problems.push(errorMessage("must provide either text or fields", at));
      }
      if (block.text !== undefined)
        problems.push(...textObject(block.text, 1, BLOCK_LIMITS.sectionText, `${at}/text`));
      if (block.fields !== undefined) {
        if (!Array.isArray(block.fields)) {
          problems.push(errorMessage("must be an array", `${at}/fields`));
        } else {
          if (block.fields.length > BLOCK_LIMITS.sectionFields) {
            problems.push(
              errorMessage(
                `must provide an array of no more than ${BLOCK_LIMITS.sectionFields} items`,
                `${at}/fields`,
              ),
            );
          }
          block.fields.forEach((field, i) => {
            problems.push(...textObject(field, 1, BLOCK_LIMITS.sectionFieldText, `${at}/fields/${i}`));
          });
        }
      }
      break;
    }
    case "header":
      problems.push(...textObject(block.text, 1, BLOCK_LIMITS.headerText, `${at}/text`, "plain_text"));
      break;
    case "context":
      problems.push(...arrayWithin(block.elements, BLOCK_LIMITS.contextElements, `${at}/elements`));
      break;
    case "actions":
      problems.push(...arrayWithin(block.elements, BLOCK_LIMITS.actionsElements, `${at}/elements`));
      break;
    case "image":
      if (typeof block.image_url !== "string" && !isObject(block.slack_file)) {
        problems.push(errorMessage("must provide either image_url or slack_file", at));
      }
      if (typeof block.alt_text !== "string" || block.alt_text.length === 0) {
        problems.push(errorMessage("missing required field: alt_text", `${at}/alt_text`));
      } else {
        problems.push(...maxLength(block.alt_text, BLOCK_LIMITS.imageAltText, `${at}/alt_text`));
      }
      break;
    case "input":
      problems.push(...textObject(block.label, 1, BLOCK_LIMITS.inputLabel, `${at}/label`, "plain_text"));
      if (!isObject(block.element))
        problems.push(errorMessage("missing required field: element", `${at}/element`));
      break;
    default:
      // Other block types (divider, rich_text, …) pass: the fake only checks limits flowbot can hit.
      break;
  }
  return problems;
}

function textObject(value: unknown, min: number, max: number, at: string, onlyType?: "plain_text"): string[] {
  if (!isObject(value) || typeof value.text !== "string") {
    return [errorMessage("must provide a text object", at)];
  }
  const allowed = onlyType ? [onlyType] : ["plain_text", "mrkdwn"];
  if (typeof value.type !== "string" || !allowed.includes(value.type)) {
    return [errorMessage(`must be one of ${allowed.join(", ")}`, `${at}/type`)];
  }
  if (value.text.length < min) return [errorMessage(`must be more than ${min - 1} characters`, `${at}/text`)];
  return maxLength(value.text, max, `${at}/text`);
}

function arrayWithin(value: unknown, max: number, at: string): string[] {
  if (!Array.isArray(value)) return [errorMessage("must be an array", at)];
  if (value.length === 0) return [errorMessage("must provide an array of at least 1 items", at)];
  if (value.length > max) return [errorMessage(`must provide an array of no more than ${max} items`, at)];
  return [];
}

export function maxLength(text: string, max: number, at: string): string[] {
  return text.length > max ? [errorMessage(`must be less than ${max + 1} characters`, at)] : [];
}

/** Sum of visible text in blocks; Slack rejects very large totals with `msg_blocks_too_long` (bolt-js#2509). */
export function blocksTextLength(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + blocksTextLength(item), 0);
  if (!isObject(value)) return 0;
  let total = 0;
  for (const [key, child] of Object.entries(value)) {
    if (key === "text" && typeof child === "string") total += child.length;
    else if (typeof child === "object") total += blocksTextLength(child);
  }
  return total;
}
