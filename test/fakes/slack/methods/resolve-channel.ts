import { fail, type MethodResult } from "../method-result.ts";
import type { SlackFakeState } from "../state.ts";

/**
 * Maps a `channel` argument to where the message lands. Like Slack, a user id posts into the DM with that user;
 * unknown ids, archived channels and channels the bot has not joined fail with Slack's error codes.
 */
export function resolveChannel(
  state: SlackFakeState,
  channel: string | undefined,
): { id: string } | MethodResult {
  if (!channel) return fail("channel_not_found");
  const seeded = state.channels.get(channel);
  if (seeded) {
    if (seeded.is_archived) return fail("is_archived");
    if (seeded.is_member === false) return fail("not_in_channel");
    return { id: seeded.id };
  }
  const dmUser = channel.startsWith("D") ? `U${channel.slice(1)}` : channel;
  if (state.users.has(dmUser)) return { id: dmChannelId(dmUser) };
  return fail("channel_not_found");
}

export function dmChannelId(userId: string): string {
  return `D${userId.slice(1)}`;
}

export function isFailure(value: { id: string } | MethodResult): value is MethodResult {
  return "ok" in value;
}
