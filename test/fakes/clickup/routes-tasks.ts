import { type Context, Hono } from "hono";
import { taskNotFound, teamNotAuthorized } from "./errors.ts";
import { arrayParam, boolParam, type FakeEnv, type RouteDeps } from "./http.ts";
import { taskJson } from "./serialize.ts";
import { type FakeState, isMember } from "./state.ts";
import { matchesFilter, parseTaskFilter, queryKey, SortCache, sortAndPage } from "./task-query.ts";
import type { TaskRec } from "./types.ts";

/**
 * Resolves `:taskId` for the task endpoints, honouring `custom_task_ids=true&team_id=`.
 * Missing → 404 ITEM_013; existing but in a workspace the caller cannot reach → 401 OAUTH_027.
 */
export function resolveTask(state: FakeState, c: Context<FakeEnv>, taskId: string): TaskRec | Response {
  let task: TaskRec | undefined;
  if (boolParam(c, "custom_task_ids")) {
    const teamId = c.req.query("team_id");
    if (!teamId || !isMember(state, teamId, c.var.user.id)) return teamNotAuthorized(c);
    for (const t of state.tasks.values()) if (t.teamId === teamId && t.customId === taskId) task = t;
  } else {
    task = state.tasks.get(taskId);
  }
  if (!task) return taskNotFound(c);
  if (!isMember(state, task.teamId, c.var.user.id)) return teamNotAuthorized(c);
  return task;
}

export function taskRoutes({ state, options }: RouteDeps) {
  const app = new Hono<FakeEnv>();
  const sorts = new SortCache();
  // The options can change between requests without a seeding action, so they are part of the key.
  const cacheFor = (c: Context<FakeEnv>) => ({
    sorts,
    key: `${queryKey(c.req.url)} done-closed:${options.doneCountsAsClosed}`,
    version: state.version,
  });

  app.get("/v2/list/:listId/task", (c) => {
    const list = state.lists.get(c.req.param("listId"));
    if (!list) return teamNotAuthorized(c);
    const teamId = state.spaces.get(list.spaceId)?.teamId;
    if (!teamId || !isMember(state, teamId, c.var.user.id)) return teamNotAuthorized(c);
    const filter = parseTaskFilter(c);
    const timl = boolParam(c, "include_timl");
    const matches = () => {
      const hits: TaskRec[] = [];
      for (const t of state.tasks.values()) {
        // Home list only, unless include_timl adds tasks that were added here from elsewhere.
        const here = t.listId === list.id || (timl && t.locations.includes(list.id));
        if (here && matchesFilter(t, filter, options.doneCountsAsClosed)) hits.push(t);
      }
      return hits;
    };
    const { page, lastPage } = sortAndPage(matches, filter, cacheFor(c));
    return c.json({ tasks: page.map((t) => taskJson(state, t, "list")), last_page: lastPage });
  });

  app.get("/v2/team/:teamId/task", (c) => {
    const teamId = c.req.param("teamId");
    if (!state.workspaces.has(teamId) || !isMember(state, teamId, c.var.user.id)) return teamNotAuthorized(c);
    const filter = parseTaskFilter(c);
    const spaces = arrayParam(c, "space_ids");
    const folders = arrayParam(c, "project_ids"); // "project" = folder in REST (docs/clickup.md §1.2)
    const lists = arrayParam(c, "list_ids");
    const timl = boolParam(c, "include_timl");
    const matches = () => {
      const hits: TaskRec[] = [];
      for (const t of state.tasks.values()) {
        if (t.teamId !== teamId) continue;
        const list = state.lists.get(t.listId);
        if (!list) continue;
        // Different location kinds narrow each other; several ids of one kind widen.
        if (spaces && !spaces.includes(list.spaceId)) continue;
        if (folders && !(list.folderId && folders.includes(list.folderId))) continue;
        if (lists && !lists.includes(t.listId) && !(timl && t.locations.some((l) => lists.includes(l))))
          continue;
        if (matchesFilter(t, filter, options.doneCountsAsClosed)) hits.push(t);
      }
      return hits;
    };
    const { page, lastPage } = sortAndPage(matches, filter, cacheFor(c));
    const tasks = page.map((t) => taskJson(state, t, "full"));
    // The spec documents only {tasks}; whether last_page is sent is unconfirmed, so it can be switched off.
    return c.json(options.omitTeamTasksLastPage ? { tasks } : { tasks, last_page: lastPage });
  });

  app.get("/v2/task/:taskId", (c) => {
    const task = resolveTask(state, c, c.req.param("taskId"));
    if (task instanceof Response) return task;
    const body: Record<string, unknown> = { ...taskJson(state, task, "full"), attachments: [] };
    if (boolParam(c, "include_subtasks")) {
      const subtasks = [...state.tasks.values()].filter((t) => t.parent === task.id);
      body.subtasks = subtasks.map((t) => taskJson(state, t, "full"));
    }
    return c.json(body);
  });

  return app;
}
