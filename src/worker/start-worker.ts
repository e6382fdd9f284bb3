import { parseCrontab, type Runner, run } from "graphile-worker";
import type { Logger } from "../log/create-logger.ts";
import { buildCrontab } from "./crontab.ts";
import type { JobDeps } from "./job-deps.ts";
import { loadJobs } from "./load-jobs.ts";
import { workerLogger } from "./worker-logger.ts";
import { openWorkerRegistry, type ReleasedWorkers, type WorkerRegistry } from "./worker-registry.ts";

/** How often a worker confirms its own registration and releases the jobs of workers that are gone (ms). */
const TICK_MS = 2_000;
/** Wait between attempts to record the pool id when the database does not answer (ms). */
const CLAIM_RETRY_MS = 1_000;

declare global {
  namespace GraphileConfig {
    interface Plugins {
      FlowbotWorkerRegistryPlugin: true;
    }
  }
}

export type WorkerHandle = {
  /** True while the runner is processing jobs (false after stop or a fatal error). */
  isRunning(): boolean;
  stop(): Promise<void>;
};

export type StartWorkerOptions = {
  /** Jobs run at once (default 4). */
  concurrency?: number;
  /** Replaces the app's schedule; "" means no cron at all. */
  crontab?: string;
  /** graphile-worker's poll interval (ms, default 1000). */
  pollInterval?: number;
  /** This process runs the database server (the embedded one): earlier workers' jobs are released at start. */
  ownsDatabase?: boolean;
  /** Grace before another worker's free lock counts as gone (ms; src/worker/worker-registry.ts). */
  goneAfterMs?: number;
};

/** One graphile-worker runner and the registration its jobs are locked under. */
type Run = {
  registry: WorkerRegistry;
  runner: Runner;
  running: boolean;
  /** Resolved when this run is being stopped. */
  stopping: Promise<void>;
  markStopping(): void;
  /** The registration is confirmed held: the pool may take jobs again. */
  clearDoubt(): void;
};

/**
 * Starts graphile-worker in this process, registered in worker_processes (worker-registry.ts) so that
 * a restart, or another worker, releases the jobs of a worker that was killed instead of waiting for
 * graphile-worker's four-hour stale-lock sweep. Signals are handled by flowbot's own shutdown, which
 * stops the worker gracefully (running jobs finish or are released back to the queue).
 *
 * Every TICK_MS the worker confirms its registration. If another worker has meanwhile taken it for gone
 * (its registry connection was down past the grace) and released its jobs, this runner stops and a
 * new one starts under a new registration, so a job never stays with two workers for long.
 */
