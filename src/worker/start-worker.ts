import { parseCrontab, type Runner, run } from "graphile-worker";
import type { Logger } from "../log/create-logger.ts";
import { buildCrontab } from "./crontab.ts";
import type { JobDeps } from "./job-deps.ts";
import { loadJobs } from "./load-jobs.ts";
import { workerLogger } from "./worker-logger.ts";

export type WorkerHandle = {
  /** True while the runner is processing jobs (false after stop or a fatal error). */
  isRunning(): boolean;
  stop(): Promise<void>;
};

/**
 * Starts graphile-worker in this process. Signals are handled by flowbot's own shutdown, which
 * stops the worker gracefully (running jobs finish or are released back to the queue).
 * @param concurrency jobs run at once (default 4).
 */
export async function startWorker(
  url: string,
  deps: JobDeps,
  logger: Logger,
  options: { concurrency?: number; crontab?: string; pollInterval?: number } = {},
): Promise<WorkerHandle> {
  const taskList = await loadJobs(deps);
  // The app's schedule unless a caller (a test) passes its own; "" means no cron at all.
  const crontab = options.crontab ?? buildCrontab(deps.config, Object.keys(taskList));
  const runner: Runner = await run({
    connectionString: url,
    concurrency: options.concurrency ?? 4,
    noHandleSignals: true,
    pollInterval: options.pollInterval ?? 1000,
    taskList,
    // Parsed here so an empty schedule does not make graphile-worker look for a crontab file.
    parsedCronItems: parseCrontab(crontab),
    logger: workerLogger(logger),
  });
  let running = true;
  runner.promise.then(
    () => {
      running = false;
    },
    (err: unknown) => {
      running = false;
      logger.error({ err }, "the job worker stopped unexpectedly");
    },
  );
  logger.info({ concurrency: options.concurrency ?? 4 }, "job worker started");
  return {
    isRunning: () => running,
    async stop() {
      if (!running) return;
      await runner.stop();
      running = false;
    },
  };
}
