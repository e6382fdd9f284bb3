import { Hono } from "hono";
import { customFieldJson } from "./custom-fields.ts";
import { teamNotAuthorized } from "./errors.ts";
import type { FakeEnv, RouteDeps } from "./http.ts";
import { fieldsOfList, isMember, teamOfFolder, teamOfList, teamOfSpace } from "./state.ts";
import type { CustomFieldRec } from "./types.ts";

/**
 * GET /list/{id}/field: the fields a list reaches, its own and its folder's, space's and workspace's.
 * GET /folder/{id}/field and /space/{id}/field: only the fields created on that folder or space
 * (docs/clickup.md §13.1).
 */
export function customFieldRoutes({ state }: RouteDeps) {
  const app = new Hono<FakeEnv>();

  app.get("/v2/list/:listId/field", (c) => {
    const list = state.lists.get(c.req.param("listId"));
    const teamId = list && teamOfList(state, list.id);
    // Unknown and unreachable lists answer OAUTH_027 like the other hierarchy reads (docs/clickup.md §2.3).
    if (!list || !teamId || !isMember(state, teamId, c.var.user.id)) return teamNotAuthorized(c);
    return c.json({ fields: fieldsOfList(state, list).map(customFieldJson) });
  });

  const createdOn = (kind: "folder" | "space", id: string): CustomFieldRec[] =>
    [...state.customFields.values()].filter((f) => f.location.kind === kind && f.location.id === id);

  app.get("/v2/folder/:folderId/field", (c) => {
    const folderId = c.req.param("folderId");
    const teamId = teamOfFolder(state, folderId);
    if (!teamId || !isMember(state, teamId, c.var.user.id)) return teamNotAuthorized(c);
    return c.json({ fields: createdOn("folder", folderId).map(customFieldJson) });
  });

  app.get("/v2/space/:spaceId/field", (c) => {
    const spaceId = c.req.param("spaceId");
    const teamId = teamOfSpace(state, spaceId);
    if (!teamId || !isMember(state, teamId, c.var.user.id)) return teamNotAuthorized(c);
    return c.json({ fields: createdOn("space", spaceId).map(customFieldJson) });
  });

  return app;
}
