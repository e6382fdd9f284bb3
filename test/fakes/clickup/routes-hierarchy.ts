import { Hono } from "hono";
import { teamNotAuthorized } from "./errors.ts";
import { boolParam, type FakeEnv, type RouteDeps } from "./http.ts";
import { folderJson, listJson, spaceJson, teamJson, userJson } from "./serialize.ts";
import { isMember, teamOfFolder, teamOfList, teamOfSpace } from "./state.ts";

/** User, workspaces and the space → folder → list hierarchy. `archived=true` returns only archived items. */
export function hierarchyRoutes({ state }: RouteDeps) {
  const app = new Hono<FakeEnv>();
  // Unknown ids and ids in another workspace both answer OAUTH_027, as ClickUp does (docs/clickup.md §2.3).
  const reachable = (teamId: string | undefined, userId: number) =>
    teamId !== undefined && isMember(state, teamId, userId);

  app.get("/v2/user", (c) => c.json({ user: userJson(c.var.user) }));

  app.get("/v2/team", (c) => {
    const teams = [...state.workspaces.values()].filter((ws) => isMember(state, ws.id, c.var.user.id));
    return c.json({ teams: teams.map((ws) => teamJson(state, ws)) });
  });

  app.get("/v2/team/:teamId/space", (c) => {
    const teamId = c.req.param("teamId");
    if (!reachable(state.workspaces.get(teamId)?.id, c.var.user.id)) return teamNotAuthorized(c);
    const archived = boolParam(c, "archived");
    const spaces = [...state.spaces.values()].filter((s) => s.teamId === teamId && s.archived === archived);
    return c.json({ spaces: spaces.map(spaceJson) });
  });

  app.get("/v2/space/:spaceId", (c) => {
    const space = state.spaces.get(c.req.param("spaceId"));
    if (!space || !reachable(space.teamId, c.var.user.id)) return teamNotAuthorized(c);
    return c.json(spaceJson(space));
  });

  app.get("/v2/space/:spaceId/folder", (c) => {
    const spaceId = c.req.param("spaceId");
    if (!reachable(teamOfSpace(state, spaceId), c.var.user.id)) return teamNotAuthorized(c);
    const archived = boolParam(c, "archived");
    const folders = [...state.folders.values()].filter(
      (f) => f.spaceId === spaceId && f.archived === archived,
    );
    return c.json({ folders: folders.map((f) => folderJson(state, f)) });
  });

  app.get("/v2/space/:spaceId/list", (c) => {
    const spaceId = c.req.param("spaceId");
    if (!reachable(teamOfSpace(state, spaceId), c.var.user.id)) return teamNotAuthorized(c);
    const archived = boolParam(c, "archived");
    const lists = [...state.lists.values()].filter(
      (l) => l.spaceId === spaceId && l.folderId === null && l.archived === archived,
    );
    return c.json({ lists: lists.map((l) => listJson(state, l)) });
  });

  app.get("/v2/folder/:folderId", (c) => {
    const folder = state.folders.get(c.req.param("folderId"));
    if (!folder || !reachable(teamOfFolder(state, folder.id), c.var.user.id)) return teamNotAuthorized(c);
    return c.json(folderJson(state, folder));
  });

  app.get("/v2/folder/:folderId/list", (c) => {
    const folderId = c.req.param("folderId");
    if (!reachable(teamOfFolder(state, folderId), c.var.user.id)) return teamNotAuthorized(c);
    const archived = boolParam(c, "archived");
    const lists = [...state.lists.values()].filter((l) => l.folderId === folderId && l.archived === archived);
    return c.json({ lists: lists.map((l) => listJson(state, l)) });
  });

  app.get("/v2/list/:listId", (c) => {
    const list = state.lists.get(c.req.param("listId"));
    if (!list || !reachable(teamOfList(state, list.id), c.var.user.id)) return teamNotAuthorized(c);
    return c.json(listJson(state, list, true));
  });

  return app;
}
