import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { Sealer } from "../crypto/sealer.ts";
import type { Database } from "../db/connect-database.ts";
import type { Logger } from "../log/create-logger.ts";
import { createDeliveryInbox } from "./delivery-inbox.ts";
import { deliveryKey } from "./delivery-key.ts";
import { exceedsJsonDepth } from "./exceeds-json-depth.ts";
import { isPayloadError } from "./inbox-error.ts";
import type { IngestPressure } from "./ingest-pressure.ts";

/** ClickUp payloads are a few kB; anything near this is not a ClickUp delivery. */
export const MAX_WEBHOOK_BODY_BYTES = 256 * 1024;
/** ClickUp payloads nest a handful of levels; deeper is not a ClickUp delivery (and Postgres may refuse it). */
const MAX_WEBHOOK_JSON_DEPTH = 64;
/**
 * Every delivery is answered within this many ms of arriving — stored and 200, or 503 — well inside the
 * 7 s after which ClickUp counts it as failed (and, after repeated failures, suspends the webhook).
 */
const WEBHOOK_DEADLINE_MS = 5_000;

const deliverySchema = z.looseObject({
  event: z.string().min(1),
  webhook_id: z.string().min(1),
  task_id: z.string().min(1).optional(),
  history_items: z
    .array(z.looseObject({ id: z.union([z.string(), z.number()]).transform(String) }))
    .optional(),
});

export type ReceiverDeps = {
  /** The webhook route reads and writes through `database.ingest`, its own pool with short timeouts. */
  database: Pick<Database, "ingest">;
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
 * which make ClickUp suspend the webhook — and a database that fails, or does not answer within the
 * deadline, is 503 so ClickUp retries. A 200 always means stored: when the deadline passes while the
 * delivery's commit is under way its outcome is unknown, so it is a 503 too, and the retry is
 * deduplicated by the idempotency key.
 */
export function createClickUpWebhookReceiver(deps: ReceiverDeps): ClickUpWebhookReceiver {
  const { logger } = deps;
  const sql = deps.database.ingest;
  const now = deps.now ?? Date.now;
  const inbox = createDeliveryInbox({ sql, logger, pressure: deps.pressure });
  // Opening a sealed secret per request would cost more than the rest of the request; the cache
  // holds plaintext only in memory, never logged.
  const secrets = new Map<string, { secret: string; until: number }>();

  async function secretFor(webhookId: string): Promise<string | undefined> {
    const cached = secrets.get(webhookId);
    if (cached && cached.until > now()) return cached.secret;
    const [webhook] = await sql<{ sealed: string }[]>`
      select secret_sealed as sealed from clickup_webhooks where id = ${webhookId}`;
    if (!webhook) {
      secrets.delete(webhookId);
      return undefined;
    }
    const secret = deps.sealer.open(webhook.sealed);
    if (secrets.size > 10_000) secrets.clear();
    secrets.set(webhookId, { secret, until: now() + SECRET_TTL_MS });
    return secret;
  }

  async function receive(request: Request, deadline: AbortSignal): Promise<Response> {
    if (Number(request.headers.get("content-length") ?? 0) > MAX_WEBHOOK_BODY_BYTES)
      return refuse(413, "body too large");
    const raw = Buffer.from(await request.arrayBuffer());
    if (raw.length > MAX_WEBHOOK_BODY_BYTES) return refuse(413, "body too large");

    const text = raw.toString("utf8");
    if (exceedsJsonDepth(text, MAX_WEBHOOK_JSON_DEPTH))
      return refuse(400, `body nests deeper than ${MAX_WEBHOOK_JSON_DEPTH} levels`);
    let json: unknown;
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
      const taskId = delivery.task_id ?? null;
      const key = deliveryKey(
        {
          webhookId: delivery.webhook_id,
          event: delivery.event,
          taskId,
          historyItemIds: (delivery.history_items ?? []).map((h) => h.id),
        },
        raw,
      );
      await inbox.store(
        { key, webhookId: delivery.webhook_id, event: delivery.event, taskId, bodyJson: text },
        deadline,
      );
      return new Response(null, { status: 200 });
    } catch (err) {
      if (isPayloadError(err)) {
        // Postgres refuses this payload itself (e.g. a \u0000 in a string): a retry cannot succeed.
        logger.warn(
          { err, webhookId: delivery.webhook_id },
          "refused a ClickUp delivery Postgres cannot store",
        );
        return refuse(400, "payload cannot be stored (invalid characters or structure)");
      }
      // Past the deadline its own answer has gone out already.
      if (!deadline.aborted) {
        logger.error({ err }, "could not store a ClickUp delivery; answering 503 so ClickUp retries");
      }
      return refuse(503, "temporarily unavailable");
    }
  }

  async function handle(request: Request): Promise<Response> {
    const deadline = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<Response>((resolve) => {
      timer = setTimeout(() => {
        deadline.abort();
        logger.error(
          { deadlineMs: WEBHOOK_DEADLINE_MS },
          "a ClickUp delivery was not stored in time; answering 503 so ClickUp retries",
        );
        resolve(refuse(503, "temporarily unavailable"));
      }, WEBHOOK_DEADLINE_MS);
    });
    try {
      return await Promise.race([receive(request, deadline.signal), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  return { handle, drain: () => inbox.drain() };
}

/** X-Signature is the hex HMAC-SHA256 of the raw body under the webhook's secret, in either case. */
function signatureMatches(raw: Buffer, header: string | null, secret: string): boolean {
  if (!header || !/^[0-9a-f]{64}$/i.test(header)) return false;
  const expected = createHmac("sha256", secret).update(raw).digest();
  return timingSafeEqual(expected, Buffer.from(header, "hex"));
}

function refuse(status: 400 | 403 | 413 | 503, error: string): Response {
  return Response.json({ error }, { status });
}
