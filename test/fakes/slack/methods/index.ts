import type { MethodHandler } from "../method-result.ts";
import { authTest } from "./auth.ts";
import { chatDelete, chatPostEphemeral, chatPostMessage, chatUpdate } from "./chat.ts";
import { conversationsInfo, conversationsMembers, usersConversations } from "./conversations.ts";
import { filesCompleteUploadExternal, filesGetUploadURLExternal } from "./files.ts";
import { usersInfo, usersLookupByEmail } from "./users.ts";
import { viewsOpen, viewsPublish, viewsPush, viewsUpdate } from "./views.ts";

/** Every Web API method the fake implements; anything else answers `unknown_method`. */
export const METHODS: Readonly<Record<string, MethodHandler>> = {
  "auth.test": authTest,
  "chat.postMessage": chatPostMessage,
  "chat.update": chatUpdate,
  "chat.postEphemeral": chatPostEphemeral,
  "chat.delete": chatDelete,
  "views.open": viewsOpen,
  "views.push": viewsPush,
  "views.update": viewsUpdate,
  "views.publish": viewsPublish,
  "users.info": usersInfo,
  "users.lookupByEmail": usersLookupByEmail,
  "conversations.info": conversationsInfo,
  "conversations.members": conversationsMembers,
  "users.conversations": usersConversations,
  "files.getUploadURLExternal": filesGetUploadURLExternal,
  "files.completeUploadExternal": filesCompleteUploadExternal,
};
