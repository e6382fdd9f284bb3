import { sign } from "./sign.ts";
import { type FakeState, isMember } from "./state.ts";
import type { WebhookRec } from "./types.ts";
import type { EventScope, PendingEvent } from "./webhook-payloads.ts";

export interface DeliveryInit {
  method: "POST";
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
}

/** Where deliveries go. Default: real fetch. Tests pass e.g. `(url, init) => ourApp.request(url, init)`. */
export type Deliver = (url: string, init: DeliveryInit) => Promise<{ status: number }> | { status: number };

export type Reorder = "none" | "reverse" | "shuffle";

export interface WebhookEmitterOptions {
  deliver?: Deliver;
  /** ClickUp counts a reply slower than 7 s as a failure. */
  timeoutMs?: number;
  /** Retries after the first failed attempt; then the event is dropped and fail_count grows. */
  retries?: number;
  retryDelayMs?: number;
  /** Send every delivery this many times (at-least-once delivery). */
  duplicate?: number;
  /** Order of the deliveries inside a batch (one seeding action, or one flush). */
  reorder?: Reorder;
  /** Randomness for `shuffle`; inject a seeded one for reproducible tests. */
  random?: () => number;
  /** Queue deliveries until `flush()` instead of sending them right away. */
  hold?: boolean;
  /** fail_count at which the webhook is suspended. */
  suspendAfterFailures?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface Delivery {
  webhookId: string;
  event: string;
  url: string;
  body: string;
  signature: string;
}

export type DeliveryOutcome = "delivered" | "dropped" | "suspended" | "skipped";

export interface DeliveryRecord extends Delivery {
  /** HTTP status per attempt, or null for a timeout / network error. */
  attempts: (number | null)[];
  outcome: DeliveryOutcome;
}

export interface WebhookEmitter {
  emit(events: PendingEvent[]): void;
  /** Send what is held (optionally reordered) and wait for it. */
  flush(options?: { reorder?: Reorder }): Promise<void>;
  hold(): void;
  /** Stop holding; already held deliveries stay queued until flush(). */
  release(): void;
  pending(): readonly Delivery[];
  /** Resolves once every delivery started so far has finished (with its retries). */
  settled(): Promise<void>;
  readonly log: DeliveryRecord[];
  configure(options: Partial<WebhookEmitterOptions>): void;
  suspend(webhookId: string): void;
}

const defaultDeliver: Deliver = (url, init) => fetch(url, init);
const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Most specific location wins (docs/clickup.md §5.1): task, then list, then folder, then space, then workspace. */
function scopeMatches(hook: WebhookRec, scope: EventScope): boolean {
  if (hook.teamId !== scope.teamId) return false;
  if (hook.taskId) return hook.taskId === scope.taskId;
  if (hook.listId) return hook.listId === scope.listId;
  if (hook.folderId) return hook.folderId === scope.folderId;
  if (hook.spaceId) return hook.spaceId === scope.spaceId;
  return true;
}

function wants(hook: WebhookRec, event: string): boolean {
  return hook.events.includes("*") || hook.events.includes(event);
}

export function createWebhookEmitter(state: FakeState, initial: WebhookEmitterOptions = {}): WebhookEmitter {
  const opts = {
    deliver: defaultDeliver,
    timeoutMs: 7_000,
    retries: 5,
    retryDelayMs: 0,
    duplicate: 1,
    reorder: "none" as Reorder,
    random: Math.random,
    hold: false,
    suspendAfterFailures: 100,
    sleep: realSleep,
    ...initial,
  };
  const held: Delivery[] = [];
  const log: DeliveryRecord[] = [];
  // One serial chain: deliveries go out in a deterministic order, and settled() is just this promise.
  let chain: Promise<void> = Promise.resolve();

  function order(batch: Delivery[], how: Reorder): Delivery[] {
    if (how === "reverse") return batch.reverse();
    if (how === "shuffle") {
      for (let i = batch.length - 1; i > 0; i--) {
        const j = Math.floor(opts.random() * (i + 1));
        [batch[i], batch[j]] = [batch[j]!, batch[i]!];
      }
    }
    return batch;
  }

  function compose(events: PendingEvent[]): Delivery[] {
    const out: Delivery[] = [];
    for (const ev of events) {
      for (const hook of state.webhooks.values()) {
        if (hook.health.status === "suspended" || !wants(hook, ev.event)) continue;
        // A webhook stops firing when its creator loses access to the workspace.
        if (!isMember(state, hook.teamId, hook.userId)) continue;
        if (!ev.scopes.some((s) => scopeMatches(hook, s))) continue;
        const payload = {
          event: ev.event,
          ...ev.fields,
          webhook_id: hook.id,
          ...(ev.historyItems ? { history_items: ev.historyItems } : {}),
        };
        // Compact JSON, signed and sent byte for byte (docs/clickup.md §5.5).
        const body = JSON.stringify(payload);
        const delivery = {
          webhookId: hook.id,
          event: ev.event,
          url: hook.endpoint,
          body,
          signature: sign(hook.secret, body),
        };
        for (let i = 0; i < opts.duplicate; i++) out.push(delivery);
      }
    }
    return out;
  }

  async function attempt(d: Delivery): Promise<number | null> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => {
        controller.abort();
        resolve(null);
      }, opts.timeoutMs);
    });
    const headers = { "content-type": "application/json", "x-signature": d.signature };
    const sent = Promise.resolve()
      .then(() => opts.deliver(d.url, { method: "POST", headers, body: d.body, signal: controller.signal }))
      .then((res) => res.status)
      .catch(() => null);
    try {
      return await Promise.race([sent, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async function send(d: Delivery): Promise<void> {
    const record: DeliveryRecord = { ...d, attempts: [], outcome: "skipped" };
    log.push(record);
    for (let i = 0; i <= opts.retries; i++) {
      const hook = state.webhooks.get(d.webhookId);
      if (!hook || hook.health.status === "suspended") return;
      const status = await attempt(d);
      record.attempts.push(status);
      if (status !== null && status >= 200 && status < 300) {
        hook.health = { status: "active", fail_count: 0 };
        record.outcome = "delivered";
        return;
      }
      if (status === 401 || status === 410) {
        hook.health.status = "suspended";
        record.outcome = "suspended";
        return;
      }
      hook.health.status = "failing";
      if (i < opts.retries && opts.retryDelayMs > 0) await opts.sleep(opts.retryDelayMs);
    }
    const hook = state.webhooks.get(d.webhookId);
    record.outcome = "dropped";
    if (!hook) return;
    hook.health.fail_count += 1;
    if (hook.health.fail_count >= opts.suspendAfterFailures) hook.health.status = "suspended";
  }

  function enqueue(batch: Delivery[]): Promise<void> {
    chain = chain.then(async () => {
      for (const d of batch) await send(d);
    });
    return chain;
  }

  return {
    emit(events) {
      const batch = compose(events);
      if (batch.length === 0) return;
      if (opts.hold) held.push(...batch);
      else void enqueue(order(batch, opts.reorder));
    },
    flush(options) {
      const batch = held.splice(0, held.length);
      return enqueue(order(batch, options?.reorder ?? opts.reorder));
    },
    hold() {
      opts.hold = true;
    },
    release() {
      opts.hold = false;
    },
    pending: () => held,
    async settled() {
      // Deliveries enqueued while we wait (e.g. by a test reacting to one) are awaited too.
      let seen: Promise<void>;
      do {
        seen = chain;
        await seen;
      } while (seen !== chain);
    },
    log,
    configure(next) {
      Object.assign(opts, next);
    },
    suspend(webhookId) {
      const hook = state.webhooks.get(webhookId);
      if (hook) hook.health.status = "suspended";
    },
  };
}
