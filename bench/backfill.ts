// Backfills one bound ClickUp space of `--tasks` tasks (default 10,000, in 24 lists: some in folders,
// some folderless; ~10% closed, ~10% subtasks, ~5% archived) from the in-repo ClickUp fake under a
// scaled-down rate limit, into a throwaway embedded Postgres, and reports how close the run came to the
// fewest requests possible, to the rate limit's pace, and how much memory it took.
//
//   npm run bench:backfill [-- --tasks 100000 --limit 100 --window-ms 1000 --rebuild-batch 500
//                              --warmup-tasks 2000]
//
// The timed run is the second backfill of the process: a first one, of a separate `--warmup-tasks` space
// (0: none), runs before it, and its rate-limit window is let pass. A flowbot worker runs for days, so a
// backfill meets compiled code and open connections; a fresh process first spends ~0.3 s of CPU (here,
// 2 cores) compiling the client, zod and postgres.js paths, which at the bench's 60× scaled-down limit
// is a seventh of the run and at ClickUp's real limit (10,000 tasks in ~2 minutes) nothing. The
// warm-up's figures are reported under `warmup`; `--warmup-tasks 0` times a cold process. Peak RSS is
// sampled from the start, warm-up included.
//
// Diagnosis only: `--migrations <folder>` builds the database from another set of migrations (e.g. an
// older commit's db/migrations, to see what a schema change costs the backfill) instead of the current.
//
// With comments (docs/flow-metrics.md §14.4): after the timed run, whose figures it leaves alone as it runs
// after it, the comments pass of the warm-up binding (the timed one with `--warmup-tasks 0`) runs as the
// backfill-comments job would, and its requests, 429s and time are reported under `comments`.
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
import { backfillComments } from "../src/sync/comments/backfill-comments.ts";
import { countArg, intArg, textArg } from "./args.ts";
import type { FakeReady, FakeStats } from "./clickup-fake-server.ts";

