import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { clickupWebhooks } from "../../db/schema.ts";
import type { Sealer } from "../crypto/sealer.ts";
import type { Database } from "../db/connect-database.ts";
import type { Logger } from "../log/create-logger.ts";
import { createDeliveryInbox, isDataError } from "./delivery-inbox.ts";
import type { IngestPressure } from "./ingest-pressure.ts";

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

export type ReceiverDeps = {
  database: Database;
  sealer: Sealer;
  logger: Logger;
  now?: () => number;
  /** Shared with this process's apply job, if it runs one. */
  pressure?: IngestPressure;
};

export interface ClickUpWebhookReceiver {
  handle(request: Request): Promise<Response>;
  /** Waits until every delivery accepted so far is written. */
  drain(): Promise<void>;
}

/** How long a webhook's opened secret is reused before it is read again. */
const SECRET_TTL_MS = 30_000;

/**
 * The ClickUp webhook endpoint: verify the raw bytes, parse, store durably with the apply job
 * enqueued (src/sync/delivery-inbox.ts), answer 2xx. Refusals are 400/403/413 — never 401 or 410,
 * which make ClickUp suspend the webhook — and a database failure is 503 so ClickUp retries.
 */
export function createClickUpWebhookReceiver(deps: ReceiverDeps): ClickUpWebhookReceiver {
  const { logger } = deps;
  const now = deps.now ?? Date.now;
  const inbox = createDeliveryInbox({ sql: deps.database.sql, logger, pressure: deps.pressure });
  // Opening a sealed secret per request would cost more than the rest of the request; the cache
  // holds plaintext only in memory, never logged.
  const secrets = new Map<string, { secret: string; until: number }>();

  async function secretFor(webhookId: string): Promise<string | undefined> {
    const cached = secrets.get(webhookId);
    if (cached && cached.until > now()) return cached.secret;
    const [webhook] = await deps.database.db
      .select({ secretSealed: clickupWebhooks.secretSealed })
      .from(clickupWebhooks)
      .where(eq(clickupWebhooks.id, webhookId));
    if (!webhook) {
      secrets.delete(webhookId);
      return undefined;
    }
    const secret = deps.sealer.open(webhook.secretSealed);
    if (secrets.size > 10_000) secrets.clear();
    secrets.set(webhookId, { secret, until: now() + SECRET_TTL_MS });
    return secret;
  }

  async function handle(request: Request): Promise<Response> {
    if (Number(request.headers.get("content-length") ?? 0) > MAX_WEBHOOK_BODY_BYTES)
      return refuse(413, "body too large");
    const raw = Buffer.from(await request.arrayBuffer());
    if (raw.length > MAX_WEBHOOK_BODY_BYTES) return refuse(413, "body too large");

    let json: unknown;
    const text = raw.toString("utf8");
    try {
      json = JSON.parse(text);
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
      const secret = await secretFor(delivery.webhook_id);
      if (secret === undefined) return refuse(400, "unknown webhook_id");
      if (!signatureMatches(raw, request.headers.get("x-signature"), secret)) {
        logger.warn({ webhookId: delivery.webhook_id }, "refused a ClickUp delivery with a bad X-Signature");
        return refuse(403, "bad signature");
      }
      const historyId = delivery.history_items?.[0]?.id;
      const key = historyId
        ? `${delivery.webhook_id}:${historyId}`
        : `${delivery.webhook_id}:${delivery.event}:${delivery.task_id ?? ""}:${createHash("sha256").update(raw).digest("hex")}`;
      await inbox.store({
        key,
        webhookId: delivery.webhook_id,
        event: delivery.event,
        taskId: delivery.task_id ?? null,
        bodyJson: text,
      });
      return new Response(null, { status: 200 });
    } catch (err) {
      if (isDataError(err)) {
        // Postgres refuses this payload itself (e.g. a \u0000 in a string): a retry cannot succeed.
        logger.warn(
          { err, webhookId: delivery.webhook_id },
          "refused a ClickUp delivery Postgres cannot store",
        );
        return refuse(400, "payload cannot be stored (invalid characters)");
      }
      logger.error({ err }, "could not store a ClickUp delivery; answering 503 so ClickUp retries");
      return refuse(503, "temporarily unavailable");
    }
  }

  return { handle, drain: () => inbox.drain() };
}

function signatureMatches(raw: Buffer, header: string | null, secret: string): boolean {
  if (!header || !/^[0-9a-f]{64}$/.test(header)) return false;
  const expected = createHmac("sha256", secret).update(raw).digest();
  return timingSafeEqual(expected, Buffer.from(header, "hex"));
}

function refuse(status: 400 | 403 | 413 | 503, error: string): Response {
  return Response.json({ error }, { status });
}
