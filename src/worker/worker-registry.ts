import { hostname } from "node:os";
import postgres, { type Sql, type TransactionSql } from "postgres";

/**
 * First key of the advisory lock each worker process holds; the second is its worker_processes id.
 * Arbitrary; a two-key lock never collides with the one-key migration lock (src/db/run-migrations.ts).
 */
export const WORKER_LOCK_SPACE = 73_910_202;
/**
 * How long a registration's lock must stay free before its jobs are released (ms). A live process whose
 * registry connection dropped (a network blip, a database restart) takes its lock back within a tick
 * of its supervisor (src/worker/start-worker.ts), well inside this.
 */
export const GONE_AFTER_MS = 5_000;

/** Jobs unlocked for the worker pools of processes found gone. */
export type ReleasedWorkers = { pools: string[]; jobs: number };

export type WorkerRegistry = {
  /** This process's row in worker_processes. */
  readonly id: number;
  /** Records the graphile-worker pool id this process's jobs will be locked by; "gone" if the row is. */
  claimPool(poolId: string): Promise<"claimed" | "gone">;
  /**
   * "held": this process still holds its lock and its row (the lock is taken back after a reconnect).
   * "gone": another worker found the lock free, released this process's jobs and deleted its row: its
   * runner must stop and register again. "unsure": another worker is checking the lock right now.
   */
  confirm(): Promise<"held" | "gone" | "unsure">;
  /** Releases the jobs of every other registered process whose lock has been free for the grace. */
  releaseGone(): Promise<ReleasedWorkers>;
  /** Deletes this process's row and unlocks whatever its pool still holds (call after its runner stopped). */
  close(): Promise<void>;
};

export type WorkerRegistryOptions = {
  /**
   * True when this process runs the database server itself (the embedded one): every worker registered
   * or holding a lock there belonged to an earlier run of this process and is gone, so all of their
   * jobs are released at once, with no grace.
   */
  ownsDatabase: boolean;
  /** Grace before a free lock counts as gone (ms, default GONE_AFTER_MS). */
  goneAfterMs?: number;
  /**
   * Called when the registry connection closes unasked: the lock went with it, and until confirm()
   * says "held" again another worker may take this one for gone.
   */
  onConnectionLost?: () => void;
};

/**
 * Registers this process as a job worker on its own connection, which it keeps (and its advisory lock
 * with it) until close(). Postgres ends a killed process's session as soon as the kernel closes its
 * socket, and the TCP keepalives set here end one whose machine vanished within about 25 s; either way
 * the lock comes free, and that is what tells other workers the process is gone. A worker's liveness
 * never rests on a clock or on how busy its event loop is.
 */
export async function openWorkerRegistry(
  url: string,
  options: WorkerRegistryOptions,
): Promise<{ registry: WorkerRegistry; released: ReleasedWorkers }> {
  const goneAfterMs = options.goneAfterMs ?? GONE_AFTER_MS;
  let closing = false;
  const sql = postgres(url, {
    max: 1,
    // The lock lives as long as this one connection: it is never recycled.
    idle_timeout: 0,
    max_lifetime: null,
    connect_timeout: 10,
    onnotice: () => {},
    onclose: () => {
      if (!closing) options.onConnectionLost?.();
    },
    connection: {
      application_name: "flowbot worker registry",
      tcp_keepalives_idle: 10,
      tcp_keepalives_interval: 5,
      tcp_keepalives_count: 3,
    },
  });
  try {
    const releasedAll = options.ownsDatabase ? await releaseAll(sql) : { pools: [], jobs: 0 };
    const id = await register(sql);
    const releasedGone = await releaseGone(sql, id, goneAfterMs);
    const registry: WorkerRegistry = {
      id,
      async claimPool(poolId) {
        const rows = await sql`update worker_processes set pool_id = ${poolId} where id = ${id} returning id`;
        return rows.length > 0 ? "claimed" : "gone";
      },
      async confirm() {
        const [lock] = await sql<{ held: boolean }[]>`
          select case
            when exists (
              select 1 from pg_locks
              where locktype = 'advisory' and pid = pg_backend_pid() and granted
                and classid = ${WORKER_LOCK_SPACE}::oid and objid = ${id}::oid and objsubid = 2
            ) then true
            else pg_try_advisory_lock(${WORKER_LOCK_SPACE}::int, ${id}::int)
          end as held`;
        if (!lock!.held) return "unsure";
        const rows =
          await sql`update worker_processes set lock_free_since = null where id = ${id} returning id`;
        return rows.length > 0 ? "held" : "gone";
      },
      releaseGone: () => releaseGone(sql, id, goneAfterMs),
      async close() {
        try {
          await sql.begin(async (tx) => {
            const [row] = await tx<{ poolId: string | null }[]>`
              delete from worker_processes where id = ${id} returning pool_id as "poolId"`;
            if (row?.poolId) await forceUnlock(tx, [row.poolId]);
          });
        } finally {
          closing = true;
          await sql.end({ timeout: 5 });
        }
      },
    };
    return {
      registry,
      released: {
        pools: [...releasedAll.pools, ...releasedGone.pools],
        jobs: releasedAll.jobs + releasedGone.jobs,
      },
    };
  } catch (err) {
    closing = true;
    await sql.end({ timeout: 5 }).catch(() => {});
    throw err;
  }
}

