import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Every v2 error body is `{err, ECODE}` (docs/clickup.md §1.4). */
export function cuError(c: Context, status: ContentfulStatusCode, err: string, ecode: string) {
  return c.json({ err, ECODE: ecode }, status);
}

export const teamNotAuthorized = (c: Context) => cuError(c, 401, "Team not authorized", "OAUTH_027");

// Not-found tasks answer 404 ITEM_013 (one of the reported behaviours, docs/clickup.md §2.4); tasks that exist
// but sit in a workspace the caller cannot reach answer 401 OAUTH_027 like every other id.
export const taskNotFound = (c: Context) => cuError(c, 404, "Task not found, deleted", "ITEM_013");