export async function startWorker(
  url: string,
  deps: JobDeps,
  logger: Logger,
  options: StartWorkerOptions = {},
): Promise<WorkerHandle> {
  const taskList = await loadJobs(deps);
  // The app's schedule unless a caller (a test) passes its own; "" means no cron at all.
  const crontab = options.crontab ?? buildCrontab(deps.config, Object.keys(taskList));
  const concurrency = options.concurrency ?? 4;
  let stopped = false;

  const reportReleased = (released: ReleasedWorkers) => {
    if (released.pools.length === 0) return;
    logger.warn(
      { pools: released.pools, jobs: released.jobs },
      "released the jobs of job workers that are gone (killed or crashed); they run again now",
    );
  };

  const startRun = async (ownsDatabase: boolean): Promise<Run> => {
    let markStopping = () => {};
    const stopping = new Promise<void>((resolve) => (markStopping = resolve));
    // Set while the registry connection is down and the lock with it: another worker may be about to
    // release this pool's jobs, so the pool takes no new job until the lock is held again.
    let doubt: { settled: Promise<void>; clear(): void } | undefined;
    const { registry, released } = await openWorkerRegistry(url, {
      ownsDatabase,
      goneAfterMs: options.goneAfterMs,
      onConnectionLost: () => {
        if (doubt) return;
        let clear = () => {};
        const settled = new Promise<void>((resolve) => (clear = resolve));
        doubt = { settled, clear };
        logger.warn(
          "the job worker's registry connection closed; it takes no new job until it holds its lock again",
        );
      },
    });
    reportReleased(released);
    const clearDoubt = () => {
      doubt?.clear();
      doubt = undefined;
    };
    // Every worker of the pool waits for this before it asks for its first job.
    let claimed: Promise<void> | undefined;
    const claim = (poolId: string) => (claimed ??= claimPool(registry, poolId, stopping, logger));
    try {
      const runner = await run({
        connectionString: url,
        concurrency,
        noHandleSignals: true,
        pollInterval: options.pollInterval ?? 1000,
        taskList,
        // Parsed here so an empty schedule does not make graphile-worker look for a crontab file.
        parsedCronItems: parseCrontab(crontab),
        logger: workerLogger(logger),
        // Asked before every job fetch; only while in doubt does it wait (for the lock, or the stop).
        forbiddenFlags: () => (doubt ? Promise.race([doubt.settled, stopping]).then(() => null) : null),
        preset: {
          plugins: [
            {
              name: "FlowbotWorkerRegistryPlugin",
              worker: { hooks: { startWorker: (_ctx, event) => claim(event.worker.workerPool.id) } },
            },
          ],
        },
      });
      const current: Run = { registry, runner, running: true, stopping, markStopping, clearDoubt };
      runner.promise.then(
        () => {
          current.running = false;
        },
        (err: unknown) => {
          current.running = false;
          logger.error({ err }, "the job worker stopped unexpectedly");
        },
      );
      return current;
    } catch (err) {
      await registry.close().catch(() => {});
      throw err;
    }
  };

  const stopRun = async (r: Run) => {
    r.markStopping();
    await r.runner
      .stop()
      .catch((err: unknown) => logger.error({ err }, "the job worker did not stop cleanly"));
    r.running = false;
    // After the runner: what it still holds is unlocked with its registration.
    await r.registry
      .close()
      .catch((err: unknown) => logger.warn({ err }, "could not remove the worker's registration"));
  };

  let current: Run | undefined = await startRun(options.ownsDatabase ?? false);
  logger.info({ concurrency, registration: current.registry.id }, "job worker started");

  const tick = async () => {
    if (!current) {
      current = await startRun(false);
      logger.info({ registration: current.registry.id }, "job worker started again under a new registration");
      return;
    }
    const state = await current.registry.confirm();
    if (state === "gone") {
      logger.error(
        { registration: current.registry.id },
        "another worker took this one for gone (its database connection was down) and released its jobs; restarting the job worker",
      );
      const old = current;
      current = undefined;
      await stopRun(old);
      if (!stopped) await tick();
    } else if (state === "held") {
      current.clearDoubt();
      reportReleased(await current.registry.releaseGone());
    }
  };
  let ticking: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (ticking || stopped) return;
    ticking = tick()
      .catch((err: unknown) =>
        logger.warn({ err }, "could not check the job workers' registrations; will retry"),
      )
      .finally(() => {
        ticking = undefined;
      });
  }, TICK_MS);
  timer.unref();

  return {
    isRunning: () => current?.running ?? false,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await ticking;
      if (current) await stopRun(current);
    },
  };
}

/**
 * Records the pool id before any of its workers takes a job, retrying while the database does not
 * answer: a job locked under an unrecorded pool id would not be released if this process died. If the
 * registration is already gone, the pool takes no job: this waits until the supervisor stops the run.
 */
async function claimPool(registry: WorkerRegistry, poolId: string, stopping: Promise<void>, logger: Logger) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      if ((await registry.claimPool(poolId)) === "gone") await stopping;
      return;
    } catch (err) {
      if (attempt === 1) logger.warn({ err, poolId }, "could not record the job worker's pool id; retrying");
      const retry = new Promise<"retry">((resolve) => setTimeout(resolve, CLAIM_RETRY_MS, "retry"));
      if ((await Promise.race([retry, stopping])) !== "retry") return;
    }
  }
}
