// Sends `--deliveries` correctly signed ClickUp webhook deliveries (default 20,000, status changes of
// `--tasks` tasks) over loopback at a fixed concurrency to flowbot's running webhook route — the real
// app: Hono server, group-commit inbox, durable Postgres (fsync on, the embedded default) and the
// graphile-worker applying them — and, in the same run, the same load to a bare Hono route that only
// answers 200. Then waits until every delivery has been applied. Then sends `--locked-deliveries` more
// while another session holds an exclusive lock on webhook_deliveries for `--lock-s` seconds, from
// half a second into the run: every answer must come within ClickUp's 7 s, and a delivery answered
// 503 is sent again half a second later, as ClickUp retries, until it is stored.
//
//   npm run bench:ingest [-- --deliveries 20000 --tasks 2000 --concurrency 50 --warm 500 --locked-deliveries 20000 --lock-s 10]
//
// The load comes from a child process (bench/ingest-load.ts). Last line: JSON with deliveries, per_sec,
// p50_ms, p99_ms, bare_per_sec (the mean of a bare run just before ours and one just after it, both given
// in bare_runs_per_sec), ratio_vs_bare, lost (sent − stored, both runs) and apply_lag_ms (last
// acknowledgement → last delivery applied), then for the locked run p99_ms_db_locked and max_ms_db_locked
// (over every answer, 503s included), over_7s_db_locked (answers slower than ClickUp waits) and
// statuses_db_locked, and load_avg_1m for context (the machine's load at the end).
import { fork } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import postgres from "postgres";
import { bindings, clickupWebhooks, connections, projects } from "../db/schema.ts";
import { startFlowbot } from "../src/app/start-flowbot.ts";
import { loadConfig } from "../src/config/load-config.ts";
import { startEmbeddedPostgres } from "../src/db/start-embedded-postgres.ts";
import { CLICKUP_WEBHOOK_PATH } from "../src/http/create-http-app.ts";
import { createLogger } from "../src/log/create-logger.ts";
import { intArg } from "./args.ts";
import type { LoadDone, LoadRun } from "./ingest-load.ts";

const DELIVERIES = intArg("deliveries", 20_000);
const TASKS = intArg("tasks", 2_000);
const CONCURRENCY = intArg("concurrency", 50);
const WARM = intArg("warm", 500);
const APPLY_TIMEOUT_MS = intArg("apply-timeout-s", 180) * 1000;
const LOCKED_DELIVERIES = intArg("locked-deliveries", 20_000);
const LOCK_MS = intArg("lock-s", 10) * 1000;
/** ClickUp counts an answer slower than this as a failure. */
const CLICKUP_TIMEOUT_MS = 7_000;
const WEBHOOK_ID = "b3f1c2d4-0000-4000-8000-00000000be4c";
const LIST_ID = "901";

const logger = createLogger(process.env.LOG_LEVEL ?? "warn", process.stderr);
const cleanups: (() => Promise<unknown>)[] = [];
const cleanup = async () => {
  for (const fn of cleanups.reverse()) await fn().catch((err) => logger.error({ err }, "cleanup failed"));
};
const percentile = (sorted: number[], p: number) =>
  sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
const round = (n: number, digits = 1) => Number(n.toFixed(digits));

