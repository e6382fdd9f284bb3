import postgres from "postgres";
import { beforeAll, describe, expect, it } from "vitest";
import { clickupWebhooks, connections } from "../../db/schema.ts";
import { createDeliveryInbox, type InboxDelivery } from "../../src/sync/delivery-inbox.ts";
import { isPayloadError } from "../../src/sync/inbox-error.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { useTestDatabase } from "../helpers/test-database.ts";

// The group commit in front of webhook_deliveries, against real Postgres, with the table locked from
// another session so deliveries pile up behind a commit the way they do while the database stalls.
const WEBHOOK_ID = "6d1e2f3a-0000-4000-8000-00000000b0c5";
const database = useTestDatabase();
const { logger } = captureLogs();

beforeAll(async () => {
  const [connection] = await database.db
    .insert(connections)
    .values({
      slackTeamId: "T1",
      clickupTeamId: "9001",
      clickupTeamName: "Acme",
      tokenSealed: "sealed",
      tokenLast4: "XXXX",
      tokenOwnerId: 1,
      tokenOwnerName: "Jane",
      connectedBy: "U1",
    })
    .returning();
  await database.db.insert(clickupWebhooks).values({
    id: WEBHOOK_ID,
    connectionId: connection!.id,
    containerType: "list",
    containerId: "900",
    endpoint: "https://flowbot.example.com/clickup/webhook",
    events: ["taskStatusUpdated"],
    secretSealed: "sealed",
  });
});

const delivery = (taskId: string, body?: string): InboxDelivery => ({
  key: `${WEBHOOK_ID}:${taskId}`,
  webhookId: WEBHOOK_ID,
  event: "taskStatusUpdated",
  taskId,
  bodyJson:
    body ??
    JSON.stringify({
      event: "taskStatusUpdated",
      task_id: taskId,
      webhook_id: WEBHOOK_ID,
      history_items: [{ id: taskId, field: "status", date: "1767225600000" }],
    }),
});

async function stored(prefix: string): Promise<string[]> {
  const rows = await database.sql<{ task_id: string }[]>`
    select task_id from webhook_deliveries where task_id like ${`${prefix}-%`} order by task_id`;
  return rows.map((r) => r.task_id);
}

/** Holds an exclusive lock on webhook_deliveries from another session until `release()`. */
async function lockDeliveries() {
  const admin = postgres(database.url, { max: 1, onnotice: () => {} });
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const held = admin.begin(async (tx) => {
    await tx`lock table webhook_deliveries in access exclusive mode`;
    locked();
    await released;
  });
  await isLocked;
  return {
    async release() {
      release();
      await held;
      await admin.end();
    },
  };
}

