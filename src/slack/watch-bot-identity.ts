import type { WebClient } from "@slack/web-api";
import type { Logger } from "../log/create-logger.ts";

export type BotIdentity = { botId?: string; botUserId?: string; teamId?: string };

/**
 * Resolves who the bot is with auth.test, retrying with capped exponential backoff while Slack
 * is unreachable or the token is rejected. Never throws: start-up must not depend on Slack.
 */
export function watchBotIdentity(client: WebClient, logger: Logger, maxDelayMs = 5 * 60_000) {
  let identity: BotIdentity = {};
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const attempt = async (delay: number) => {
    try {
      const result = await client.auth.test();
      identity = { botId: result.bot_id, botUserId: result.user_id, teamId: result.team_id };
      logger.info({ team: result.team, botUserId: result.user_id }, "connected to Slack");
    } catch (err) {
      if (stopped) return;
      logger.warn(
        { err, retryInMs: delay },
        "auth.test failed: check SLACK_BOT_TOKEN and that Slack is reachable; retrying",
      );
      timer = setTimeout(() => attempt(Math.min(delay * 2, maxDelayMs)), delay);
      timer.unref();
    }
  };
  return {
    current: () => identity,
    start: () => void attempt(1000),
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
