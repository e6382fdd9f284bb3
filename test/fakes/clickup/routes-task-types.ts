import { Hono } from "hono";
import { teamNotAuthorized } from "./errors.ts";
import type { FakeEnv, RouteDeps } from "./http.ts";
import { customItemJson } from "./serialize.ts";
import { isMember } from "./state.ts";

/** GET /team/{id}/custom_item: the workspace's custom task types (docs/clickup.md §12). */
export function taskTypeRoutes({ state }: RouteDeps) {
  const app = new Hono<FakeEnv>();

  app.get("/v2/team/:teamId/custom_item", (c) => {
    const teamId = c.req.param("teamId");
    if (!state.workspaces.has(teamId) || !isMember(state, teamId, c.var.user.id)) return teamNotAuthorized(c);
    const items = [...state.customItems.values()].filter((i) => i.teamId === teamId);
    return c.json({ custom_items: items.map(customItemJson) });
  });

  return app;
}