/** Until a statement waits on the lock: the inbox's commit is in flight. */
async function commitWaiting() {
  for (let i = 0; i < 200; i++) {
    const [row] = await database.sql<{ n: number }[]>`
      select count(*)::int as n from pg_locks where not granted and relation = 'webhook_deliveries'::regclass`;
    if (row!.n > 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("no commit is waiting on the lock");
}

const outcome = (p: Promise<void>) =>
  p.then(
    () => "stored",
    (err: { code?: string }) => err.code ?? "error",
  );
/** The outcome if it comes within `ms`, else "still waiting". */
const within = (ms: number, p: Promise<string>) =>
  Promise.race([p, new Promise<string>((r) => setTimeout(() => r("still waiting"), ms))]);

describe("the delivery inbox", () => {
  it("deliveries that arrive in the same turn of the event loop share one commit", async () => {
    const inbox = createDeliveryInbox({ sql: database.sql, logger });
    const outcomes = Array.from({ length: 20 }, (_, i) => outcome(inbox.store(delivery(`turn-${i}`))));
    expect(await Promise.all(outcomes)).toEqual(outcomes.map(() => "stored"));
    // Rows written by one transaction share its xmin.
    const [row] = await database.sql<{ n: number; rows: number }[]>`
      select count(distinct xmin::text)::int as n, count(*)::int as rows
      from webhook_deliveries where task_id like 'turn-%'`;
    expect(row).toEqual({ n: 1, rows: 20 });
  });

  it("waiting for the inbox to drain ends when everything queued was dropped before its commit started", async () => {
    const inbox = createDeliveryInbox({ sql: database.sql, logger });
    const caller = new AbortController();
    const dropped = outcome(inbox.store(delivery("dropped-0"), caller.signal));
    const drained = inbox.drain().then(() => "drained");
    caller.abort();
    expect(await dropped).toBe("expired");
    expect(await within(1_000, drained)).toBe("drained");
    expect(await stored("dropped")).toEqual([]);
  });

  it("a body Postgres refuses (nesting too deep for its parser) fails only itself; its group is stored", async () => {
    const inbox = createDeliveryInbox({ sql: database.sql, logger });
    const lock = await lockDeliveries();
    const first = outcome(inbox.store(delivery("poison-first")));
    await commitWaiting();
    // These wait for the commit in flight and then share one.
    const deep = `{"event":"taskUpdated","deep":${"[".repeat(20_000)}${"]".repeat(20_000)}}`;
    const poison = inbox.store(delivery("poison-bad", deep));
    const neighbours = Array.from({ length: 20 }, (_, i) => outcome(inbox.store(delivery(`poison-ok${i}`))));
    await lock.release();
    const refused = await poison.then(
      () => undefined,
      (err: unknown) => err,
    );

    expect(isPayloadError(refused)).toBe(true);
    expect(await first).toBe("stored");
    expect(await Promise.all(neighbours)).toEqual(neighbours.map(() => "stored"));
    expect(await stored("poison")).toHaveLength(21);
    expect(await stored("poison")).not.toContain("poison-bad");
  });

  it("past its bound (deliveries or characters waiting) refuses at once, storing what it took", async () => {
    const inbox = createDeliveryInbox({ sql: database.sql, logger, maxQueued: 3 });
    const lock = await lockDeliveries();
    const first = outcome(inbox.store(delivery("bound-0")));
    await commitWaiting();
    const waiting = [1, 2, 3].map((i) => outcome(inbox.store(delivery(`bound-${i}`))));
    const over = await within(100, outcome(inbox.store(delivery("bound-4"))));
    const bySize = createDeliveryInbox({ sql: database.sql, logger, maxQueuedChars: 10 });
    const big = await within(100, outcome(bySize.store(delivery("bound-big"))));
    await lock.release();

    expect({ over, big }).toEqual({ over: "inbox_full", big: "inbox_full" });
    expect([await first, ...(await Promise.all(waiting))]).toEqual(["stored", "stored", "stored", "stored"]);
    expect(await stored("bound")).toEqual(["bound-0", "bound-1", "bound-2", "bound-3"]);
  });

  it("a delivery whose caller stops waiting before its commit starts is dropped, never written", async () => {
    const inbox = createDeliveryInbox({ sql: database.sql, logger });
    const lock = await lockDeliveries();
    const first = outcome(inbox.store(delivery("gaveup-0")));
    await commitWaiting();
    const caller = new AbortController();
    const dropped = outcome(inbox.store(delivery("gaveup-1"), caller.signal));
    caller.abort();
    expect(await within(100, dropped)).toBe("expired");
    await lock.release();
    await inbox.drain();

    expect(await first).toBe("stored");
    expect(await stored("gaveup")).toEqual(["gaveup-0"]);
  });

  it("a commit that does not answer in time gives its deliveries up as outcome unknown and frees the slot", async () => {
    const inbox = createDeliveryInbox({ sql: database.sql, logger, flushTimeoutMs: 300 });
    const lock = await lockDeliveries();
    const hung = outcome(inbox.store(delivery("hung-0")));
    await commitWaiting();
    expect(await within(2_000, hung)).toBe("flush_timeout");
    // The next group does not wait behind the hung commit: it goes out on another connection.
    const next = outcome(inbox.store(delivery("hung-1")));
    for (;;) {
      const [row] = await database.sql<{ n: number }[]>`
        select count(*)::int as n from pg_locks where not granted and relation = 'webhook_deliveries'::regclass`;
      if (row!.n === 2) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    await lock.release();
    await inbox.drain();

    // The hung commit went through after all: "unknown" was the right answer, and ClickUp's retry of
    // it would be a repeat.
    expect(await stored("hung")).toEqual(["hung-0", "hung-1"]);
    expect(["stored", "flush_timeout"]).toContain(await next);
  });
});
