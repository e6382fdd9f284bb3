import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createSealer } from "../../src/crypto/sealer.ts";
import { connectDatabase, type Database } from "../../src/db/connect-database.ts";
import { enqueueBackfill } from "../../src/sync/enqueue-backfill.ts";
import { GONE_AFTER_MS, KILLED_JOB_ERROR } from "../../src/worker/worker-registry.ts";
import { type ClickUpFake, createClickUpFake, PAGE_SIZE } from "../fakes/clickup/index.ts";
import {
  embeddedDatabaseUrl,
  type FlowbotProcess,
  freePort,
  killHard,
  startFlowbotProcess,
  waitForHealth,
} from "../helpers/flowbot-process.ts";
import { TEST_KEY_HEX } from "../helpers/test-config.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import { waitFor } from "../helpers/wait-for.ts";

/*
 * Crash recovery as an operator meets it: the real process (`node src/main.ts`) is killed with SIGKILL
 * in the middle of a job — with its embedded Postgres, as a crash of the machine or container would —
 * and started again on the same data. The ClickUp fake runs in this test process and answers the child
 * over HTTP; a page or task read it holds back keeps a job running until the kill.
 */
const TOKEN = "pk_4500001_CRASHRECOVERY";
const TEAM = "9001";
const LIST = "31";
const SLACK_TEAM = "T0CRASH";
const TASKS_PATH = `/api/v2/team/${TEAM}/task`;
/** A latency the fake's sleep treats as "until released" (see `gate`). */
const HELD = 3_600_000;
/** How long a restarted process may take to finish what the killed one left: seconds, not hours. */
const RECOVERY_MS = 20_000;

const STATUSES = [
  { status: "to do", type: "open" as const },
  { status: "in progress", type: "custom" as const },
  { status: "review", type: "custom" as const },
  { status: "done", type: "done" as const },
];
const DAY = 86_400_000;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanups.splice(0).reverse()) await step().catch(() => {});
});
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** Held fake responses wait here until `open()`; a later `hold()` holds new ones again. */
function gate() {
  let release = () => {};
  let held = new Promise<void>((r) => (release = r));
  return {
    wait: () => held,
    open: () => release(),
    hold() {
      release();
      held = new Promise<void>((r) => (release = r));
    },
  };
}

/**
 * A ClickUp workspace with list Sprint of `active` live and `archived` archived tasks, each with a short
 * status history; `timings` is how many status_timings rows a backfill of it makes (one per status a
 * task has been in).
 */
async function clickupWorld(active: number, archived: number) {
  const held = gate();
  const fake = createClickUpFake({
    rateLimit: { limit: 100_000, windowMs: 60_000 },
    sleep: (ms) => (ms === HELD ? held.wait() : new Promise((r) => setTimeout(r, ms))),
  });
  fake.addWorkspace({ id: TEAM, name: "Acme" });
  const jane = fake.addUser({ id: 100, username: "Jane", token: TOKEN, teamIds: [TEAM], role: 1 });
  fake.addSpace({ teamId: TEAM, id: "10", name: "Engineering", statuses: STATUSES });
  fake.addFolder({ spaceId: "10", id: "20", name: "Product" });
  fake.addList({ folderId: "20", id: LIST, name: "Sprint" });
  const start = Date.now() - 60 * DAY;
  let timings = 0;
  const taskIds: string[] = [];
  for (let i = 0; i < active + archived; i += 1) {
    const visited = STATUSES.slice(0, 1 + (i % STATUSES.length));
    timings += visited.length;
    const task = fake.addTask({
      listId: LIST,
      name: `Task ${i}`,
      history: visited.map((s, k) => ({ status: s.status, at: start + i * 60_000 + k * DAY })),
      archived: i >= active,
      emit: false,
    });
    taskIds.push(task.id);
  }
  const server = await fake.listen();
  cleanups.push(async () => {
    held.open();
    await server.close();
  });
  return { fake, held, url: server.url, jane, taskIds, timings };
}

