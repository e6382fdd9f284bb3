import { Writable } from "node:stream";
import { createLogger, type Logger } from "../../src/log/create-logger.ts";

/** A real logger whose JSON lines are kept in memory, so tests can assert on what was logged. */
export function captureLogs(level = "debug"): {
  logger: Logger;
  lines: Record<string, unknown>[];
  text(): string;
} {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return {
    logger: createLogger(level, stream),
    lines,
    text: () => lines.map((l) => JSON.stringify(l)).join("\n"),
  };
}
