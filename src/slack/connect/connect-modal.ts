import type { View } from "@slack/types";
import { modal } from "../views/block-kit.ts";
import { noticeModal } from "../views/notice-modal.ts";

export const CONNECT_CALLBACK = "flow_connect";
export const TOKEN_BLOCK = "token";
export const WORKSPACE_BLOCK = "workspace";

/** The /flow connect modal: the personal token, and the workspace id when the token sees several. */
export function connectModal(): View {
  return modal({
    callbackId: CONNECT_CALLBACK,
    title: "Connect ClickUp",
    submit: "Connect",
    blocks: [
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text: "flowbot reads your ClickUp workspace with a personal API token. It is checked with ClickUp, stored encrypted and never shown again.",
        },
      },
      {
        type: "input",
        block_id: TOKEN_BLOCK,
        label: { type: "plain_text", text: "Personal API token" },
        hint: { type: "plain_text", text: "ClickUp › Settings › Apps › API Token. It starts with pk_" },
        element: {
          type: "plain_text_input",
          action_id: "value",
          placeholder: { type: "plain_text", text: "pk_…" },
        },
      },
      {
        type: "input",
        block_id: WORKSPACE_BLOCK,
        optional: true,
        label: { type: "plain_text", text: "ClickUp workspace id" },
        hint: {
          type: "plain_text",
          text: "Only needed when the token can see more than one workspace: the number after app.clickup.com/ in your browser.",
        },
        element: { type: "plain_text_input", action_id: "value" },
      },
    ],
  });
}

export function connectedModal(text: string): View {
  return noticeModal("ClickUp connected", text, "Done");
}
