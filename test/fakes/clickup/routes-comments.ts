import { Hono } from "hono";
import { cuError } from "./errors.ts";
import { type FakeEnv, intParam, type RouteDeps } from "./http.ts";
import { resolveTask } from "./routes-tasks.ts";
import { commentJson } from "./serialize.ts";
import type { CommentRec } from "./types.ts";

export const COMMENTS_PAGE_SIZE = 25;

const newestFirst = (a: CommentRec, b: CommentRec) => b.date - a.date || Number(b.id) - Number(a.id);

/**
 * Newest first, 25 per page; `start` + `start_id` (the oldest comment seen) fetch the next older page;
 * threaded replies under their parent (docs/clickup.md §16).
 */
export function commentRoutes({ state }: RouteDeps) {
  const app = new Hono<FakeEnv>();

  app.get("/v2/task/:taskId/comment", (c) => {
    const task = resolveTask(state, c, c.req.param("taskId"));
    if (task instanceof Response) return task;
    const start = intParam(c, "start");
    const startId = c.req.query("start_id");
    if ((start === null) !== (startId === undefined))
      return cuError(c, 400, "start and start_id must be given together", "INPUT_003");
    // Replies are not listed with the task's comments, only under their parent (docs/clickup.md §16.3).
    let comments = (state.comments.get(task.id) ?? []).filter((cm) => !cm.parentId).sort(newestFirst);
    if (start !== null && startId !== undefined) {
      // Strictly older than the cursor comment, so the cursor itself is not repeated.
      comments = comments.filter(
        (cm) => cm.date < start || (cm.date === start && Number(cm.id) < Number(startId)),
      );
    }
    return c.json({ comments: comments.slice(0, COMMENTS_PAGE_SIZE).map((cm) => commentJson(state, cm)) });
  });

  /** A comment's threaded replies, oldest first, the parent left out. */
  app.get("/v2/comment/:commentId/reply", (c) => {
    const id = c.req.param("commentId");
    const parent = [...state.comments.values()].flat().find((cm) => cm.id === id);
    if (!parent) return cuError(c, 404, "Comment not found", "ITEM_013");
    const task = resolveTask(state, c, parent.taskId);
    if (task instanceof Response) return task;
    const replies = (state.comments.get(task.id) ?? [])
      .filter((cm) => cm.parentId === id)
      .sort((a, b) => a.date - b.date || Number(a.id) - Number(b.id));
    return c.json({ comments: replies.map((cm) => commentJson(state, cm)) });
  });

  return app;
}