/** Team-task page requests the fake answered for list Sprint, as "active:0", "archived:0", … */
function pagesAsked(fake: ClickUpFake): string[] {
  return fake.requests.entries
    .filter((e) => e.path === TASKS_PATH && e.query["list_ids[]"]?.includes(LIST) && e.status === 200)
    .map((e) => `${e.query.archived?.[0] === "true" ? "archived" : "active"}:${e.query.page?.[0]}`);
}

/** Holds back team-task pages from `fromPage` on (live tasks) until the gate opens. */
function holdPagesFrom(fake: ClickUpFake, fromPage: number) {
  fake.faults.setLatency((req) =>
    req.path === TASKS_PATH &&
    req.url.searchParams.get("archived") !== "true" &&
    Number(req.url.searchParams.get("page")) >= fromPage
      ? HELD
      : 0,
  );
}

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "flowbot-crash-"));
  dirs.push(dir);
  await chmod(dir, 0o755); // mkdtemp makes it private; the embedded server's user must reach it
  return dir;
}

/** Starts the process and waits for /healthz; it is killed after the test if still running. */
async function start(env: Record<string, string>): Promise<FlowbotProcess> {
  const p = startFlowbotProcess({ LOG_LEVEL: "info", FLOWBOT_ENCRYPTION_KEY: TEST_KEY_HEX, ...env });
  cleanups.push(async () => {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
    await p.exited;
  });
  await waitForHealth(`http://127.0.0.1:${env.PORT}/healthz`, 40_000).catch((err) => {
    throw new Error(`${err.message}; output:\n${p.output()}`);
  });
  return p;
}

/** SIGTERM, as an orchestrator stops it: a clean exit. */
async function stop(p: FlowbotProcess) {
  p.child.kill("SIGTERM");
  expect(await p.exited, p.output()).toBe(0);
}

function connect(url: string): Database {
  const database = connectDatabase(url, 2);
  cleanups.push(() => database.close());
  return database;
}

/** What `/flow connect` and `/flow bind` leave behind: Jane's sealed token and a binding of Sprint. */
async function bindSprint(database: Database): Promise<number> {
  const sealer = createSealer(Buffer.from(TEST_KEY_HEX, "hex"));
  const { sql } = database;
  await sql`
    insert into connections (slack_team_id, clickup_team_id, clickup_team_name, token_sealed, token_last4,
      token_owner_id, token_owner_name, connected_by)
    values (${SLACK_TEAM}, ${TEAM}, 'Acme', ${sealer.seal(TOKEN)}, 'OVERY', 100, 'Jane', 'U0ADMIN')`;
  const [project] = await sql<{ id: number }[]>`
    insert into projects (slack_team_id, channel_id) values (${SLACK_TEAM}, 'C0CRASH') returning id::int as id`;
  const [binding] = await sql<{ id: number }[]>`
    insert into bindings (project_id, container_type, container_id, container_name, container_path, space_id,
      folder_id, created_by)
    values (${project!.id}, 'list', ${LIST}, 'Sprint', 'Engineering › Product › Sprint', '10', '20', 'U0ADMIN')
    returning id::int as id`;
  return binding!.id;
}

/** The binding's checkpoint once its backfill job is running and has committed `page` (live tasks). */
function checkpointAt(database: Database, bindingId: number, page: number) {
  return async () => {
    const [row] = await database.sql<{ page: number | null; locked: boolean }[]>`
      select (b.backfill_checkpoint->>'page')::int as page,
        exists (select 1 from graphile_worker.jobs j
          where j.task_identifier = 'backfill-binding' and j.locked_by is not null) as locked
      from bindings b where b.id = ${bindingId}`;
    return row!.locked && row!.page === page;
  };
}

async function backfillState(database: Database, bindingId: number) {
  const [row] = await database.sql<
    { status: string; cases: number; distinctTasks: number; timings: number; jobs: number }[]
  >`
    select b.sync_status as status,
      (select count(*)::int from tracked_cases c where c.binding_id = b.id) as cases,
      (select count(distinct c.task_id)::int from tracked_cases c where c.binding_id = b.id) as "distinctTasks",
      (select count(*)::int from status_timings t join tracked_cases c on c.id = t.case_id
        where c.binding_id = b.id) as timings,
      (select count(*)::int from graphile_worker.jobs where task_identifier = 'backfill-binding') as jobs
    from bindings b where b.id = ${bindingId}`;
  return row!;
}