try {
  // --- the load generator ----------------------------------------------------------------------------
  const child = fork(new URL("./ingest-load.ts", import.meta.url), [], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  cleanups.push(async () => {
    if (child.connected) child.send({ type: "close" });
    await exited;
  });
  const nextMessage = <T extends { type: string }>(type: string) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (msg: T) => {
        if (msg.type !== type) return;
        child.off("message", onMessage);
        child.off("exit", onExit);
        resolve(msg);
      };
      const onExit = (code: number | null) => reject(new Error(`the load generator exited (${code})`));
      child.on("message", onMessage);
      child.once("exit", onExit);
    });
  await nextMessage("ready");
  const load = async (run: Omit<LoadRun, "type">) => {
    const reply = nextMessage<LoadDone>("done");
    child.send({ type: "run", ...run } satisfies LoadRun);
    return reply;
  };

  // --- flowbot on a throwaway, durable Postgres ------------------------------------------------------
  const dir = await mkdtemp(path.join(tmpdir(), "flowbot-bench-ingest-"));
  await chmod(dir, 0o755);
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const pg = await startEmbeddedPostgres({ dir, logger });
  cleanups.push(() => pg.stop());
  const config = {
    ...loadConfig({
      DATABASE_URL: pg.url,
      FLOWBOT_ENCRYPTION_KEY: randomBytes(32).toString("hex"),
      LOG_LEVEL: "warn",
    }),
    port: 0,
  };
  // No cron: the bench measures deliveries, not the schedule.
  const flowbot = await startFlowbot({ config, logger, crontab: "", workerPollInterval: 100 });
  cleanups.push(() => flowbot.stop());
  const { db, sql } = flowbot.database;

  // --- a bound list with its tasks already tracked, and flowbot's webhook on it ---------------------
  const secret = randomBytes(32).toString("hex").toUpperCase();
  const [connection] = await db
    .insert(connections)
    .values({
      slackTeamId: "TBENCH",
      clickupTeamId: "9000",
      clickupTeamName: "Bench",
      tokenSealed: flowbot.sealer.seal(`pk_1_${randomBytes(8).toString("hex")}`),
      tokenLast4: "0000",
      tokenOwnerId: 1,
      tokenOwnerName: "Bench Owner",
      connectedBy: "U0BENCH",
    })
    .returning();
  await db.insert(clickupWebhooks).values({
    id: WEBHOOK_ID,
    connectionId: connection!.id,
    containerType: "list",
    containerId: LIST_ID,
    endpoint: `https://flowbot.example.com${CLICKUP_WEBHOOK_PATH}`,
    events: ["taskStatusUpdated", "taskUpdated"],
    secretSealed: flowbot.sealer.seal(secret),
  });
  const [project] = await db
    .insert(projects)
    .values({ slackTeamId: "TBENCH", channelId: "CBENCH" })
    .returning();
  const [binding] = await db
    .insert(bindings)
    .values({
      projectId: project!.id,
      containerType: "list",
      containerId: LIST_ID,
      containerName: "Backlog",
      containerPath: "Engineering › Backlog",
      spaceId: "700",
      syncStatus: "synced",
      webhookId: WEBHOOK_ID,
      createdBy: "U0BENCH",
    })
    .returning();
  const t0 = Date.UTC(2026, 9, 1);
  await sql`
    insert into tracked_cases (binding_id, task_id, name, url, home_list_id, status_name, status_type,
      status_orderindex, date_created, date_updated)
    select ${binding!.id}::bigint, 'bt' || i, 'Bench task ' || i, 'https://app.clickup.com/t/bt' || i, ${LIST_ID},
      'to do', 'open', 0, to_timestamp(${t0 / 1000}), to_timestamp(${t0 / 1000})
    from generate_series(1, ${TASKS}::int) i`;

  // --- deliveries: each task walks a workflow, one status change per delivery ----------------------
  const statuses = [
    { status: "to do", color: "#d3d3d3", orderindex: 0, type: "open" },
    { status: "in progress", color: "#4194f6", orderindex: 1, type: "custom" },
    { status: "review", color: "#a875ff", orderindex: 2, type: "custom" },
    { status: "complete", color: "#6bc950", orderindex: 3, type: "closed" },
  ];
  const user = {
    id: 81_000_001,
    username: "Bench User",
    email: "bench@example.com",
    color: "#7b68ee",
    initials: "BU",
    profilePicture: null,
  };
  /** `count` deliveries from history item `idBase` on, continuing each task's walk from `firstStep`. */
  const makeDeliveries = (count: number, idBase: bigint, firstStep: number) => {
    const bodies: string[] = [];
    const signatures: string[] = [];
    for (let i = 0; i < count; i++) {
      const task = (i % TASKS) + 1;
      const step = firstStep + Math.floor(i / TASKS);
      const before = statuses[step % 4]!;
      const after = statuses[(step + 1) % 4]!;
      const body = JSON.stringify({
        event: "taskStatusUpdated",
        task_id: `bt${task}`,
        webhook_id: WEBHOOK_ID,
        history_items: [
          {
            id: String(idBase + BigInt(i)),
            type: 1,
            date: String(t0 + 60_000 * (step + 1)),
            field: "status",
            parent_id: LIST_ID,
            data: { status_type: after.type },
            source: null,
            user,
            before,
            after,
          },
        ],
      });
      bodies.push(body);
      signatures.push(createHmac("sha256", secret).update(body).digest("hex"));
    }
    return { bodies, signatures };
  };
  const { bodies, signatures } = makeDeliveries(DELIVERIES, 4_000_000_000_000_000_000n, 0);

  // --- the bare route, same machine, same load -------------------------------------------------------
  const bare = new Hono();
  bare.post("/bare", (c) => c.body(null, 200));
  const bareServer = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: bare.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
  });
  cleanups.push(() => new Promise<void>((resolve) => bareServer.close(() => resolve())));
  const bareUrl = `http://127.0.0.1:${(bareServer.address() as AddressInfo).port}/bare`;
  const ourUrl = `http://127.0.0.1:${flowbot.port}${CLICKUP_WEBHOOK_PATH}`;

  // Warm both (JIT, connection pools, the webhook's secret) with a few hundred requests not counted.
  const warm = Math.min(WARM, DELIVERIES);
  await load({
    url: bareUrl,
    bodies: bodies.slice(0, warm),
    signatures: signatures.slice(0, warm),
    concurrency: CONCURRENCY,
  });
  const warmBodies = bodies.slice(0, warm).map((b) => b.replace('"id":"4', '"id":"9'));
  await load({
    url: ourUrl,
    bodies: warmBodies,
    signatures: warmBodies.map((b) => createHmac("sha256", secret).update(b).digest("hex")),
    concurrency: CONCURRENCY,
  });

  // Lets apply and rebuild jobs finish, so no measured run shares the machine with them.
  const waitQuiet = async () => {
    const quietBy = Date.now() + 60_000;
    for (;;) {
      const [{ busy }] = await sql<{ busy: number }[]>`
        select (select count(*) from webhook_deliveries where outcome = 'pending')
          + (select count(*) from graphile_worker.jobs) as busy`;
      if (Number(busy) === 0 || Date.now() > quietBy) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  await waitQuiet();
  // The bare route is timed just before and again just after ours, each on a quiet machine, and its rate
  // is the mean of the two: on these shared machines its rate swings by a factor of several within
  // minutes, so one run before ours alone can land on a fast or a slow moment that ours does not share.
  const bareBefore = await load({ url: bareUrl, bodies, signatures, concurrency: CONCURRENCY });
  const ourRun = await load({ url: ourUrl, bodies, signatures, concurrency: CONCURRENCY });
  const lastAck = Date.now();

  // --- applied ------------------------------------------------------------------------------------
  let applyLagMs: number | null = null;
  for (;;) {
    const [{ waiting }] = await sql<{ waiting: number }[]>`
      select count(*)::int as waiting from webhook_deliveries where outcome = 'pending'`;
    if (waiting === 0) {
      applyLagMs = Date.now() - lastAck;
      break;
    }
    if (Date.now() - lastAck > APPLY_TIMEOUT_MS) {
      logger.error({ waiting }, "deliveries still pending after the apply timeout");
      break;
    }
    // Not faster: each count scans the deliveries table, and would take CPU from the apply it waits for.
    await new Promise((r) => setTimeout(r, 200));
  }

  // The bare route again, now that the deliveries are applied and the machine is as quiet as before.
  await waitQuiet();
  const bareAfter = await load({ url: bareUrl, bodies, signatures, concurrency: CONCURRENCY });

  // --- the same route while the deliveries table is locked mid-run ----------------------------------
  const locked = makeDeliveries(LOCKED_DELIVERIES, 5_000_000_000_000_000_000n, Math.ceil(DELIVERIES / TASKS));
  const lockSession = postgres(pg.url, { max: 1, onnotice: () => {} });
  cleanups.push(() => lockSession.end());
  const lockedRun = load({
    url: ourUrl,
    ...locked,
    concurrency: CONCURRENCY,
    retry: { delayMs: 500, maxAttempts: 100 },
  });
  await new Promise((r) => setTimeout(r, 500));
  await lockSession.begin(async (tx) => {
    await tx`lock table webhook_deliveries in access exclusive mode`;
    await new Promise((r) => setTimeout(r, LOCK_MS));
  });
  const lockedDone = await lockedRun;

  const [{ stored }] = await sql<{ stored: number }[]>`
    select count(*)::int as stored from webhook_deliveries
    where idempotency_key like ${`${WEBHOOK_ID}:4%`} or idempotency_key like ${`${WEBHOOK_ID}:5%`}`;

  const sorted = [...ourRun.latencies].sort((a, b) => a - b);
  const lockedSorted = [...lockedDone.latencies].sort((a, b) => a - b);
  const perSec = (DELIVERIES / ourRun.elapsedMs) * 1000;
  const bareRates = [bareBefore, bareAfter].map((r) => (DELIVERIES / r.elapsedMs) * 1000);
  const barePerSec = (bareRates[0]! + bareRates[1]!) / 2;
  const okCount = ourRun.statuses["200"] ?? 0;
  if (okCount !== DELIVERIES)
    logger.warn({ statuses: ourRun.statuses }, "not every delivery was acknowledged with 200");
  const summary = {
    deliveries: DELIVERIES,
    tasks: TASKS,
    concurrency: CONCURRENCY,
    acknowledged: okCount,
    per_sec: round(perSec),
    p50_ms: round(percentile(sorted, 50), 2),
    p99_ms: round(percentile(sorted, 99), 2),
    bare_per_sec: round(barePerSec),
    bare_runs_per_sec: bareRates.map((r) => round(r)),
    ratio_vs_bare: round(perSec / barePerSec, 3),
    lost: DELIVERIES + LOCKED_DELIVERIES - stored,
    apply_lag_ms: applyLagMs,
    locked_deliveries: LOCKED_DELIVERIES,
    lock_ms: LOCK_MS,
    p99_ms_db_locked: round(percentile(lockedSorted, 99), 2),
    max_ms_db_locked: round(lockedSorted[lockedSorted.length - 1]!, 2),
    over_7s_db_locked: lockedSorted.filter((ms) => ms > CLICKUP_TIMEOUT_MS).length,
    statuses_db_locked: lockedDone.statuses,
    gave_up_db_locked: lockedDone.gaveUp,
    load_avg_1m: round(loadavg()[0]!, 2),
  };
  await cleanup();
  console.log(JSON.stringify(summary));
} catch (err) {
  logger.error({ err }, "bench:ingest failed");
  await cleanup();
  process.exitCode = 1;
}
