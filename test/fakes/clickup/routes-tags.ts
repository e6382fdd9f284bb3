import { Hono } from "hono";
import { teamNotAuthorized } from "./errors.ts";
import type { FakeEnv, RouteDeps } from "./http.ts";
import { tagJson } from "./serialize.ts";
import { isMember, teamOfSpace } from "./state.ts";

/** GET /space/{id}/tag: the tags defined in a space (docs/clickup.md §10.1). */
export function tagRoutes({ state }: RouteDeps) {
  const app = new Hono<FakeEnv>();

  app.get("/v2/space/:spaceId/tag", (c) => {
    const spaceId = c.req.param("spaceId");
    const teamId = teamOfSpace(state, spaceId);
    if (!teamId || !isMember(state, teamId, c.var.user.id)) return teamNotAuthorized(c);
    return c.json({ tags: (state.spaceTags.get(spaceId) ?? []).map(tagJson) });
  });

  return app;
}
