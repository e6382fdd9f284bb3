import { type Context, Hono } from "hono";
import { cuError } from "./errors.ts";
import type { FakeEnv, RouteDeps } from "./http.ts";
import { resolveTask } from "./routes-tasks.ts";
import { isMember } from "./state.ts";
import { timeInStatusJson } from "./time-in-status.ts";

export const BULK_TIME_IN_STATUS_MAX = 100;

// The real error for a disabled ClickApp is unconfirmed (docs/clickup.md §6.1); clients must treat any
// non-200 as "unavailable", so the fake picks a plausible 400 with an {err, ECODE} body.
const clickAppDisabled = (c: Context) =>
  cuError(c, 400, "Time in Status ClickApp is not enabled for this Workspace", "TIS_001");

export function timeInStatusRoutes({ state, now }: RouteDeps) {
  const app = new Hono<FakeEnv>();
  const enabled = (teamId: string) => state.workspaces.get(teamId)?.timeInStatusEnabled ?? false;

  // Registered before /task/:taskId/… so the literal segment wins.
  app.get("/v2/task/bulk_time_in_status/task_ids", (c) => {
    const ids = c.req.queries("task_ids") ?? [];
    if (ids.length === 0) return cuError(c, 400, "task_ids is required", "INPUT_001");
    if (ids.length > BULK_TIME_IN_STATUS_MAX)
      return cuError(c, 400, `A maximum of ${BULK_TIME_IN_STATUS_MAX} task ids is allowed`, "INPUT_002");
    const body: Record<string, unknown> = {};
    for (const id of ids) {
      const task = state.tasks.get(id);
      // Unknown or unreachable tasks are left out of the result (the tolerant reading, docs/clickup.md §6.2).
      if (!task || !isMember(state, task.teamId, c.var.user.id)) continue;
      if (!enabled(task.teamId)) return clickAppDisabled(c);
      body[task.id] = timeInStatusJson(task, now());
    }
    return c.json(body);
  });

  app.get("/v2/task/:taskId/time_in_status", (c) => {
    const task = resolveTask(state, c, c.req.param("taskId"));
    if (task instanceof Response) return task;
    if (!enabled(task.teamId)) return clickAppDisabled(c);
    return c.json(timeInStatusJson(task, now()));
  });

  return app;
}
