import type { View } from "@slack/types";

/** A modal that only says something: a result, a refusal, or a problem to fix. */
export function noticeModal(title: string, text: string, close = "Close"): View {
  return {
    type: "modal",
    title: { type: "plain_text", text: title },
    close: { type: "plain_text", text: close },
    blocks: [{ type: "section", text: { type: "mrkdwn", text } }],
  };
}
