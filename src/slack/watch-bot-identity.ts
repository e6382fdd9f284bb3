import type { WebClient } from "@slack/web-api";
import type { Logger } from "../log/create-logger.ts";

type BotIdentity = { botId?: string; botUserId?: string; teamId?: string };

/** Longest a request waits for auth.test when the bot's workspace is not known yet. */
const TEAM_WAIT_MS = 2000;

/**
 * Resolves who the bot is with auth.test, retrying with capped exponential backoff while Slack
 * is unreachable or the token is rejected. Never throws: start-up must not depend on Slack.
 */
export function watchBotIdentity(client: WebClient, logger: Logger, maxDelayMs = 5 * 60_000) {
  let identity: BotIdentity = {};
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let pending: Promise<boolean> | undefined;
  let nextDelay = 1000;

  /** One auth.test at a time; true when it answered. */
  const ask = (): Promise<boolean> => {
    pending ??= client.auth
      .test()
      .then((result) => {
        identity = { botId: result.bot_id, botUserId: result.user_id, teamId: result.team_id };
        logger.info({ team: result.team, botUserId: result.user_id }, "connected to Slack");
        return true;
      })
      .catch((err: unknown) => {
        if (!stopped) {
          logger.warn(
            { err, retryInMs: nextDelay },
            "auth.test failed: check SLACK_BOT_TOKEN and that Slack is reachable; retrying",
          );
        }
        return false;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };

  const attempt = async () => {
    if (stopped || (await ask()) || stopped) return;
    clearTimeout(timer);
    timer = setTimeout(attempt, nextDelay);
    timer.unref();
    nextDelay = Math.min(nextDelay * 2, maxDelayMs);
  };

  return {
    current: () => identity,
    /**
     * The workspace the bot is installed in. While it is not known, asks Slack now (a request from
     * Slack just arrived, so Slack is likely reachable) and waits up to 2 s for the answer.
     */
    async teamId(): Promise<string | undefined> {
      if (identity.teamId || stopped) return identity.teamId;
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, TEAM_WAIT_MS).unref());
      await Promise.race([ask(), timeout]);
      return identity.teamId;
    },
    start: () => void attempt(),
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
