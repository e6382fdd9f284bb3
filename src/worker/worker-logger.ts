import { Logger as WorkerLogger } from "graphile-worker";
import type { Logger } from "../log/create-logger.ts";

const levels = { error: "error", warning: "warn", info: "info", debug: "debug" } as const;

/** Routes graphile-worker's own log lines into our structured logger. */
export function workerLogger(logger: Logger): WorkerLogger {
  const child = logger.child({ component: "worker" });
  return new WorkerLogger((scope) => (level, message, meta) => {
    child[levels[level] ?? "info"]({ ...scope, ...meta }, message);
  });
}
