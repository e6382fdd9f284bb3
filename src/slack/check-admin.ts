import type { WebClient } from "@slack/web-api";
import type { Logger } from "../log/create-logger.ts";

/** How long a users.info answer is trusted; admin rights rarely change, but they do. */
const CACHE_MS = 5 * 60 * 1000;

/**
 * Admins are Slack workspace admins/owners (users.info) and the ids in FLOWBOT_ADMINS, of the workspace
 * asked about (`teamId`, the installation's): a user whose users.info `team_id` is another workspace — a
 * Slack Connect guest, an admin elsewhere — never is, nor are bots and deleted users. A users.info
 * failure denies (and is logged) rather than guessing.
 */
export function createAdminCheck(options: {
  client: WebClient;
  configuredAdmins: readonly string[];
  logger: Logger;
  now: () => number;
}): (teamId: string, userId: string) => Promise<boolean> {
  const cache = new Map<string, { admin: boolean; at: number }>();
  return async (teamId, userId) => {
    const key = `${teamId}:${userId}`;
    const hit = cache.get(key);
    if (hit && options.now() - hit.at < CACHE_MS) return hit.admin;
    let admin = false;
    try {
      const { user } = await options.client.users.info({ user: userId });
      const eligible = user !== undefined && !user.is_bot && !user.deleted && user.team_id === teamId;
      admin =
        eligible &&
        (options.configuredAdmins.includes(userId) ||
          Boolean(user.is_admin || user.is_owner || user.is_primary_owner));
    } catch (err) {
      options.logger.warn({ err, userId }, "users.info failed; treating the user as not an admin");
      return false;
    }
    cache.set(key, { admin, at: options.now() });
    return admin;
  };
}
