import type { WebClient } from "@slack/web-api";
import type { Logger } from "../../log/create-logger.ts";
import { slackErrorCode } from "../views/block-kit.ts";

/** How long an email → Slack user answer (or "no such user") is trusted, in ms. */
const TTL_MS = 6 * 60 * 60 * 1000;

export type SlackUserDirectory = {
  /** Lower-cased email → Slack user id, for the emails that belong to a Slack user. */
  lookup(emails: Iterable<string>): Promise<Map<string, string>>;
};

/**
 * Finds Slack users by email with users.lookupByEmail, cached per process (misses too, so an
 * assignee without a Slack account costs one call per TTL). A failed lookup is logged (without the
 * address) and falls back to the ClickUp name.
 */
export function createSlackUserDirectory(
  client: WebClient,
  logger: Logger,
  now: () => number,
): SlackUserDirectory {
  const cache = new Map<string, { userId: string | null; at: number }>();
  return {
    async lookup(emails) {
      const found = new Map<string, string>();
      for (const raw of new Set([...emails].map((e) => e.trim().toLowerCase()))) {
        if (!raw) continue;
        let hit = cache.get(raw);
        if (!hit || now() - hit.at > TTL_MS) {
          try {
            const res = await client.users.lookupByEmail({ email: raw });
            const user = res.user;
            hit = { userId: user?.id && !user.deleted && !user.is_bot ? user.id : null, at: now() };
            cache.set(raw, hit);
          } catch (err) {
            const code = slackErrorCode(err);
            if (code === "users_not_found") {
              hit = { userId: null, at: now() };
              cache.set(raw, hit);
            } else {
              logger.warn({ code }, "users.lookupByEmail failed; mentioning the assignee by name");
              continue;
            }
          }
        }
        if (hit.userId) found.set(raw, hit.userId);
      }
      return found;
    },
  };
}
