import { afterEach, describe, expect, it } from "vitest";
import {
  KILLED_JOB_ERROR,
  openWorkerRegistry,
  WORKER_LOCK_SPACE,
  type WorkerRegistry,
} from "../../src/worker/worker-registry.ts";
import { useTestDatabase } from "../helpers/test-database.ts";

// The registry against real Postgres: a worker's liveness is its session's advisory lock, so these
// tests end sessions the way Postgres does when a process dies (pg_terminate_backend) and check what
// other workers then release. Jobs are added with graphile-worker's add_job and locked as its job
// fetch locks them (locked_by = the pool id, locked_at = now()).
const database = useTestDatabase();
const GRACE_MS = 300;

const open: WorkerRegistry[] = [];
afterEach(async () => {
  for (const r of open.splice(0)) await r.close().catch(() => {});
  await database.sql`delete from worker_processes`;
  await database.sql`delete from graphile_worker._private_jobs`;
});

async function registry(options: { ownsDatabase?: boolean; goneAfterMs?: number } = {}) {
  const opened = await openWorkerRegistry(database.url, {
    ownsDatabase: options.ownsDatabase ?? false,
    goneAfterMs: options.goneAfterMs ?? GRACE_MS,
  });
  open.push(opened.registry);
  return opened;
}

/** A job locked by `poolId`, in `queue` when given, with `attempts` of `maxAttempts` spent. */
async function lockedJob(
  poolId: string,
  opts: { queue?: string; attempts?: number; maxAttempts?: number } = {},
) {
  const [job] = await database.sql<{ id: string }[]>`
    select id::text from graphile_worker.add_job('backfill-binding', '{"bindingId": 1}'::json,
      queue_name := ${opts.queue ?? null}, max_attempts := ${opts.maxAttempts ?? 10})`;
  await database.sql`
    update graphile_worker._private_jobs set locked_by = ${poolId}, locked_at = now(),
      attempts = ${opts.attempts ?? 1} where id = ${job!.id}`;
  if (opts.queue) {
    await database.sql`
      update graphile_worker._private_job_queues set locked_by = ${poolId}, locked_at = now()
      where queue_name = ${opts.queue}`;
  }
  return job!.id;
}

async function job(id: string) {
  const [row] = await database.sql<
    { lockedBy: string | null; attempts: number; lastError: string | null; due: boolean }[]
  >`
    select locked_by as "lockedBy", attempts, last_error as "lastError", run_at <= now() as due
    from graphile_worker.jobs where id = ${id}`;
  return row;
}

