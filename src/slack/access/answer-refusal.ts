import type { RespondFn } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import type { Logger } from "../../log/create-logger.ts";
import { noticeModal } from "../views/notice-modal.ts";
import type { AccessRequest } from "./read-request.ts";

export type RefusalTools = {
  /** Absent for events, which Bolt acknowledges itself. */
  ack?: (response?: never) => Promise<void>;
  respond?: RespondFn;
  client: WebClient;
  logger: Logger;
  /** view_submission or view_closed, for view payloads. */
  viewAction?: string;
};

/**
 * Answers a refused (or replayed) request the way its payload type allows, telling only the user who
 * sent it: a slash command and a message button get an ephemeral reply, a modal submission is replaced
 * by a notice, an options request gets no options, and anything without a channel (a button in a
 * modal or the App Home, a shortcut) a direct message. Never touches another user's modal.
 */
export async function answerRefusal(
  request: AccessRequest,
  text: string,
  { ack, respond, client, logger, viewAction }: RefusalTools,
): Promise<void> {
  const acknowledge = (response?: unknown) => (ack ? ack(response as never) : Promise.resolve());
  switch (request.kind) {
    case "command":
      await acknowledge({ response_type: "ephemeral", text });
      return;
    case "options":
      await acknowledge({ options: [] });
      return;
    case "view":
      await acknowledge(
        viewAction === "view_submission"
          ? { response_action: "update", view: noticeModal("flowbot", text) }
          : undefined,
      );
      return;
    case "event":
      return;
    case "action":
    case "shortcut":
      await acknowledge();
      try {
        if (request.responseUrl && respond) {
          await respond({ response_type: "ephemeral", replace_original: false, text });
        } else if (request.channelId && request.userId) {
          await client.chat.postEphemeral({ channel: request.channelId, user: request.userId, text });
        } else if (request.userId) {
          await client.chat.postMessage({ channel: request.userId, text });
        }
      } catch (err) {
        logger.warn({ err, entry: request.entry }, "could not tell the user why a Slack request was refused");
      }
      return;
  }
}
