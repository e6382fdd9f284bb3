import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import { bindings, clickupWebhooks, connections, webhookDeliveries } from "../../db/schema.ts";
import type { Sealer } from "../crypto/sealer.ts";
import type { Database } from "../db/connect-database.ts";
import type { Logger } from "../log/create-logger.ts";

/** ClickUp payloads are a few kB; anything near this is not a ClickUp delivery. */
export const MAX_WEBHOOK_BODY_BYTES = 256 * 1024;

const deliverySchema = z.looseObject({
  event: z.string().min(1),
  webhook_id: z.string().min(1),
  task_id: z.string().min(1).optional(),
  history_items: z
    .array(z.looseObject({ id: z.union([z.string(), z.number()]).transform(String) }))
    .optional(),
});

type Deps = { database: Database; sealer: Sealer; logger: Logger };

/**
 * The ClickUp webhook endpoint: verify the raw bytes, parse, store durably, answer 2xx.
 * Refusals are 400/403/413 — never 401 or 410, which make ClickUp suspend the webhook — and a
 * database failure is 503 so ClickUp retries.
 */
export async function receiveClickUpWebhook(request: Request, deps: Deps): Promise<Response> {
  const { logger } = deps;
  if (Number(request.headers.get("content-length") ?? 0) > MAX_WEBHOOK_BODY_BYTES)
    return refuse(413, "body too large");
  const raw = Buffer.from(await request.arrayBuffer());
  if (raw.length > MAX_WEBHOOK_BODY_BYTES) return refuse(413, "body too large");

  let json: unknown;
  try {
    json = JSON.parse(raw.toString("utf8"));
  } catch {
    return refuse(400, "body is not JSON");
  }
  const parsed = deliverySchema.safeParse(json);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path.join(".") || "body";
    return refuse(400, `payload does not match a ClickUp webhook delivery (${field})`);
  }
  const delivery = parsed.data;

  try {
    const [webhook] = await deps.database.db
      .select({
        secretSealed: clickupWebhooks.secretSealed,
        moduleEnabled: connections.moduleEnabled,
        // Every binding served by this webhook is paused: acknowledge, count, never apply.
        paused: sql<boolean>`exists (select 1 from ${bindings} where ${bindings.webhookId} = ${clickupWebhooks.id})
          and not exists (select 1 from ${bindings} where ${bindings.webhookId} = ${clickupWebhooks.id} and ${bindings.syncStatus} <> 'paused')`,
      })
      .from(clickupWebhooks)
      .innerJoin(connections, eq(connections.id, clickupWebhooks.connectionId))
      .where(eq(clickupWebhooks.id, delivery.webhook_id));
    if (!webhook) return refuse(400, "unknown webhook_id");
    if (!signatureMatches(raw, request.headers.get("x-signature"), deps.sealer.open(webhook.secretSealed))) {
      logger.warn({ webhookId: delivery.webhook_id }, "refused a ClickUp delivery with a bad X-Signature");
      return refuse(403, "bad signature");
    }
    const historyId = delivery.history_items?.[0]?.id;
    const key = historyId
      ? `${delivery.webhook_id}:${historyId}`
      : `${delivery.webhook_id}:${delivery.event}:${delivery.task_id ?? ""}:${createHash("sha256").update(raw).digest("hex")}`;
    await deps.database.db
      .insert(webhookDeliveries)
      .values({
        idempotencyKey: key,
        webhookId: delivery.webhook_id,
        event: delivery.event,
        taskId: delivery.task_id ?? null,
        body: delivery,
        // With the module off (or the binding paused) the delivery is acknowledged and counted, but never applied.
        outcome: webhook.moduleEnabled && !webhook.paused ? "pending" : "dropped",
      })
      .onConflictDoNothing();
    return new Response(null, { status: 200 });
  } catch (err) {
    logger.error({ err }, "could not store a ClickUp delivery; answering 503 so ClickUp retries");
    return refuse(503, "temporarily unavailable");
  }
}

function signatureMatches(raw: Buffer, header: string | null, secret: string): boolean {
  if (!header || !/^[0-9a-f]{64}$/.test(header)) return false;
  const expected = createHmac("sha256", secret).update(raw).digest();
  return timingSafeEqual(expected, Buffer.from(header, "hex"));
}

function refuse(status: 400 | 403 | 413 | 503, error: string): Response {
  return Response.json({ error }, { status });
}