/** Ends the registration's session as Postgres does when its process is killed. */
async function endSession(r: WorkerRegistry) {
  const [row] = await database.sql<{ ended: boolean }[]>`
    select pg_terminate_backend(pid) as ended from pg_locks
    where locktype = 'advisory' and granted and classid = ${WORKER_LOCK_SPACE}::oid
      and objid = ${r.id}::oid and objsubid = 2`;
  expect(row?.ended).toBe(true);
  // Terminating is asynchronous: wait until the lock is free.
  for (;;) {
    const [held] = await database.sql`
      select 1 from pg_locks where locktype = 'advisory' and classid = ${WORKER_LOCK_SPACE}::oid
        and objid = ${r.id}::oid and objsubid = 2`;
    if (!held) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("worker registry", () => {
  it("never releases the jobs of a worker whose session lives, however long it runs", async () => {
    const { registry: a } = await registry();
    expect(await a.claimPool("pool-a")).toBe("claimed");
    const id = await lockedJob("pool-a", { queue: "apply-deliveries:1" });
    const { registry: b, released } = await registry();
    expect(released).toEqual({ pools: [], jobs: 0 });
    for (let i = 0; i < 3; i += 1) {
      expect(await b.releaseGone()).toEqual({ pools: [], jobs: 0 });
      await pause(GRACE_MS / 2);
    }
    expect((await job(id))?.lockedBy).toBe("pool-a");
    expect(await a.confirm()).toBe("held");
  });

  it("releases a gone worker's jobs and queue once its lock has stayed free for the grace, due at once", async () => {
    const { registry: a } = await registry();
    await a.claimPool("pool-a");
    const id = await lockedJob("pool-a", { queue: "apply-deliveries:1", attempts: 2 });
    const { registry: b } = await registry();
    await endSession(a);

    // Found free, not yet gone: the owner may be reconnecting.
    expect(await b.releaseGone()).toEqual({ pools: [], jobs: 0 });
    expect((await job(id))?.lockedBy).toBe("pool-a");
    await pause(GRACE_MS + 50);
    expect(await b.releaseGone()).toEqual({ pools: ["pool-a"], jobs: 1 });

    expect(await job(id)).toEqual({ lockedBy: null, attempts: 2, lastError: null, due: true });
    const [queue] = await database.sql`
      select locked_by from graphile_worker._private_job_queues where queue_name = 'apply-deliveries:1'`;
    expect(queue).toEqual({ locked_by: null });
    expect(await database.sql`select id from worker_processes`).toEqual([{ id: b.id }]);
    // The owner, were it still alive, learns it was taken for gone.
    expect(await a.confirm()).toBe("gone");
  });

  it("keeps a worker that takes its lock back within the grace after its connection dropped", async () => {
    const { registry: a } = await registry();
    await a.claimPool("pool-a");
    const id = await lockedJob("pool-a");
    const { registry: b } = await registry();
    await endSession(a);
    expect(await b.releaseGone()).toEqual({ pools: [], jobs: 0 }); // marked free

    expect(await a.confirm()).toBe("held"); // reconnects and takes the lock back
    await pause(GRACE_MS + 50);
    expect(await b.releaseGone()).toEqual({ pools: [], jobs: 0 });
    expect((await job(id))?.lockedBy).toBe("pool-a");
    const [row] = await database.sql`select lock_free_since from worker_processes where id = ${a.id}`;
    expect(row).toEqual({ lock_free_since: null });
  });

  it("fails a released job that has no attempt left, saying why, instead of leaving it without an error", async () => {
    const { registry: a } = await registry();
    await a.claimPool("pool-a");
    const spent = await lockedJob("pool-a", { attempts: 10, maxAttempts: 10 });
    const retried = await lockedJob("pool-a", { attempts: 1 });
    await endSession(a);
    // A worker starting now releases them at once (its start-up sweep, no grace here).
    const { released } = await registry({ goneAfterMs: 0 });
    expect(released).toEqual({ pools: ["pool-a"], jobs: 2 });
    expect(await job(spent)).toMatchObject({ lockedBy: null, attempts: 10, lastError: KILLED_JOB_ERROR });
    expect(await job(retried)).toMatchObject({ lockedBy: null, attempts: 1, lastError: null });
  });

  it("with the database its own, releases every earlier lock at start, registered or not", async () => {
    const { registry: a } = await registry();
    await a.claimPool("pool-a");
    const registered = await lockedJob("pool-a", { queue: "apply-deliveries:1" });
    // A pool no registration names (a worker from before registrations existed).
    const unregistered = await lockedJob("pool-old");
    await endSession(a);

    const { registry: c, released } = await registry({ ownsDatabase: true });
    expect(released.pools.sort()).toEqual(["pool-a", "pool-old"]);
    expect(released.jobs).toBe(2);
    expect((await job(registered))?.lockedBy).toBeNull();
    expect((await job(unregistered))?.lockedBy).toBeNull();
    expect(await database.sql`select id from worker_processes`).toEqual([{ id: c.id }]);
  });

  it("leaves the jobs of an unregistered pool to graphile-worker's own stale-lock sweep on a shared database", async () => {
    const unregistered = await lockedJob("pool-old");
    const { released } = await registry({ goneAfterMs: 0 });
    expect(released).toEqual({ pools: [], jobs: 0 });
    expect((await job(unregistered))?.lockedBy).toBe("pool-old");
  });

  it("on close, removes its row and unlocks whatever its pool still held", async () => {
    const { registry: a } = await registry();
    await a.claimPool("pool-a");
    const id = await lockedJob("pool-a");
    await a.close();
    open.splice(open.indexOf(a), 1);
    expect((await job(id))?.lockedBy).toBeNull();
    expect(await database.sql`select id from worker_processes`).toEqual([]);
  });
});
