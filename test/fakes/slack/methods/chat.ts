import { checkMessageContent, messageContent } from "../message-content.ts";
import { fail, type MethodHandler, type MethodRequest, missingArgument, ok } from "../method-result.ts";
import { stringArg } from "../parse-body.ts";
import { messagesIn, nextTs } from "../state.ts";
import type { StoredMessage } from "../types.ts";
import { isFailure, resolveChannel } from "./resolve-channel.ts";

/** The message object Slack echoes back from chat.postMessage / chat.update. */
function messageObject({ state }: MethodRequest, message: StoredMessage) {
  const { identity } = state;
  return {
    type: "message",
    user: identity.botUserId,
    bot_id: identity.botId,
    app_id: identity.appId,
    team: identity.teamId,
    ts: message.ts,
    ...(message.text !== undefined ? { text: message.text } : { text: "" }),
    ...(message.blocks ? { blocks: message.blocks } : {}),
    ...(message.attachments ? { attachments: message.attachments } : {}),
    ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
  };
}

export const chatPostMessage: MethodHandler = (request) => {
  const { state, args, now, limits } = request;
  const target = resolveChannel(state, stringArg(args, "channel"));
  if (isFailure(target)) return target;
  const invalid = checkMessageContent(args, limits, state);
  if (invalid) return invalid;
  const threadTs = stringArg(args, "thread_ts");
  const message: StoredMessage = {
    channel: target.id,
    ts: nextTs(state, now),
    ...messageContent(args),
    ...(threadTs ? { thread_ts: threadTs } : {}),
  };
  messagesIn(state, target.id).push(message);
  return ok({ channel: target.id, ts: message.ts, message: messageObject(request, message) });
};

export const chatUpdate: MethodHandler = (request) => {
  const { state, args, limits } = request;
  const ts = stringArg(args, "ts");
  if (!ts) return missingArgument("ts");
  const target = resolveChannel(state, stringArg(args, "channel"));
  if (isFailure(target)) return target;
  const existing = messagesIn(state, target.id).find((message) => message.ts === ts);
  if (!existing) return fail("message_not_found");
  const invalid = checkMessageContent(args, limits, state);
  if (invalid) return invalid;
  // chat.update replaces content wholesale: fields not sent are dropped, as in Slack.
  delete existing.text;
  delete existing.blocks;
  delete existing.attachments;
  Object.assign(existing, messageContent(args), { edited: true });
  return ok({ channel: target.id, ts, text: existing.text ?? "", message: messageObject(request, existing) });
};

export const chatPostEphemeral: MethodHandler = ({ state, args, now, limits }) => {
  const user = stringArg(args, "user");
  if (!user) return missingArgument("user");
  if (!state.users.has(user)) return fail("user_not_found");
  const target = resolveChannel(state, stringArg(args, "channel"));
  if (isFailure(target)) return target;
  const invalid = checkMessageContent(args, limits, state);
  if (invalid) return invalid;
  const messageTs = nextTs(state, now);
  state.ephemerals.push({ channel: target.id, user, message_ts: messageTs, ...messageContent(args) });
  return ok({ message_ts: messageTs });
};

export const chatDelete: MethodHandler = ({ state, args }) => {
  const ts = stringArg(args, "ts");
  if (!ts) return missingArgument("ts");
  const target = resolveChannel(state, stringArg(args, "channel"));
  if (isFailure(target)) return target;
  const list = messagesIn(state, target.id);
  const index = list.findIndex((message) => message.ts === ts);
  if (index < 0) return fail("message_not_found");
  list.splice(index, 1);
  return ok({ channel: target.id, ts });
};
