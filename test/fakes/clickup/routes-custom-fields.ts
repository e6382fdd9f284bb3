import { Hono } from "hono";
import { customFieldJson } from "./custom-fields.ts";
import { teamNotAuthorized } from "./errors.ts";
import type { FakeEnv, RouteDeps } from "./http.ts";
import { fieldsOfList, isMember, teamOfList } from "./state.ts";

/** GET /list/{id}/field: the fields a list reaches, its own and its folder's, space's and workspace's. */
export function customFieldRoutes({ state }: RouteDeps) {
  const app = new Hono<FakeEnv>();

  app.get("/v2/list/:listId/field", (c) => {
    const list = state.lists.get(c.req.param("listId"));
    const teamId = list && teamOfList(state, list.id);
    // Unknown and unreachable lists answer OAUTH_027 like the other hierarchy reads (docs/clickup.md §2.3).
    if (!list || !teamId || !isMember(state, teamId, c.var.user.id)) return teamNotAuthorized(c);
    return c.json({ fields: fieldsOfList(state, list).map(customFieldJson) });
  });

  return app;
}
