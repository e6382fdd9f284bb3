import { type Logger as BoltLogger, LogLevel } from "@slack/bolt";
import type { Logger } from "../log/create-logger.ts";

/** Bolt's logger interface on top of ours, so Bolt's lines are structured and redacted too. */
export function boltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ component: "slack" });
  const line = (msg: unknown[]) => msg.map((m) => (typeof m === "string" ? m : JSON.stringify(m))).join(" ");
  return {
    debug: (...msg) => child.debug(line(msg)),
    info: (...msg) => child.info(line(msg)),
    warn: (...msg) => child.warn(line(msg)),
    error: (...msg) => child.error(line(msg)),
    setLevel: () => {},
    getLevel: () => LogLevel.INFO,
    setName: () => {},
  };
}
