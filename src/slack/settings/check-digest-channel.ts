import type { WebClient } from "@slack/web-api";
import type { Logger } from "../../log/create-logger.ts";
import { slackErrorCode } from "../views/block-kit.ts";

/**
 * Why flowbot could not post to a channel, as an inline modal error, or undefined when it can (or when
 * Slack could not be asked: the digest then reports the problem itself, as a sync error).
 */
export async function checkDigestChannel(
  client: WebClient,
  channelId: string,
  logger: Logger,
): Promise<string | undefined> {
  try {
    const { channel } = await client.conversations.info({ channel: channelId });
    const name = channel?.name ? `#${channel.name}` : "that channel";
    if (channel?.is_archived) return `${name} is archived. Pick another channel for the digest.`;
    // Public channels take posts without an invitation (the app asks for chat:write.public); private ones do not.
    if (channel?.is_private && channel.is_member === false) {
      return `flowbot is not in ${name}. Invite it there first (/invite @flowbot), or pick another channel.`;
    }
    return undefined;
  } catch (err) {
    const code = slackErrorCode(err);
    if (code === "channel_not_found") {
      return "flowbot cannot see that channel. Invite it there first (/invite @flowbot), or pick another channel.";
    }
    logger.warn({ code }, "could not check the digest channel; saving it unchecked");
    return undefined;
  }
}
