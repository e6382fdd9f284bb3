import type { Button, ContextBlock, PlainTextElement, SectionBlock, View } from "@slack/types";

/** Slack's limit on a section's text; longer text is refused with invalid_blocks. */
const SECTION_TEXT_LIMIT = 3000;

/** Cuts text to `max` characters, marking the cut with an ellipsis. */
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function plainText(text: string): PlainTextElement {
  return { type: "plain_text", text };
}

/** A mrkdwn section, clipped to Slack's limit. */
export function section(text: string): SectionBlock {
  return { type: "section", text: { type: "mrkdwn", text: clip(text, SECTION_TEXT_LIMIT) } };
}

/** A context line of one or more mrkdwn texts. */
export function context(...texts: string[]): ContextBlock {
  return { type: "context", elements: texts.map((text) => ({ type: "mrkdwn" as const, text })) };
}

/** A button: an action (`actionId`, `value`) or a link (`url`), which Slack also reports as an action. */
export function button(options: {
  actionId: string;
  text: string;
  value?: string;
  url?: string;
  style?: "primary" | "danger";
}): Button {
  return {
    type: "button",
    action_id: options.actionId,
    text: plainText(options.text),
    ...(options.value !== undefined ? { value: options.value } : {}),
    ...(options.url ? { url: options.url } : {}),
    ...(options.style ? { style: options.style } : {}),
  };
}

/** A modal: title, buttons, metadata and blocks, in Slack's view shape. */
export function modal(options: {
  title: string;
  blocks: View["blocks"];
  callbackId?: string;
  submit?: string;
  close?: string;
  privateMetadata?: string;
}): View {
  return {
    type: "modal",
    ...(options.callbackId ? { callback_id: options.callbackId } : {}),
    ...(options.privateMetadata !== undefined ? { private_metadata: options.privateMetadata } : {}),
    title: plainText(options.title),
    ...(options.submit ? { submit: plainText(options.submit) } : {}),
    close: plainText(options.close ?? "Cancel"),
    blocks: options.blocks,
  };
}

/** Slack's platform error code of a Web API error (e.g. `not_in_channel`), or undefined for any other error. */
export function slackErrorCode(err: unknown): string | undefined {
  const code = (err as { data?: { error?: unknown } } | null | undefined)?.data?.error;
  return typeof code === "string" ? code : undefined;
}

/** Slack's error code, or else a short message: for logs and for naming a failure to an admin. */
export function describeSlackError(err: unknown): string {
  const message = (err as { message?: unknown } | null | undefined)?.message;
  return slackErrorCode(err) ?? (typeof message === "string" ? message.slice(0, 120) : "unknown error");
}
