// Backfills one bound ClickUp space of `--tasks` tasks (default 10,000, in 24 lists: some in folders,
// some folderless; ~10% closed, ~10% subtasks, ~5% archived) from the in-repo ClickUp fake under a
// scaled-down rate limit, into a throwaway embedded Postgres, and reports how close the run came to the
// fewest requests possible, to the rate limit's pace, and how much memory it took.
//
//   npm run bench:backfill [-- --tasks 100000 --limit 100 --window-ms 1000 --rebuild-batch 500]
//
// Diagnosis only: `--migrations <folder>` builds the database from another set of migrations (e.g. an
// older commit's db/migrations, to see what a schema change costs the backfill) instead of the current.
//
// The fake runs in a child process (bench/clickup-fake-server.ts) and Postgres in its own, so peak RSS is
// the backfill process alone: client, engine, drizzle and postgres.js. The last line is the JSON result.
import { fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { count, eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { runMigrations as runWorkerMigrations } from "graphile-worker";
import postgres from "postgres";
import { bindings, clickupWebhooks, connections, projects, trackedCases } from "../db/schema.ts";
import { createClickUpClient, TASK_PAGE_SIZE } from "../src/clickup/create-clickup-client.ts";
import { createRateLimitRegistry } from "../src/clickup/rate-limit-registry.ts";
import { createSealer } from "../src/crypto/sealer.ts";
import { connectDatabase } from "../src/db/connect-database.ts";
import { runMigrations } from "../src/db/run-migrations.ts";
import { startEmbeddedPostgres } from "../src/db/start-embedded-postgres.ts";
import { DEFAULT_REBUILD_BATCH, rebuildDirtyCases } from "../src/flow/metrics/deferred-rebuild.ts";
import { createLogger } from "../src/log/create-logger.ts";
import { backfillBinding } from "../src/sync/backfill/index.ts";
import { intArg, textArg } from "./args.ts";
import type { FakeReady, FakeStats } from "./clickup-fake-server.ts";

const TASKS = intArg("tasks", 10_000);
// 100 requests per second: 60× ClickUp's smallest plan (100/min), so 10,000 tasks take a few seconds.
const LIMIT = intArg("limit", 100);
const WINDOW_MS = intArg("window-ms", 1_000);
// Cases per rebuild transaction of the flow facts job (diagnosis; the job uses the default).
const REBUILD_BATCH = intArg("rebuild-batch", DEFAULT_REBUILD_BATCH);
const MIGRATIONS = textArg("migrations");
const MB = 2 ** 20;

// Peak RSS of this process, sampled every 50 ms from the start (setup included).
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);

// Logs go to stderr, so stdout ends with the JSON line.
const logger = createLogger(process.env.LOG_LEVEL ?? "warn", process.stderr);
const cleanups: (() => Promise<unknown>)[] = [];
const cleanup = async () => {
  for (const fn of cleanups.reverse()) await fn().catch((err) => logger.error({ err }, "cleanup failed"));
};

try {
  // --- the fake, in its own process ------------------------------------------------------------------
  const child = fork(
    new URL("./clickup-fake-server.ts", import.meta.url),
    ["--tasks", String(TASKS), "--limit", String(LIMIT), "--window-ms", String(WINDOW_MS)],
    { stdio: ["ignore", "inherit", "inherit", "ipc"] },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  cleanups.push(async () => {
    if (child.connected) child.send({ type: "close" });
    else child.kill();
    await exited;
  });
  const nextMessage = <T extends { type: string }>(type: T["type"]) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (msg: T) => {
        if (msg.type !== type) return;
        child.off("message", onMessage);
        child.off("exit", onExit);
        resolve(msg);
      };
      const onExit = (code: number | null) => reject(new Error(`the ClickUp fake exited (${code})`));
      child.on("message", onMessage);
      child.once("exit", onExit);
    });
  const world = await nextMessage<FakeReady>("ready");

  // --- a throwaway Postgres --------------------------------------------------------------------------
  const dir = await mkdtemp(path.join(tmpdir(), "flowbot-bench-backfill-"));
  await chmod(dir, 0o755); // as root the server runs as `postgres`, which must reach the folder
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const pg = await startEmbeddedPostgres({
    dir,
    logger,
    settings: { fsync: "off", synchronous_commit: "off", full_page_writes: "off" },
  });
  cleanups.push(() => pg.stop());
  if (MIGRATIONS) {
    const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
    await migrate(drizzle(sql), { migrationsFolder: path.resolve(MIGRATIONS) });
    await sql.end();
    await runWorkerMigrations({ connectionString: pg.url, logger: undefined });
  } else {
    await runMigrations(pg.url, logger);
  }
  const database = connectDatabase(pg.url);
  cleanups.push(() => database.close());
  const { db } = database;

  // --- a connection, a project and a binding on the whole space -------------------------------------
  const sealer = createSealer(randomBytes(32));
  const slackTeamId = "TBENCH";
  await db.insert(connections).values({
    slackTeamId,
    clickupTeamId: world.teamId,
    clickupTeamName: "Bench",
    tokenSealed: sealer.seal(world.token),
    tokenLast4: world.token.slice(-4),
    tokenOwnerId: world.userId,
    tokenOwnerName: "Bench Owner",
    connectedBy: "U0BENCH",
  });
  const [project] = await db.insert(projects).values({ slackTeamId, channelId: "CBENCH" }).returning();
  const [binding] = await db
    .insert(bindings)
    .values({
      projectId: project!.id,
      containerType: "space",
      containerId: world.spaceId,
      containerName: "Engineering",
      containerPath: "Engineering",
      spaceId: world.spaceId,
      createdBy: "U0BENCH",
    })
    .returning();
  const clickup = createClickUpClient({
    baseUrl: world.url,
    token: world.token,
    // The client knows ClickUp's window is a minute; the fake's is scaled down to WINDOW_MS, so is that.
    rateLimits: createRateLimitRegistry({ windowMs: WINDOW_MS }),
  });

  // A running worker's pool is warm: open the connections the run uses (two pages are written at once,
  // and the webhook is registered alongside) before timing it, as Postgres itself is started before.
  await Promise.all(Array.from({ length: 3 }, () => db.$client`select 1`));

  // --- the run ---------------------------------------------------------------------------------------
  const rssBefore = process.memoryUsage().rss;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const result = await backfillBinding(
    { db, clickup, logger, now: Date.now, publicUrl: "https://flowbot.example.com", sealer },
    binding!.id,
  );
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  if (result.status !== "synced") throw new Error(`backfill ended in error: ${result.reason}`);

  // --- the flow facts ----------------------------------------------------------------------------------
  // Pages leave their cases' flow facts to the rebuild-flow-facts job (src/flow/metrics/deferred-rebuild.ts),
  // which a worker runs alongside and after the backfill. No worker runs here: the job's work is done
  // right after the run and timed on its own, so the facts' cost stays visible next to elapsed_ms.
  // (Older migrations, --migrations, have no deferral: their pages rebuilt inline and nothing is listed.)
  const [deferral] = await db.execute<{ on: boolean }>(
    sql`select to_regproc('flowbot_flow_rebuild_dirty') is not null as on`,
  );
  const rebuildStarted = performance.now();
  const rebuilt = deferral!.on ? await rebuildDirtyCases(database.sql, { batch: REBUILD_BATCH }) : 0;
  const rebuildMs = performance.now() - rebuildStarted;
  const [facts] = deferral!.on
    ? await db.execute<{ n: number }>(
        sql`select count(*)::int as n from flow_cases where binding_id = ${binding!.id}`,
      )
    : [undefined];

  const stats = await (async () => {
    const reply = nextMessage<FakeStats>("stats");
    child.send({ type: "stats" });
    return reply;
  })();
  const [stored] = await db
    .select({ n: count() })
    .from(trackedCases)
    .where(eq(trackedCases.bindingId, binding!.id));
  const [timed] = await db.execute<{ n: number }>(
    sql`select count(distinct case_id)::int as n from status_timings where case_id in
        (select id from tracked_cases where binding_id = ${binding!.id})`,
  );
  const [hook] = await db.select().from(clickupWebhooks);
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);

  // --- figures ---------------------------------------------------------------------------------------
  const tasks = stored!.n;
  const pages = (n: number) => Math.ceil(n / TASK_PAGE_SIZE);
  // The floor the issue fixes: hierarchy listing + ceil(tasks/100) task pages + as many time-in-status
  // calls + the webhook calls. A space binding needs no hierarchy listing (the workspace task endpoint
  // filters by space_ids), so that term is 0; the webhook calls are list + create on a first run.
  const floor = { hierarchy: 0, task_pages: pages(tasks), time_in_status: pages(tasks), webhooks: 2 };
  const minRequests = floor.hierarchy + floor.task_pages + floor.time_in_status + floor.webhooks;
  // The engine pulls in two passes (active, then archived), each ending on its own partial page, and a
  // pass with no tasks still costs one (empty) page request. So the floor reachable by a two-pass pull
  // can exceed the floor by up to 2 requests (a page + its time-in-status call); it is reported
  // next to it, and request_ratio is taken against the floor regardless.
  const pass = (n: number) => ({ tasks: n, page_requests: Math.max(1, pages(n)) });
  const passes = { active: pass(world.seeded.active), archived: pass(world.seeded.archived) };
  const twoPassFloor =
    floor.webhooks +
    passes.active.page_requests +
    passes.archived.page_requests +
    pages(world.seeded.active) +
    pages(world.seeded.archived);
  const requests = stats.requests;
  const atLimitMs = (requests * WINDOW_MS) / LIMIT;
  const round = (x: number, digits = 3) => Number(x.toFixed(digits));

  console.log(
    `backfilled ${tasks} tasks (${timed!.n} with timings) of ${world.seeded.tasks} seeded in ${Math.round(elapsedMs)} ms; ` +
      `webhook ${hook ? hook.id : "missing"}; ${requests} requests by kind ${JSON.stringify(stats.byKind)}, ` +
      `by status ${JSON.stringify(stats.byStatus)}; engine counted ${result.requests}`,
  );
  if (tasks !== world.seeded.tasks) throw new Error(`stored ${tasks} tasks, seeded ${world.seeded.tasks}`);
  if (facts && facts.n !== tasks) throw new Error(`flow facts for ${facts.n} cases, ${tasks} stored`);
  console.log(
    JSON.stringify({
      tasks,
      requests,
      min_requests: minRequests,
      request_ratio: round(requests / minRequests),
      http_429: stats.limited,
      elapsed_ms: Math.round(elapsedMs),
      elapsed_ratio: round(elapsedMs / atLimitMs),
      peak_rss_mb: round(peakRss / MB, 1),
      // Rebuilding the flow facts of the cases the run listed, right after it (not part of elapsed_ms).
      flow_rebuild_ms: Math.round(rebuildMs),
      flow_rebuilt_cases: rebuilt,
      flow_rebuild_batch: REBUILD_BATCH,
      min_requests_parts: floor,
      two_pass_floor: twoPassFloor,
      passes,
      requests_by_kind: stats.byKind,
      rate_limit: { limit: LIMIT, window_ms: WINDOW_MS },
      ...(MIGRATIONS ? { migrations: MIGRATIONS } : {}),
      seeded: { ...world.seeded, lists: world.lists },
      tasks_with_timings: timed!.n,
      rss_before_backfill_mb: round(rssBefore / MB, 1),
      // Context for elapsed_ratio: this process's CPU during the run, and how busy the machine was.
      backfill_cpu_ms: Math.round((cpu.user + cpu.system) / 1000),
      load_avg_1m: round(loadavg()[0]!, 2),
      max_rss_mb: round((process.resourceUsage().maxRSS * 1024) / MB, 1),
      rss_includes_fake: false,
      rss_scope: "backfill process only; the fake and Postgres run in their own processes",
      fake_rss_mb: stats.rssMb,
    }),
  );
} finally {
  clearInterval(sampler);
  await cleanup();
}
