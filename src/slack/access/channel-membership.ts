import type { WebClient } from "@slack/web-api";
import type { Logger } from "../../log/create-logger.ts";

/** How long a channel's member list is trusted; joins and leaves show up within this. */
const CACHE_MS = 60 * 1000;
/** conversations.members pages read at most (1000 members each). */
const MAX_PAGES = 20;

/**
 * Whether a user is a member of a channel, from Slack's conversations.members (cached per channel for a
 * minute, one Slack call at a time per channel). A channel Slack will not list — a private channel the
 * bot is not in, an unknown id — has no members as far as flowbot can tell: it denies, and logs why.
 */
export function createChannelMembership(options: {
  client: WebClient;
  logger: Logger;
  now: () => number;
}): (channelId: string, userId: string) => Promise<boolean> {
  const cache = new Map<string, { members: Set<string>; at: number }>();
  const inFlight = new Map<string, Promise<Set<string> | undefined>>();

  const load = async (channelId: string): Promise<Set<string> | undefined> => {
    const members = new Set<string>();
    let cursor: string | undefined;
    try {
      for (let page = 0; page < MAX_PAGES; page++) {
        const result = await options.client.conversations.members({
          channel: channelId,
          limit: 1000,
          ...(cursor ? { cursor } : {}),
        });
        for (const member of result.members ?? []) members.add(member);
        cursor = result.response_metadata?.next_cursor || undefined;
        if (!cursor) break;
      }
    } catch (err) {
      options.logger.warn(
        { err, channelId },
        "conversations.members failed; treating the user as not in the channel",
      );
      return undefined;
    }
    cache.set(channelId, { members, at: options.now() });
    return members;
  };

  return async (channelId, userId) => {
    const hit = cache.get(channelId);
    if (hit && options.now() - hit.at < CACHE_MS) return hit.members.has(userId);
    let pending = inFlight.get(channelId);
    if (!pending) {
      pending = load(channelId).finally(() => inFlight.delete(channelId));
      inFlight.set(channelId, pending);
    }
    return (await pending)?.has(userId) ?? false;
  };
}