function jobsDump(database: Database) {
  return database.sql`select task_identifier, queue_name, attempts, locked_by, locked_at, run_at, last_error
    from graphile_worker.jobs`;
}

describe("a restart after the process was killed mid-job", () => {
  it("resumes a killed backfill from its checkpoint at once, with exact counts", {
    timeout: 90_000,
  }, async () => {
    const world = await clickupWorld(4 * PAGE_SIZE + 30, 20);
    const dir = await dataDir();
    const port = String(await freePort());
    const env = { FLOWBOT_DATA_DIR: dir, PORT: port, CLICKUP_API_URL: world.url };

    const first = await start(env);
    let database = connect(await embeddedDatabaseUrl(first, dir));
    const bindingId = await bindSprint(database);
    holdPagesFrom(world.fake, 2);
    await enqueueBackfill(database, bindingId);
    // Pages 0 and 1 committed; the run waits for page 2 when the process dies.
    await waitFor("pages 0 and 1 committed", checkpointAt(database, bindingId, 1), 30_000, first.output);
    await database.close();
    await killHard(first, dir);

    world.fake.faults.clear();
    const restartedAt = Date.now();
    const second = await start(env);
    database = connect(await embeddedDatabaseUrl(second, dir));
    const done = await waitFor(
      "the backfill to finish after the restart",
      async () => {
        const s = await backfillState(database, bindingId);
        return s.status === "synced" && s.jobs === 0 && s;
      },
      RECOVERY_MS,
      () => second.output(),
    ).catch(async (err) => {
      throw new Error(`${err.message}\njobs: ${JSON.stringify(await jobsDump(database))}`);
    });
    expect(Date.now() - restartedAt).toBeLessThan(RECOVERY_MS);

    expect(done).toEqual({
      status: "synced",
      cases: world.taskIds.length,
      distinctTasks: world.taskIds.length,
      timings: world.timings,
      jobs: 0,
    });
    // Resumed at page 2: the pages committed before the kill were not asked again.
    const asked = pagesAsked(world.fake);
    expect(asked.filter((p) => p === "active:0" || p === "active:1")).toEqual(["active:0", "active:1"]);
    expect(asked.filter((p) => p === "archived:0")).toEqual(["archived:0"]);
    expect(second.logLines().some((l) => l.msg === "resuming backfill" && l.startPage === 2)).toBe(true);
    await database.close();
    await stop(second);
  });

  it("applies the deliveries a killed run was applying or had queued, and one sent after the kill, once each", {
    timeout: 90_000,
  }, async () => {
    const world = await clickupWorld(3, 0);
    const dir = await dataDir();
    const port = String(await freePort());
    const env = {
      FLOWBOT_DATA_DIR: dir,
      PORT: port,
      CLICKUP_API_URL: world.url,
      // ClickUp delivers to the webhook the backfill registers here, over loopback.
      PUBLIC_URL: `http://127.0.0.1:${port}`,
    };

    const first = await start(env);
    let database = connect(await embeddedDatabaseUrl(first, dir));
    const bindingId = await bindSprint(database);
    await enqueueBackfill(database, bindingId);
    await waitFor(
      "the binding synced with its webhook",
      async () => {
        const [row] = await database.sql`
          select 1 from bindings where id = ${bindingId} and sync_status = 'synced' and webhook_id is not null`;
        return row !== undefined;
      },
      30_000,
      first.output,
    );

    // A task created in Sprint: applying its delivery reads the task from ClickUp, and that read is held.
    let createdId = "";
    let readAsked = false;
    world.fake.faults.setLatency((req) => {
      if (req.path !== `/api/v2/task/${createdId}`) return 0;
      readAsked = true;
      return HELD;
    });
    createdId = world.fake.addTask({ listId: LIST, name: "Created before the crash" }).id;
    await world.fake.webhooks.settled();
    expect(world.fake.webhooks.log.map((d) => d.outcome)).toEqual(
      world.fake.webhooks.log.map(() => "delivered"),
    );
    await waitFor("the apply run reading the created task", async () => readAsked, 15_000, first.output);

    // A status change stored while that run holds the workspace's apply queue: it waits in the queue.
    const movedBefore = world.taskIds[0]!; // in "to do"
    world.fake.setTaskStatus(movedBefore, "in progress");
    const sentBefore = world.fake.webhooks.log.length;
    await world.fake.webhooks.settled();
    const statusDeliveries = world.fake.webhooks.log.slice(sentBefore);
    expect(statusDeliveries.map((d) => d.event)).toContain("taskStatusUpdated");
    expect(statusDeliveries.map((d) => d.outcome)).toEqual(statusDeliveries.map(() => "delivered"));
    const pendingAtKill = await database.sql<{ taskId: string }[]>`
      select distinct task_id as "taskId" from webhook_deliveries where outcome = 'pending' order by task_id`;
    expect(pendingAtKill.map((d) => d.taskId)).toEqual([createdId, movedBefore].sort());

    // And one ClickUp sends while flowbot is down; it arrives after the restart.
    world.fake.webhooks.hold();
    const movedAfter = world.taskIds[1]!; // in "in progress"
    world.fake.setTaskStatus(movedAfter, "review");
    await database.close();
    await killHard(first, dir);

    world.fake.faults.clear();
    const restartedAt = Date.now();
    const second = await start(env);
    world.fake.webhooks.release();
    await world.fake.webhooks.flush();
    expect(world.fake.webhooks.log.map((d) => d.outcome)).not.toContain("dropped");
    database = connect(await embeddedDatabaseUrl(second, dir));
    const applied = await waitFor(
      "the three deliveries applied after the restart",
      async () => {
        const [row] = await database.sql<{ pending: number; applied: number; jobs: number }[]>`
          select (select count(*)::int from webhook_deliveries where outcome = 'pending') as pending,
            (select count(distinct task_id)::int from webhook_deliveries
              where outcome = 'applied' and task_id in (${createdId}, ${movedBefore}, ${movedAfter})) as applied,
            (select count(*)::int from graphile_worker.jobs
              where task_identifier in ('apply-deliveries', 'apply-task-deliveries')
                and (attempts < max_attempts or last_error is null)) as jobs`;
        return row!.pending === 0 && row!.jobs === 0 && row!;
      },
      RECOVERY_MS,
      () => second.output(),
    ).catch(async (err) => {
      throw new Error(`${err.message}\njobs: ${JSON.stringify(await jobsDump(database))}`);
    });
    expect(Date.now() - restartedAt).toBeLessThan(RECOVERY_MS);
    expect(applied).toEqual({ pending: 0, applied: 3, jobs: 0 });
    // The killed run, replaced by the run queued with the status change, is not retried: it is failed, saying why.
    const left = await database.sql<{ lastError: string | null }[]>`
      select last_error as "lastError" from graphile_worker.jobs
      where task_identifier in ('apply-deliveries', 'apply-task-deliveries')`;
    expect(left).toEqual([{ lastError: KILLED_JOB_ERROR }]);
    expect(
      second.logLines().some((l) => l.msg?.toString().startsWith("released the jobs of job workers")),
    ).toBe(true);

    const cases = await database.sql<{ taskId: string; status: string }[]>`
      select task_id as "taskId", status_name as status from tracked_cases
      where binding_id = ${bindingId} and task_id in (${createdId}, ${movedBefore}, ${movedAfter})
      order by task_id`;
    expect(cases).toEqual(
      [
        { taskId: createdId, status: "to do" },
        { taskId: movedBefore, status: "in progress" },
        { taskId: movedAfter, status: "review" },
      ].sort((a, b) => (a.taskId < b.taskId ? -1 : 1)),
    );
    // Each status change became exactly one transition from its webhook's history item.
    const transitions = await database.sql<{ taskId: string; toStatus: string; n: number }[]>`
      select c.task_id as "taskId", t.to_status as "toStatus", count(*)::int as n from status_transitions t
      join tracked_cases c on c.id = t.case_id
      where c.task_id in (${movedBefore}, ${movedAfter}) and t.history_item_id is not null
      group by c.task_id, t.to_status order by c.task_id`;
    expect(transitions).toEqual(
      [
        { taskId: movedBefore, toStatus: "in progress", n: 1 },
        { taskId: movedAfter, toStatus: "review", n: 1 },
      ].sort((a, b) => (a.taskId < b.taskId ? -1 : 1)),
    );
    const createdCases = await database.sql`select 1 from tracked_cases where task_id = ${createdId}`;
    expect(createdCases).toHaveLength(1);
    await database.close();
    await stop(second);
  });
});

