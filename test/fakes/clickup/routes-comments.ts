import { Hono } from "hono";
import { cuError } from "./errors.ts";
import { type FakeEnv, intParam, type RouteDeps } from "./http.ts";
import { resolveTask } from "./routes-tasks.ts";
import { commentJson } from "./serialize.ts";
import type { CommentRec } from "./types.ts";

export const COMMENTS_PAGE_SIZE = 25;

const newestFirst = (a: CommentRec, b: CommentRec) => b.date - a.date || Number(b.id) - Number(a.id);

/** Newest first, 25 per page; `start` + `start_id` (the oldest comment seen) fetch the next older page. */
export function commentRoutes({ state }: RouteDeps) {
  const app = new Hono<FakeEnv>();

  app.get("/v2/task/:taskId/comment", (c) => {
    const task = resolveTask(state, c, c.req.param("taskId"));
    if (task instanceof Response) return task;
    const start = intParam(c, "start");
    const startId = c.req.query("start_id");
    if ((start === null) !== (startId === undefined))
      return cuError(c, 400, "start and start_id must be given together", "INPUT_003");
    let comments = [...(state.comments.get(task.id) ?? [])].sort(newestFirst);
    if (start !== null && startId !== undefined) {
      // Strictly older than the cursor comment, so the cursor itself is not repeated.
      comments = comments.filter(
        (cm) => cm.date < start || (cm.date === start && Number(cm.id) < Number(startId)),
      );
    }
    return c.json({ comments: comments.slice(0, COMMENTS_PAGE_SIZE).map((cm) => commentJson(state, cm)) });
  });

  return app;
}
