import type { Sql } from "postgres";
import type { Logger } from "../log/create-logger.ts";
import { addJobSql, jobKeySql, sqlValue } from "../worker/add-job-sql.ts";
import { withoutCommentText } from "./comments/apply-comment-items.ts";
import { InboxError, isPayloadError } from "./inbox-error.ts";
import type { IngestPressure } from "./ingest-pressure.ts";

/** Pending deliveries younger than this are apply-deliveries' to apply; older ones the reconcile fan-out's. */
export const FRESH_PENDING_MS = 10 * 60_000;

/** A verified delivery, ready to store. `bodyJson` is the raw body (already parsed once, so valid JSON). */
export interface InboxDelivery {
  key: string;
  webhookId: string;
  event: string;
  taskId: string | null;
  bodyJson: string;
}

export interface DeliveryInbox {
  /**
   * Resolves once the transaction holding the delivery has committed (a repeat of a stored one changes
   * nothing); rejects if it could not be stored: an `InboxError` when the inbox gave up on it (full,
   * `signal` aborted before it was written, or its commit hung), else the database's error.
   * @param signal aborting it (the caller's deadline) drops the delivery if it is still waiting.
   */
  store(delivery: InboxDelivery, signal?: AbortSignal): Promise<void>;
  /** Waits for what is queued to be written. */
  drain(): Promise<void>;
}

export interface DeliveryInboxOptions {
  sql: Sql;
  logger: Logger;
  /** Told how many deliveries each transaction stored (the apply job steps aside during a burst). */
  pressure?: IngestPressure;
  /** Deliveries waiting for a commit at most (default 1,000); past it `store` rejects at once. */
  maxQueued?: number;
  /**
   * Characters of bodies waiting for a commit at most (default 16 Mi, about their size in memory); past
   * it `store` rejects at once.
   */
  maxQueuedChars?: number;
  /**
   * How long a commit may go unanswered, in ms (default 3,000: past the pool's statement timeout),
   * before its deliveries are given up as outcome unknown and the next group goes ahead on another
   * connection.
   */
  flushTimeoutMs?: number;
}

interface Waiting {
  delivery: InboxDelivery;
  /** Characters of its body. */
  chars: number;
  signal?: AbortSignal;
  onAbort?: () => void;
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * Group commit for webhook deliveries. Each delivery must be durable, with its apply job enqueued in the
 * same transaction, before it is acknowledged; one transaction (and one WAL flush) per delivery caps the
 * route at the disk's flush rate. So deliveries that arrive while a transaction is in flight wait and go
 * together in the next one, and so do those that arrive in the same turn of the event loop: a lone
 * delivery is written at once, a burst shares commits. Every caller
 * still learns the outcome of its own delivery only after the commit that holds it.
 *
 * The wait is bounded, in count and size: while the database stalls, deliveries would otherwise pile
 * up in memory for as long as it lasts. A body Postgres refuses (a data exception, or nesting too deep
 * for it) fails only itself: the group is split until the bad row stands alone, the rest is stored.
 */
export function createDeliveryInbox(options: DeliveryInboxOptions): DeliveryInbox {
  const { sql, logger } = options;
  const maxQueued = options.maxQueued ?? 1_000;
  const maxQueuedChars = options.maxQueuedChars ?? 16 * 1024 * 1024;
  const flushTimeoutMs = options.flushTimeoutMs ?? 3_000;
  // Deliveries written per transaction at most.
  const maxBatch = 500;
  // One group in flight: a second concurrent transaction only splits the groups and costs Postgres
  // more CPU per delivery.
  const maxConcurrent = 1;
  // How long a queued apply run waits before it starts, so a burst of changes to one task is applied
  // by one transaction instead of one each.
  const delay = "1000 milliseconds";
  // In arrival order; a delivery whose caller stopped waiting leaves at once.
  const queue = new Set<Waiting>();
  let queuedChars = 0;
  let inFlight = 0;
  let idle: (() => void)[] = [];

  const dequeue = (w: Waiting) => {
    if (queue.delete(w)) queuedChars -= w.chars;
  };
  // Once in a commit, a delivery's outcome is the commit's: its caller's signal no longer matters.
  const forgetSignal = (w: Waiting) => {
    if (w.onAbort) w.signal!.removeEventListener("abort", w.onAbort);
  };

  // A delivery that finds the commit slot free starts its group at the end of this turn of the event
  // loop rather than at once, so the others read in the same turn (a burst arrives on many sockets at
  // once) share its commit instead of queueing behind a commit of one. A lone delivery waits for that
  // turn only.
  let pumpDue = false;
  const schedulePump = () => {
    if (pumpDue || inFlight >= maxConcurrent) return;
    pumpDue = true;
    setImmediate(() => {
      pumpDue = false;
      pump();
      // Everything queued may have been dropped (its caller gave up) before the turn ended.
      settleIdle();
    });
  };

  const settleIdle = () => {
    if (inFlight === 0 && queue.size === 0) {
      for (const done of idle) done();
      idle = [];
    }
  };

  const pump = () => {
    while (inFlight < maxConcurrent && queue.size > 0) {
      const batch: Waiting[] = [];
      for (const w of queue) {
        if (batch.length === maxBatch) break;
        batch.push(w);
      }
      for (const w of batch) {
        dequeue(w);
        forgetSignal(w);
      }
      inFlight += 1;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        clearTimeout(watchdog);
        inFlight -= 1;
        pump();
        settleIdle();
      };
      // A server that stopped answering (frozen, or gone without closing the socket) would hold the one
      // commit slot for as long as TCP takes to notice; its deliveries are given up and the slot freed.
      const watchdog = setTimeout(() => {
        logger.warn(
          { deliveries: batch.length, ms: flushTimeoutMs },
          "a delivery commit did not answer in time",
        );
        const err = new InboxError("flush_timeout", `the commit did not answer within ${flushTimeoutMs} ms`);
        for (const w of batch) w.reject(err);
        release();
      }, flushTimeoutMs);
      void writeIsolating(batch).finally(release);
    }
  };

