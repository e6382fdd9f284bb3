import { Logger as WorkerLogger } from "graphile-worker";
import pino from "pino";
import { type Logger, maskTokens } from "../log/create-logger.ts";

const levels = { error: "error", warning: "warn", info: "info", debug: "debug" } as const;

/**
 * Routes graphile-worker's own log lines into our structured logger. graphile-worker passes errors
 * under keys such as `error`; they go under `err` (the logger's error serializer) or are serialized here
 * the same way, tokens masked, because an error object the logger's redaction walks into can throw while being logged — a job
 * aborted at shutdown fails with an AbortError (a DOMException), whose getters do — and a throwing log
 * call inside graphile-worker ends that worker.
 */
export function workerLogger(logger: Logger): WorkerLogger {
  const child = logger.child({ component: "worker" });
  return new WorkerLogger((scope) => (level, message, meta) => {
    child[levels[level] ?? "info"](serializeErrors({ ...scope, ...meta }), message);
  });
}

function serializeErrors(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (!(value instanceof Error)) {
      out[key] = value;
      continue;
    }
    // Under `err` the logger's own serializer takes it; elsewhere it is serialized the same way here.
    if (key === "error" || key === "err") {
      out.err = value;
      continue;
    }
    const serialized = pino.stdSerializers.err(value);
    out[key] = {
      ...serialized,
      message: maskTokens(serialized.message),
      stack: maskTokens(serialized.stack),
    };
  }
  return out;
}
