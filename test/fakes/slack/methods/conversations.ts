import { errorMessage, fail, type MethodHandler, missingArgument, ok } from "../method-result.ts";
import { stringArg } from "../parse-body.ts";

export const conversationsInfo: MethodHandler = ({ state, args, now }) => {
  const id = stringArg(args, "channel");
  if (!id) return missingArgument("channel");
  const channel = state.channels.get(id);
  if (!channel) return fail("channel_not_found");
  return ok({
    channel: {
      id: channel.id,
      name: channel.name,
      is_channel: !channel.is_private,
      is_group: false,
      is_im: false,
      is_private: channel.is_private ?? false,
      is_archived: channel.is_archived ?? false,
      is_member: channel.is_member ?? true,
      created: Math.floor(now / 1000),
    },
  });
};

const CONVERSATION_TYPES = ["public_channel", "private_channel", "mpim", "im"] as const;

/**
 * users.conversations: the channels a user is a member of, one page at a time (cursor pagination, `limit`
 * default 100, at most 1000). Like Slack, `types` defaults to public channels only, and with a bot token a
 * private channel is listed only when the bot is in it too.
 */
export const usersConversations: MethodHandler = ({ state, args, auth, now }) => {
  const userId = stringArg(args, "user") ?? auth.userId;
  if (userId !== auth.userId && !state.users.has(userId)) return fail("user_not_found");
  const types = (stringArg(args, "types") ?? "public_channel").split(",").map((t) => t.trim());
  const unknown = types.find((t) => !(CONVERSATION_TYPES as readonly string[]).includes(t));
  if (unknown) return fail("invalid_types", [errorMessage(`unknown type ${unknown}`, "/types")]);
  const excludeArchived = ["true", "1"].includes(stringArg(args, "exclude_archived") ?? "");
  const limitArg = Number(stringArg(args, "limit") ?? 100);
  const limit = Number.isInteger(limitArg) && limitArg > 0 ? Math.min(limitArg, 1000) : 100;
  const cursor = stringArg(args, "cursor");
  let offset = 0;
  if (cursor) {
    const decoded = Number(
      Buffer.from(cursor, "base64")
        .toString("utf8")
        .replace(/^offset:/, ""),
    );
    if (!Number.isInteger(decoded) || decoded < 0) return fail("invalid_cursor");
    offset = decoded;
  }
  const botUserId = state.identity.botUserId;
  const matching = [...state.channels.values()].filter((channel) => {
    const isMember =
      userId === botUserId ? channel.is_member !== false : (channel.members ?? []).includes(userId);
    if (!isMember) return false;
    if (excludeArchived && channel.is_archived) return false;
    const type = channel.is_private ? "private_channel" : "public_channel";
    if (!types.includes(type)) return false;
    // A bot sees another user's private channels only where it is a member itself.
    return !channel.is_private || userId === auth.userId || channel.is_member !== false;
  });
  const page = matching.slice(offset, offset + limit);
  const next =
    offset + limit < matching.length ? Buffer.from(`offset:${offset + limit}`).toString("base64") : "";
  return ok({
    channels: page.map((channel) => ({
      id: channel.id,
      name: channel.name,
      is_channel: !channel.is_private,
      is_group: false,
      is_im: false,
      is_private: channel.is_private ?? false,
      is_archived: channel.is_archived ?? false,
      created: Math.floor(now / 1000),
    })),
    response_metadata: { next_cursor: next },
  });
};

/**
 * conversations.members: the user ids in a channel, one page at a time (cursor pagination, `limit`
 * default 100, at most 1000), the bot included where it has joined. Like Slack with a bot token, a
 * private channel the bot is not in answers `channel_not_found`.
 */
export const conversationsMembers: MethodHandler = ({ state, args }) => {
  const id = stringArg(args, "channel");
  if (!id) return missingArgument("channel");
  const channel = state.channels.get(id);
  if (!channel || (channel.is_private && channel.is_member === false)) return fail("channel_not_found");
  const limitArg = Number(stringArg(args, "limit") ?? 100);
  const limit = Number.isInteger(limitArg) && limitArg > 0 ? Math.min(limitArg, 1000) : 100;
  const cursor = stringArg(args, "cursor");
  let offset = 0;
  if (cursor) {
    const decoded = Number(
      Buffer.from(cursor, "base64")
        .toString("utf8")
        .replace(/^offset:/, ""),
    );
    if (!Number.isInteger(decoded) || decoded < 0) return fail("invalid_cursor");
    offset = decoded;
  }
  const botUserId = state.identity.botUserId;
  const members = [
    ...(channel.members ?? []),
    ...(channel.is_member !== false && !(channel.members ?? []).includes(botUserId) ? [botUserId] : []),
  ];
  const next =
    offset + limit < members.length ? Buffer.from(`offset:${offset + limit}`).toString("base64") : "";
  return ok({ members: members.slice(offset, offset + limit), response_metadata: { next_cursor: next } });
};
