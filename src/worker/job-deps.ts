import type { WebClient } from "@slack/web-api";
import type { ClickUpClient } from "../clickup/index.ts";
import type { Config } from "../config/load-config.ts";
import type { Sealer } from "../crypto/sealer.ts";
import type { Database } from "../db/connect-database.ts";
import type { Logger } from "../log/create-logger.ts";
import type { IngestPressure } from "../sync/ingest-pressure.ts";

/** What every job may use; passed in so tests inject their own clock and fakes. */
export type JobDeps = {
  config: Config;
  database: Database;
  logger: Logger;
  /** Milliseconds since the epoch. */
  now: () => number;
  /** Opens sealed ClickUp tokens and webhook secrets. */
  sealer: Sealer;
  /** A ClickUp client for a token, sharing the process's per-token rate-limit budget with Slack handlers. */
  clickup: (token: string) => ClickUpClient;
  /** Slack Web API client for messages from jobs; absent when Slack is not configured. */
  slack?: WebClient;
  /** The webhook route's load when it runs in this process (FLOWBOT_ROLE=all); the apply job yields to it. */
  ingestPressure?: IngestPressure;
};