  /** Writes the group; when Postgres refuses a row of it, halves it until the bad row is alone. */
  async function writeIsolating(group: Waiting[]): Promise<void> {
    try {
      await writeWithRetry(group.map((w) => w.delivery));
      options.pressure?.record(group.length);
      for (const w of group) w.resolve();
    } catch (err) {
      if (group.length === 1 || !isPayloadError(err)) {
        for (const w of group) w.reject(err);
        return;
      }
      logger.warn({ err, deliveries: group.length }, "a delivery group was refused; splitting it");
      const half = Math.ceil(group.length / 2);
      for (const part of [group.slice(0, half), group.slice(half)]) {
        // Those whose callers stopped waiting meanwhile are left to ClickUp's retry.
        const live = part.filter((w) => !w.signal?.aborted);
        for (const w of part) if (w.signal?.aborted) w.reject(expired());
        if (live.length > 0) await writeIsolating(live);
      }
    }
  }

  async function writeWithRetry(deliveries: InboxDelivery[]): Promise<void> {
    try {
      return await write(deliveries);
    } catch (err) {
      // Concurrent groups insert in key order, so they cannot deadlock on each other's rows; should
      // Postgres still report a deadlock or serialization failure, the group is retried once.
      const code = (err as { code?: string }).code;
      if (code === "40P01" || code === "40001") return write(deliveries);
      throw err;
    }
  }