describe("several processes on an external database", () => {
  let tdb: TestDatabase | undefined;
  afterAll(async () => {
    await tdb?.drop();
  });

  it("a live worker takes over a killed one's job; no live worker's job is ever unlocked", {
    timeout: 90_000,
  }, async () => {
    const world = await clickupWorld(6 * PAGE_SIZE, 10);
    tdb = await createTestDatabase();
    const env = (port: number) => ({
      DATABASE_URL: tdb!.url,
      FLOWBOT_ROLE: "worker",
      PORT: String(port),
      CLICKUP_API_URL: world.url,
    });
    const database = connect(tdb.url);
    const backfillLockedBy = async () => {
      const [row] = await database.sql<{ lockedBy: string | null }[]>`
        select locked_by as "lockedBy" from graphile_worker.jobs where task_identifier = 'backfill-binding'`;
      return row?.lockedBy;
    };
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

    const portA = await freePort();
    const a = await start(env(portA));
    const bindingId = await bindSprint(database);
    holdPagesFrom(world.fake, 2);
    await enqueueBackfill(database, bindingId);
    await waitFor("A's run at page 1", checkpointAt(database, bindingId, 1), 30_000, a.output);
    const poolA = await backfillLockedBy();
    expect(poolA).toMatch(/^pool-/);

    // B runs beside the busy A for longer than the grace after which a free lock counts as gone: A's
    // job stays A's.
    const b = await start(env(await freePort()));
    await pause(GONE_AFTER_MS + 3_000);
    expect(await backfillLockedBy()).toBe(poolA);

    // A dies; B takes the job over from its checkpoint and holds it at page 4.
    holdPagesFrom(world.fake, 4);
    const killedAt = Date.now();
    await killHard(a);
    await waitFor("B's run at page 3", checkpointAt(database, bindingId, 3), RECOVERY_MS, b.output);
    expect(Date.now() - killedAt).toBeLessThan(RECOVERY_MS);
    const poolB = await backfillLockedBy();
    expect(poolB).toMatch(/^pool-/);
    expect(poolB).not.toBe(poolA);

    // A restarted beside the busy B leaves B's job alone, at its start and afterwards.
    const a2 = await start(env(portA));
    await pause(3_000);
    expect(await backfillLockedBy()).toBe(poolB);
    // B and the new A are registered; the killed A no longer is.
    const registered = await database.sql<{ pid: number; poolId: string | null }[]>`
      select pid, pool_id as "poolId" from worker_processes order by id`;
    expect(registered.map((r) => r.pid)).toEqual([b.child.pid, a2.child.pid]);
    expect(registered.map((r) => r.poolId)).toContain(poolB);
    expect(registered.map((r) => r.poolId)).not.toContain(poolA);

    world.fake.faults.clear();
    world.held.open();
    const done = await waitFor(
      "the backfill to finish",
      async () => {
        const s = await backfillState(database, bindingId);
        return s.status === "synced" && s.jobs === 0 && s;
      },
      RECOVERY_MS,
      () => b.output() + a2.output(),
    );
    expect(done).toEqual({
      status: "synced",
      cases: world.taskIds.length,
      distinctTasks: world.taskIds.length,
      timings: world.timings,
      jobs: 0,
    });
    // Pages 2 and 3 were asked by the killed A and by B; every other page once: nobody ran B's job twice.
    // (Page 6, past the last, is asked or not depending on how far ahead the client was.)
    const asked = pagesAsked(world.fake).filter((p) => !["active:2", "active:3", "active:6"].includes(p));
    expect(asked.sort()).toEqual(["active:0", "active:1", "active:4", "active:5", "archived:0"]);
    expect(pagesAsked(world.fake).filter((p) => p === "active:6").length).toBeLessThanOrEqual(1);
    await stop(a2);
    await stop(b);
  });
});
