import type { Sql } from "postgres";
import type { Logger } from "../log/create-logger.ts";

/** The graphile-worker task that applies a task's stored deliveries (jobs/apply-task-deliveries.ts). */
export const APPLY_TASK = "apply-task-deliveries";
export const applyJobKey = (taskId: string) => `apply-task:${taskId}`;

/** A verified delivery, ready to store. `bodyJson` is the raw body (already parsed once, so valid JSON). */
export interface InboxDelivery {
  key: string;
  webhookId: string;
  event: string;
  taskId: string | null;
  bodyJson: string;
}

/** stored: new and durable; repeat: already stored (or its webhook vanished meanwhile) — nothing new. */
export type InboxOutcome = "stored" | "repeat";

export interface DeliveryInbox {
  /** Resolves once the delivery's transaction has committed; rejects if it could not be stored. */
  store(delivery: InboxDelivery): Promise<InboxOutcome>;
  /** Waits for what is queued to be written. */
  drain(): Promise<void>;
}

export interface DeliveryInboxOptions {
  sql: Sql;
  logger: Logger;
  /** Deliveries written per transaction at most. */
  maxBatch?: number;
  /** Transactions in flight at once. */
  maxConcurrentFlushes?: number;
  /**
   * How long a task's apply job waits for more deliveries of the same task before it runs; later
   * deliveries join the waiting job (graphile-worker job key, run_at preserved), so a burst of changes
   * to one task is applied by one job.
   */
  applyDelayMs?: number;
}

interface Waiting {
  delivery: InboxDelivery;
  resolve(outcome: InboxOutcome): void;
  reject(err: unknown): void;
}

/**
 * Group commit for webhook deliveries. Each delivery must be durable, with its apply job enqueued in the
 * same transaction, before it is acknowledged; one transaction (and one WAL flush) per delivery caps the
 * route at the disk's flush rate. So deliveries that arrive while a transaction is in flight wait and go
 * together in the next one: a lone delivery is written at once, a burst shares commits. Every caller
 * still learns the outcome of its own delivery only after the commit that holds it.
 */
export function createDeliveryInbox(options: DeliveryInboxOptions): DeliveryInbox {
  const { sql, logger } = options;
  const maxBatch = options.maxBatch ?? 500;
  const maxConcurrent = options.maxConcurrentFlushes ?? 2;
  const delay = `${options.applyDelayMs ?? 250} milliseconds`;
  let queue: Waiting[] = [];
  let inFlight = 0;
  let idle: (() => void)[] = [];

  const pump = () => {
    while (inFlight < maxConcurrent && queue.length > 0) {
      const batch = queue.length <= maxBatch ? queue : queue.slice(0, maxBatch);
      queue = queue.length <= maxBatch ? [] : queue.slice(maxBatch);
      inFlight += 1;
      void flush(batch).finally(() => {
        inFlight -= 1;
        pump();
        if (inFlight === 0 && queue.length === 0) {
          for (const done of idle) done();
          idle = [];
        }
      });
    }
  };

  async function flush(batch: Waiting[]): Promise<void> {
    try {
      const stored = await writeWithRetry(batch.map((w) => w.delivery));
      for (const w of batch) w.resolve(stored.has(w.delivery.key) ? "stored" : "repeat");
    } catch (err) {
      if (batch.length > 1 && isDataError(err)) {
        // One malformed delivery (e.g. a \u0000 Postgres refuses in jsonb) must not fail its neighbours.
        logger.warn({ err, deliveries: batch.length }, "a delivery batch was refused; storing one by one");
        for (const w of batch) {
          try {
            const stored = await write([w.delivery]);
            w.resolve(stored.has(w.delivery.key) ? "stored" : "repeat");
          } catch (e) {
            w.reject(e);
          }
        }
        return;
      }
      for (const w of batch) w.reject(err);
    }
  }

  async function writeWithRetry(deliveries: InboxDelivery[]): Promise<Set<string>> {
    try {
      return await write(deliveries);
    } catch (err) {
      // Two concurrent groups touching one task's job row in opposite order cannot happen (both sort),
      // but a serialization hiccup or deadlock is retried once rather than answered with a 503.
      const code = (err as { code?: string }).code;
      if (code === "40P01" || code === "40001") return write(deliveries);
      throw err;
    }
  }

  async function write(deliveries: InboxDelivery[]): Promise<Set<string>> {
    // Several copies of one delivery in a group: the first is stored, the others are repeats.
    const unique = new Map<string, InboxDelivery>();
    for (const d of deliveries) if (!unique.has(d.key)) unique.set(d.key, d);
    const rows = [...unique.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    // The raw bodies are spliced in unchanged: they parsed as JSON on the way in.
    const payload = `[${rows
      .map(
        (d) =>
          `{"key":${JSON.stringify(d.key)},"webhook_id":${JSON.stringify(d.webhookId)},"event":${JSON.stringify(d.event)},"task_id":${JSON.stringify(d.taskId)},"body":${d.bodyJson}}`,
      )
      .join(",")}]`;
    return sql.begin(async (tx) => {
      // The outcome is decided here, at commit time: dropped with the module off or when every binding
      // served by the webhook is paused; ignored when there is no task to apply it to.
      const inserted = await tx<{ idempotency_key: string; task_id: string | null; outcome: string }[]>`
        insert into webhook_deliveries (idempotency_key, webhook_id, event, task_id, body, outcome)
        select x.key, x.webhook_id, x.event, x.task_id, x.body,
          case
            when not c.module_enabled then 'dropped'
            when exists (select 1 from bindings b where b.webhook_id = w.id)
              and not exists (select 1 from bindings b where b.webhook_id = w.id and b.sync_status <> 'paused')
              then 'dropped'
            when x.task_id is null then 'ignored'
            else 'pending'
          end::delivery_outcome
        from jsonb_to_recordset(${payload}::jsonb)
          as x(key text, webhook_id text, event text, task_id text, body jsonb)
        join clickup_webhooks w on w.id = x.webhook_id
        join connections c on c.id = w.connection_id
        order by x.key
        on conflict (idempotency_key) do nothing
        returning idempotency_key, task_id, outcome`;
      const tasks = [
        ...new Set(inserted.filter((r) => r.outcome === "pending" && r.task_id).map((r) => r.task_id!)),
      ].sort();
      if (tasks.length > 0) {
        await tx`
          select graphile_worker.add_job(
            ${APPLY_TASK}, json_build_object('taskId', t),
            run_at := now() + ${delay}::interval,
            job_key := 'apply-task:' || t,
            job_key_mode := 'preserve_run_at')
          from unnest(${tasks}::text[]) with ordinality as u(t, n)
          order by n`;
      }
      return new Set(inserted.map((r) => r.idempotency_key));
    });
  }

  return {
    store(delivery) {
      return new Promise<InboxOutcome>((resolve, reject) => {
        queue.push({ delivery, resolve, reject });
        pump();
      });
    },
    drain() {
      if (inFlight === 0 && queue.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idle.push(resolve));
    },
  };
}

/** SQLSTATE class 22 (data exception): the data, not the database, is at fault. */
export function isDataError(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return typeof code === "string" && code.startsWith("22");
}