  async function write(deliveries: InboxDelivery[]): Promise<void> {
    // Several copies of one delivery in a group: the first is stored, the others are repeats.
    const unique = new Map<string, InboxDelivery>();
    for (const d of deliveries) if (!unique.has(d.key)) unique.set(d.key, d);
    const rows = [...unique.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    // The raw bodies are spliced in unchanged: they parsed as JSON on the way in. The text is bound as
    // text and cast in SQL: bound to a jsonb parameter, postgres.js would send it as a JSON string.
    const payload = `[${rows
      .map(
        (d) =>
          `{"key":${JSON.stringify(d.key)},"webhook_id":${JSON.stringify(d.webhookId)},"event":${JSON.stringify(d.event)},"task_id":${JSON.stringify(d.taskId)},"body":${d.bodyJson}}`,
      )
      .join(",")}]`;
    // One statement, so one round trip and one commit: insert what is new and make sure a run of
    // apply-deliveries for each workspace concerned will start after this commits. Queuing a job costs
    // more than the rest of this statement, so it is done only when the workspace has no run waiting
    // to start: a waiting run (not taken by a worker yet, never failed) is held with FOR SHARE until
    // this commits — graphile-worker takes jobs FOR UPDATE SKIP LOCKED, so it cannot start the run
    // before these rows are visible to it — and will apply them. Otherwise (none, or it is running)
    // one is queued, keyed per workspace: concurrent groups merge into one run, and a run that is
    // already going is followed by a new one. A workspace's runs share a graphile-worker queue, so
    // they run one at a time: a burst is applied at the pace of one worker slot per workspace and
    // never starves the webhook route of CPU, and one workspace's slow ClickUp calls do not hold up
    // another's. The outcome is decided at commit time: dropped with the module off or when every
    // binding the webhook serves is paused; ignored when there is no task to apply it to.
    // The run's job key, which also names the workspace's queue (`apply-deliveries:<connection id>`).
    const workspaceKey = jobKeySql(sql, "apply-deliveries", {
      connectionId: sqlValue<number>(sql`h.connection_id`),
    });
    const applyRun = addJobSql(
      sql,
      "apply-deliveries",
      { connectionId: sqlValue<number>(sql`w.connection_id`) },
      {
        queueName: sqlValue(sql`w.key`),
        runAt: sqlValue(sql`now() + ${delay}::interval`),
        jobKeyMode: "preserve_run_at",
      },
    );
    await sql`
      with input as (
        select * from jsonb_to_recordset(${payload}::text::jsonb)
          as x(key text, webhook_id text, event text, task_id text, body jsonb)
      ), hooks as (
        select w.id, w.connection_id,
          case
            when not c.module_enabled then 'dropped'
            when exists (select 1 from bindings b where b.webhook_id = w.id)
              and not exists (select 1 from bindings b where b.webhook_id = w.id and b.sync_status <> 'paused')
              then 'dropped'
            else 'pending'
          end as outcome
        from clickup_webhooks w join connections c on c.id = w.connection_id
        where w.id in (select distinct webhook_id from input)
      ), stored as (
        insert into webhook_deliveries (idempotency_key, webhook_id, event, task_id, body, outcome)
        select i.key, i.webhook_id, i.event, i.task_id,
          -- Settled here, it is never applied: a comment's text goes now (docs/clickup.md §16.6).
          (case when h.outcome = 'pending' and i.task_id is not null then i.body
            else ${withoutCommentText(sql, "i.body")} end),
          (case when h.outcome = 'pending' and i.task_id is null then 'ignored' else h.outcome end)::delivery_outcome
        from input i join hooks h on h.id = i.webhook_id
        order by i.key
        on conflict (idempotency_key) do nothing
        returning idempotency_key, webhook_id, task_id, outcome
      ), workspaces as (
        select distinct ${workspaceKey} as key, h.connection_id
        from stored s join hooks h on h.id = s.webhook_id
        where s.outcome = 'pending' and s.task_id is not null
      ), waiting as (
        select j.key from graphile_worker._private_jobs j
        where j.key in (select key from workspaces) and j.locked_at is null and j.attempts = 0
        for share
      ), job as (
        select ${applyRun} from workspaces w
        where w.key not in (select key from waiting)
      )
      select count(*) from job`;
  }

  return {
    store(delivery, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(expired());
        const chars = delivery.bodyJson.length;
        if (queue.size >= maxQueued || queuedChars + chars > maxQueuedChars) {
          return reject(
            new InboxError("inbox_full", `${queue.size} deliveries are already waiting for the database`),
          );
        }
        const w: Waiting = { delivery, chars, signal, resolve, reject };
        if (signal) {
          w.onAbort = () => {
            dequeue(w);
            forgetSignal(w);
            reject(expired());
          };
          signal.addEventListener("abort", w.onAbort, { once: true });
        }
        queue.add(w);
        queuedChars += chars;
        schedulePump();
      });
    },
    drain() {
      if (inFlight === 0 && queue.size === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idle.push(resolve));
    },
  };
}

function expired(): InboxError {
  return new InboxError("expired", "the delivery was still waiting for the database when its caller gave up");
}