/** Inserts the row and takes its lock in one transaction: no other worker ever sees the row unlocked. */
async function register(sql: Sql): Promise<number> {
  return sql.begin(async (tx) => {
    const [row] = await tx<{ id: number }[]>`
      insert into worker_processes (host, pid) values (${hostname()}, ${process.pid}) returning id`;
    // Session-level: it outlives this transaction and ends only with the connection.
    await tx`select pg_advisory_lock(${WORKER_LOCK_SPACE}::int, ${row!.id}::int)`;
    return row!.id;
  });
}

/**
 * Other workers' rows whose lock this session can take are those whose session has ended (or one
 * momentarily checked by another worker, which then holds it instead). The first time one is found free
 * it is marked; once it has stayed free for the grace, its pool's jobs are unlocked and the row deleted,
 * in the transaction that holds its lock, so its owner cannot take the lock back meanwhile.
 */
async function releaseGone(sql: Sql, selfId: number, goneAfterMs: number): Promise<ReleasedWorkers> {
  return sql.begin(async (tx) => {
    const free = await tx<{ id: number }[]>`
      select id from worker_processes
      where id <> ${selfId} and pg_try_advisory_xact_lock(${WORKER_LOCK_SPACE}::int, id)`;
    if (free.length === 0) return { pools: [], jobs: 0 };
    const ids = free.map((r) => r.id);
    await tx`update worker_processes set lock_free_since = now()
      where id = any(${ids}::int[]) and lock_free_since is null`;
    const gone = await tx<{ poolId: string | null }[]>`
      delete from worker_processes
      where id = any(${ids}::int[]) and lock_free_since <= now() - ${goneAfterMs} * interval '1 millisecond'
      returning pool_id as "poolId"`;
    const pools = gone.flatMap((g) => (g.poolId ? [g.poolId] : []));
    return { pools, jobs: await forceUnlock(tx, pools) };
  });
}

/**
 * With the database server our own, every registration and every lock is from an earlier run. Queue
 * locks are read from graphile-worker's private table because force_unlock_workers clears them too, and
 * a queue can stay locked by a pool that no longer holds any of its jobs.
 */
async function releaseAll(sql: Sql): Promise<ReleasedWorkers> {
  return sql.begin(async (tx) => {
    await tx`delete from worker_processes`;
    const rows = await tx<{ lockedBy: string }[]>`
      select locked_by as "lockedBy" from graphile_worker.jobs where locked_by is not null
      union
      select locked_by from graphile_worker._private_job_queues where locked_by is not null`;
    const pools = rows.map((r) => r.lockedBy);
    return { pools, jobs: await forceUnlock(tx, pools) };
  });
}

/** Why a released job that will not run again is marked as failed (graphile_worker.jobs.last_error). */
export const KILLED_JOB_ERROR =
  "flowbot: the worker process running this job was killed; it is not retried because it had used its last attempt or a newer job with its key had replaced it";

/**
 * graphile-worker's own force_unlock_workers (what WorkerUtils.forceUnlockWorkers runs), here inside the
 * caller's transaction: it clears the jobs' and queues' locks and leaves run_at and attempts as they
 * are, so a released job is due at once. A released job with no attempt left (add_job spends a running
 * job's attempts when a newer job takes its key) would stay with no error: it is marked failed with
 * KILLED_JOB_ERROR instead (graphile-worker's permanently_fail_jobs). Returns how many jobs it unlocked.
 */
async function forceUnlock(tx: TransactionSql, pools: string[]): Promise<number> {
  if (pools.length === 0) return 0;
  const jobs = await tx<{ id: string; spent: boolean }[]>`
    select id::text, attempts >= max_attempts as spent from graphile_worker.jobs
    where locked_by = any(${pools}::text[])`;
  await tx`select graphile_worker.force_unlock_workers(${pools}::text[])`;
  const spent = jobs.filter((j) => j.spent).map((j) => j.id);
  if (spent.length > 0) {
    await tx`select count(*) from graphile_worker.permanently_fail_jobs(${spent}::bigint[], ${KILLED_JOB_ERROR})`;
  }
  return jobs.length;
}
