import { eq } from "drizzle-orm";
import { bindings, clickupWebhooks } from "../../../db/schema.ts";
import type { ClickUpClient } from "../../clickup/create-clickup-client.ts";
import type { ClickUpWebhook } from "../../clickup/schemas.ts";
import type { Sealer } from "../../crypto/sealer.ts";
import type { Db } from "../../db/connect-database.ts";
import { type ContainerType, webhookScope } from "./container-query.ts";

/**
 * The events flowbot's webhooks subscribe to. Tag, priority, assignee and comment changes also come as
 * taskUpdated with the same history item (docs/clickup.md §5.4, §15), so the two copies are stored once
 * (src/sync/delivery-key.ts); their own events are asked for too, so that such a change arrives even if a
 * payload leaves it out of taskUpdated. A comment is activity (docs/flow-metrics.md §8.3) and gets a
 * sentiment score (§14); none of its text is kept (docs/clickup.md §16.6).
 */
const WEBHOOK_EVENTS = [
  "taskCreated",
  "taskUpdated",
  "taskDeleted",
  "taskStatusUpdated",
  "taskMoved",
  "taskAssigneeUpdated",
  "taskTagUpdated",
  "taskPriorityUpdated",
  "taskCommentPosted",
  "taskCommentUpdated",
];

/** Whether a webhook ClickUp lists is subscribed to every event flowbot needs ("*" is all of them). */
export const hasEvents = (events: readonly string[]) =>
  events.includes("*") || WEBHOOK_EVENTS.every((e) => events.includes(e));

export interface EnsureWebhookInput {
  db: Db;
  clickup: ClickUpClient;
  sealer: Sealer;
  signal?: AbortSignal;
  now: () => number;
  publicUrl: string;
  bindingId: number;
  currentWebhookId: string | null;
  connectionId: number;
  teamId: string;
  containerType: ContainerType;
  containerId: string;
  /** The team's webhooks when the caller already listed them (saves a request). */
  listed?: ClickUpWebhook[];
}

export const webhookEndpoint = (publicUrl: string) => `${publicUrl.replace(/\/+$/, "")}/clickup/webhook`;

/** PUT body that turns a failing or suspended webhook back on; the spec marks endpoint and events required. */
export const reactivation = (publicUrl: string) => ({
  endpoint: webhookEndpoint(publicUrl),
  events: WEBHOOK_EVENTS,
  status: "active" as const,
});

/**
 * Makes sure one ClickUp webhook watches the container and the binding points at it: reuses one ClickUp
 * still lists for this endpoint and container (the binding's own first), reactivating it if its health
 * is not active and bringing its events up to WEBHOOK_EVENTS if it lacks some (one registered before
 * flowbot needed them); otherwise creates one. Returns the webhook id.
 */
export async function ensureWebhook(input: EnsureWebhookInput): Promise<string> {
  const { db, clickup, sealer, signal } = input;
  const endpoint = webhookEndpoint(input.publicUrl);
  const scope = webhookScope(input.containerType, input.containerId);
  const sameScope = (h: ClickUpWebhook) =>
    h.endpoint === endpoint &&
    (h.space_id ?? null) === (scope.space_id ?? null) &&
    (h.folder_id ?? null) === (scope.folder_id ?? null) &&
    (h.list_id ?? null) === (scope.list_id ?? null) &&
    (h.task_id ?? null) === null;

  const listed = (input.listed ?? (await clickup.listWebhooks(input.teamId, { signal }))).filter(sameScope);
  const existing = listed.find((h) => h.id === input.currentWebhookId) ?? listed[0];
  let hook: ClickUpWebhook | undefined;
  let secretSealed: string | undefined;
  if (existing) {
    const [row] = await db.select().from(clickupWebhooks).where(eq(clickupWebhooks.id, existing.id));
    secretSealed = row?.secretSealed ?? (existing.secret ? sealer.seal(existing.secret) : undefined);
    if (secretSealed) {
      hook = existing;
      if ((existing.health && existing.health.status !== "active") || !hasEvents(existing.events)) {
        hook = (await clickup.updateWebhook(existing.id, reactivation(input.publicUrl), { signal })).webhook;
      }
    } else {
      // Without its signing secret we could not verify its deliveries; replace it.
      await clickup.deleteWebhook(existing.id, { signal });
    }
  }
  if (!hook || !secretSealed) {
    const created = await clickup.createWebhook(
      input.teamId,
      { endpoint, events: WEBHOOK_EVENTS, ...scope },
      { signal },
    );
    hook = created.webhook;
    if (!hook.secret) throw new Error(`ClickUp created webhook ${created.id} without a secret`);
    secretSealed = sealer.seal(hook.secret);
  }

  const row = {
    id: hook.id,
    connectionId: input.connectionId,
    containerType: input.containerType,
    containerId: input.containerId,
    endpoint,
    events: hook.events,
    secretSealed,
    healthStatus: hook.health?.status ?? "active",
    failCount: hook.health?.fail_count ?? 0,
    lastCheckedAt: new Date(input.now()),
  };
  await db.transaction(async (tx) => {
    await tx
      .insert(clickupWebhooks)
      .values(row)
      .onConflictDoUpdate({
        target: clickupWebhooks.id,
        set: {
          events: row.events,
          secretSealed: row.secretSealed,
          healthStatus: row.healthStatus,
          failCount: row.failCount,
          lastCheckedAt: row.lastCheckedAt,
        },
      });
    await tx.update(bindings).set({ webhookId: hook.id }).where(eq(bindings.id, input.bindingId));
  });
  return hook.id;
}
