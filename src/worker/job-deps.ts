import type { Config } from "../config/load-config.ts";
import type { Database } from "../db/connect-database.ts";
import type { Logger } from "../log/create-logger.ts";

/** What every job may use; passed in so tests inject their own clock and fakes. */
export type JobDeps = {
  config: Config;
  database: Database;
  logger: Logger;
  /** Milliseconds since the epoch. */
  now: () => number;
};