const TASKS = intArg("tasks", 10_000);
// 100 requests per second: 60× ClickUp's smallest plan (100/min), so 10,000 tasks take a few seconds.
const LIMIT = intArg("limit", 100);
const WINDOW_MS = intArg("window-ms", 1_000);
// Cases per rebuild transaction of the flow facts job (diagnosis; the job uses the default).
const REBUILD_BATCH = intArg("rebuild-batch", DEFAULT_REBUILD_BATCH);
const MIGRATIONS = textArg("migrations");
const WARMUP_TASKS = countArg("warmup-tasks", 2_000);
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
    [
      ...["--tasks", String(TASKS), "--warmup-tasks", String(WARMUP_TASKS)],
      ...["--limit", String(LIMIT), "--window-ms", String(WINDOW_MS)],
    ],
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
  const { db, sql: appSql } = database;

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
  /** A project for the channel with the space bound to it, as /flow bind leaves them. */
  const bindSpace = async (channelId: string, spaceId: string, name: string) => {
    const [project] = await db.insert(projects).values({ slackTeamId, channelId }).returning();
    const [row] = await db
      .insert(bindings)
      .values({
        projectId: project!.id,
        containerType: "space",
        containerId: spaceId,
        containerName: name,
        containerPath: name,
        spaceId,
        createdBy: "U0BENCH",
      })
      .returning();
    return row!;
  };
  const binding = await bindSpace("CBENCH", world.spaceId, "Engineering");
  const clickup = createClickUpClient({
    baseUrl: world.url,
    token: world.token,
    // The client knows ClickUp's window is a minute; the fake's is scaled down to WINDOW_MS, so is that.
    rateLimits: createRateLimitRegistry({ windowMs: WINDOW_MS }),
  });

  const fakeStats = () => {
    const reply = nextMessage<FakeStats>("stats");
    child.send({ type: "stats" });
    return reply;
  };
  const deps = {
    db,
    sql: appSql,
    clickup,
    logger,
    now: Date.now,
    publicUrl: "https://flowbot.example.com",
    sealer,
  };
  const [deferral] = await db.execute<{ on: boolean }>(
    sql`select to_regproc('flowbot_rebuild_listed_cases') is not null as on`,
  );

  // --- the warm-up: a first backfill in this process, of another space, bound in another channel -------
  let warmup: { tasks: number; requests: number; http_429: number; elapsed_ms: number } | null = null;
  let warmBinding: typeof binding | null = null;
  if (WARMUP_TASKS > 0) {
    warmBinding = await bindSpace("CWARMUP", world.warmup.spaceId, "Warm-up");
    const warmStarted = performance.now();
    const warm = await backfillBinding(deps, warmBinding.id);
    if (warm.status !== "synced") throw new Error(`the warm-up backfill ended in error: ${warm.reason}`);
    const elapsed = Math.round(performance.now() - warmStarted);
    const counted = await fakeStats();
    warmup = {
      tasks: world.warmup.tasks,
      requests: counted.requests,
      http_429: counted.limited,
      elapsed_ms: elapsed,
    };
    // Its flow facts are rebuilt as the worker would, and its rate-limit window (ClickUp's and the
    // client's) is let close, so the timed run starts on a fresh window like a first backfill would.
    if (deferral!.on) await rebuildDirtyCases(database.sql, { batch: REBUILD_BATCH });
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS + 50));
  } else {
    // Even a fresh worker's pool is open: the connections the run uses (two pages are written at once,
    // and the webhook is registered alongside) are opened before timing it.
    await Promise.all(Array.from({ length: 3 }, () => db.$client`select 1`));
  }
  const statsBefore = await fakeStats();

  // --- the run ---------------------------------------------------------------------------------------
  const rssBefore = process.memoryUsage().rss;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const result = await backfillBinding(deps, binding.id);
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  if (result.status !== "synced") throw new Error(`backfill ended in error: ${result.reason}`);

  // --- the flow facts ----------------------------------------------------------------------------------
  // Pages leave their cases' flow facts to the rebuild-flow-facts job (src/flow/metrics/deferred-rebuild.ts),
  // which a worker runs alongside and after the backfill. No worker runs here: the job's work is done
  // right after the run and timed on its own, so the facts' cost stays visible next to elapsed_ms.
  // (Older migrations, --migrations, have no deferral: their pages rebuilt inline and nothing is listed.)
  const rebuildStarted = performance.now();
  const rebuilt = deferral!.on ? await rebuildDirtyCases(database.sql, { batch: REBUILD_BATCH }) : 0;
  const rebuildMs = performance.now() - rebuildStarted;
  const [facts] = deferral!.on
    ? await db.execute<{ n: number }>(
        sql`select count(*)::int as n from flow_cases where binding_id = ${binding.id}`,
      )
    : [undefined];

  // The timed run's share of the fake's counters.
  const stats = minus(await fakeStats(), statsBefore);
  const [stored] = await db
    .select({ n: count() })
    .from(trackedCases)
    .where(eq(trackedCases.bindingId, binding.id));
  const [timed] = await db.execute<{ n: number }>(
    sql`select count(distinct case_id)::int as n from status_timings where case_id in
        (select id from tracked_cases where binding_id = ${binding.id})`,
  );
  const [hook] = await db
    .select()
    .from(clickupWebhooks)
    .where(eq(clickupWebhooks.containerId, world.spaceId));
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);

  // --- the comments pass, after the status backfill (its own counters) ----------------------------------
  await new Promise((resolve) => setTimeout(resolve, WINDOW_MS + 50));
  const commentsBefore = await fakeStats();
  const commentsStarted = performance.now();
  const commentsRun = await backfillComments({ ...deps, sql: appSql }, (warmBinding ?? binding).id);
  const commentsMs = performance.now() - commentsStarted;
  const commentStats = minus(await fakeStats(), commentsBefore);
  if (commentsRun.status !== "done") throw new Error(`the comments pass ended ${commentsRun.status}`);
  const [scored] = await db.execute<{ n: number }>(sql`select count(*)::int as n from comment_sentiment`);

  // --- figures ---------------------------------------------------------------------------------------
  const tasks = stored!.n;
  const pages = (n: number) => Math.ceil(n / TASK_PAGE_SIZE);
  // The floor the issue fixes: hierarchy listing + ceil(tasks/100) task pages + as many time-in-status
  // calls + the webhook calls. A space binding needs no hierarchy listing (the workspace task endpoint
  // filters by space_ids), so that term is 0; the webhook calls are list + create on a first run.
  // Since issue 14 a backfill also refreshes the binding's custom field definitions and the workspace's
  // custom task types (docs/flow-metrics.md §6.1: "read again on every backfill"): one request each per
  // run, whatever the number of tasks, so they join the floor as a constant 2. The task fields themselves
  // come in the task pages and cost nothing more.
  const floor = {
    hierarchy: 0,
    task_pages: pages(tasks),
    time_in_status: pages(tasks),
    webhooks: 2,
    definitions: 2,
  };
  const minRequests =
    floor.hierarchy + floor.task_pages + floor.time_in_status + floor.webhooks + floor.definitions;
  // The engine pulls in two passes (active, then archived), each ending on its own partial page, and a
  // pass with no tasks still costs one (empty) page request. So the floor reachable by a two-pass pull
  // can exceed the floor by up to 2 requests (a page + its time-in-status call); it is reported
  // next to it, and request_ratio is taken against the floor regardless.
  const pass = (n: number) => ({ tasks: n, page_requests: Math.max(1, pages(n)) });
  const passes = { active: pass(world.seeded.active), archived: pass(world.seeded.archived) };
  const twoPassFloor =
    floor.webhooks +
    floor.definitions +
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
      warmup,
      rss_before_backfill_mb: round(rssBefore / MB, 1),
      // Context for elapsed_ratio: this process's CPU during the run, and how busy the machine was.
      backfill_cpu_ms: Math.round((cpu.user + cpu.system) / 1000),
      load_avg_1m: round(loadavg()[0]!, 2),
      max_rss_mb: round((process.resourceUsage().maxRSS * 1024) / MB, 1),
      rss_includes_fake: false,
      rss_scope: "backfill process only; the fake and Postgres run in their own processes",
      fake_rss_mb: stats.rssMb,
      comments: {
        binding: warmBinding ? "warmup" : "timed",
        cases: commentsRun.of,
        comments_stored: scored!.n,
        requests: commentStats.requests,
        requests_counted: commentsRun.requests,
        http_429: commentStats.limited,
        elapsed_ms: Math.round(commentsMs),
        // The pass spends at most half of each window (docs/flow-metrics.md §14.4): 1.0 is that pace.
        elapsed_ratio_at_half_budget: round(commentsMs / ((commentStats.requests * WINDOW_MS) / (LIMIT / 2))),
      },
    }),
  );
} finally {
  clearInterval(sampler);
  await cleanup();
}

function minus(after: FakeStats, before: FakeStats): FakeStats {
  const diff = <K extends string>(a: Record<K, number>, b: Record<K, number>) =>
    Object.fromEntries(Object.entries<number>(a).map(([k, v]) => [k, v - (b[k as K] ?? 0)])) as Record<
      K,
      number
    >;
  return {
    ...after,
    requests: after.requests - before.requests,
    limited: after.limited - before.limited,
    byKind: diff(after.byKind, before.byKind),
    byStatus: Object.fromEntries(
      Object.entries(diff(after.byStatus, before.byStatus)).filter(([, n]) => n > 0),
    ),
  };
}
