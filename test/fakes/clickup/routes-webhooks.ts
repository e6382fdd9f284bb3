import { type Context, Hono } from "hono";
import { z } from "zod";
import { cuError, teamNotAuthorized } from "./errors.ts";
import type { FakeEnv, RouteDeps } from "./http.ts";
import { webhookJson } from "./serialize.ts";
import { isMember, randomUpperAlnum, teamOfFolder, teamOfList, teamOfSpace } from "./state.ts";
import type { WebhookRec } from "./types.ts";

export const WEBHOOK_EVENTS = [
  "taskCreated",
  "taskUpdated",
  "taskDeleted",
  "taskPriorityUpdated",
  "taskStatusUpdated",
  "taskAssigneeUpdated",
  "taskDueDateUpdated",
  "taskTagUpdated",
  "taskMoved",
  "taskCommentPosted",
  "taskCommentUpdated",
  "taskTimeEstimateUpdated",
  "taskTimeTrackedUpdated",
  "listCreated",
  "listUpdated",
  "listDeleted",
  "folderCreated",
  "folderUpdated",
  "folderDeleted",
  "spaceCreated",
  "spaceUpdated",
  "spaceDeleted",
  "goalCreated",
  "goalUpdated",
  "goalDeleted",
  "keyResultCreated",
  "keyResultUpdated",
  "keyResultDeleted",
];

// "*" may come bare or in an array; location ids may come as numbers (the spec types them so) or strings.
const events = z
  .union([z.literal("*"), z.array(z.string()).min(1)])
  .transform((e) => (e === "*" ? ["*"] : e));
const locationId = z
  .union([z.number(), z.string()])
  .nullish()
  .transform((v) => (v === null || v === undefined ? null : String(v)));

const createBody = z.object({
  endpoint: z.string().min(1),
  events,
  space_id: locationId,
  folder_id: locationId,
  list_id: locationId,
  task_id: locationId,
});

const updateBody = z.object({
  endpoint: z.string().min(1).optional(),
  events: events.optional(),
  status: z.string().optional(),
});

async function readJson(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    return undefined;
  }
}

const badEvents = (list: string[]) => list.filter((e) => e !== "*" && !WEBHOOK_EVENTS.includes(e));

export function webhookRoutes({ state }: RouteDeps) {
  const app = new Hono<FakeEnv>();
  const invalid = (c: Context, message: string) => cuError(c, 400, message, "INPUT_005");

  app.post("/v2/team/:teamId/webhook", async (c) => {
    const teamId = c.req.param("teamId");
    const user = c.var.user;
    if (!state.workspaces.has(teamId) || !isMember(state, teamId, user.id)) return teamNotAuthorized(c);
    const parsed = createBody.safeParse(await readJson(c));
    if (!parsed.success) return invalid(c, "Invalid webhook body");
    const body = parsed.data;
    if (badEvents(body.events).length > 0) return invalid(c, `Unknown event ${badEvents(body.events)[0]}`);
    // Every location given must exist inside this workspace.
    const owners = [
      body.space_id && teamOfSpace(state, body.space_id),
      body.folder_id && teamOfFolder(state, body.folder_id),
      body.list_id && teamOfList(state, body.list_id),
      body.task_id && state.tasks.get(body.task_id)?.teamId,
    ];
    const given = [body.space_id, body.folder_id, body.list_id, body.task_id];
    if (given.some((id, i) => id !== null && owners[i] !== teamId)) return teamNotAuthorized(c);
    const duplicate = [...state.webhooks.values()].some(
      (h) =>
        h.teamId === teamId &&
        h.endpoint === body.endpoint &&
        h.spaceId === body.space_id &&
        h.folderId === body.folder_id &&
        h.listId === body.list_id &&
        h.taskId === body.task_id,
    );
    if (duplicate) return cuError(c, 400, "Webhook configuration already exists", "OAUTH_171");
    const hook: WebhookRec = {
      id: crypto.randomUUID(),
      teamId,
      userId: user.id,
      clientId: state.clientIds.get(c.var.token) ?? randomUpperAlnum(32),
      endpoint: body.endpoint,
      events: body.events,
      spaceId: body.space_id,
      folderId: body.folder_id,
      listId: body.list_id,
      taskId: body.task_id,
      secret: randomUpperAlnum(64),
      health: { status: "active", fail_count: 0 },
    };
    state.webhooks.set(hook.id, hook);
    return c.json({ id: hook.id, webhook: webhookJson(hook) });
  });

  app.get("/v2/team/:teamId/webhook", (c) => {
    const teamId = c.req.param("teamId");
    const user = c.var.user;
    if (!state.workspaces.has(teamId) || !isMember(state, teamId, user.id)) return teamNotAuthorized(c);
    // Only the caller's own webhooks (docs/clickup.md §5.1).
    const hooks = [...state.webhooks.values()].filter((h) => h.teamId === teamId && h.userId === user.id);
    return c.json({ webhooks: hooks.map(webhookJson) });
  });

  // Someone else's or an unknown webhook id is treated like any unreachable id: 401 OAUTH_027.
  const ownHook = (c: Context<FakeEnv>) => {
    const hook = state.webhooks.get(c.req.param("webhookId") ?? "");
    return hook && hook.userId === c.var.user.id ? hook : undefined;
  };

  app.put("/v2/webhook/:webhookId", async (c) => {
    const hook = ownHook(c);
    if (!hook) return teamNotAuthorized(c);
    const parsed = updateBody.safeParse(await readJson(c));
    if (!parsed.success) return invalid(c, "Invalid webhook body");
    const body = parsed.data;
    if (body.events && badEvents(body.events).length > 0)
      return invalid(c, `Unknown event ${badEvents(body.events)[0]}`);
    if (body.status !== undefined && body.status !== "active") return invalid(c, "status must be active");
    if (body.endpoint) hook.endpoint = body.endpoint;
    if (body.events) hook.events = body.events;
    // Re-activating clears the failure history, as after a successful delivery.
    if (body.status === "active") hook.health = { status: "active", fail_count: 0 };
    return c.json({ id: hook.id, webhook: webhookJson(hook) });
  });

  app.delete("/v2/webhook/:webhookId", (c) => {
    const hook = ownHook(c);
    if (!hook) return teamNotAuthorized(c);
    state.webhooks.delete(hook.id);
    return c.json({});
  });

  return app;
}
