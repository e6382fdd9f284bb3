import type { Sql } from "postgres";
import type { ClickUpClient } from "../../clickup/create-clickup-client.ts";
import type { Sealer } from "../../crypto/sealer.ts";
import type { Db } from "../../db/connect-database.ts";
import type { Logger } from "../../log/create-logger.ts";

export type BackfillPhase = "webhook" | "tasks" | "done";

export interface BackfillProgress {
  /** Tasks stored so far in this run. */
  tasks: number;
  /** Task pages stored so far in this run. */
  pages: number;
  /** ClickUp requests made so far in this run. */
  requests: number;
  phase: BackfillPhase;
}

export interface BackfillDeps {
  db: Db;
  /** Raw queries (src/db/connect-database.ts). */
  sql: Sql;
  /** A client for the binding's connection token. */
  clickup: ClickUpClient;
  logger: Logger;
  /** Milliseconds since the epoch. */
  now: () => number;
  /** PUBLIC_URL; without it no webhook is registered. */
  publicUrl?: string;
  sealer: Sealer;
  signal?: AbortSignal;
  /** Called after each stored page and phase change; throwing aborts the run (the checkpoint stays). */
  onProgress?: (p: BackfillProgress) => void;
}

/** Passes of the task pull: live tasks first, then archived ones. */
export type BackfillPass = "active" | "archived";

/** Last stored page; a retried run resumes at the page after it. */
export interface BackfillCheckpoint {
  pass: BackfillPass;
  page: number;
}

export type BackfillResult =
  | { status: "synced"; tasks: number; pages: number; requests: number; warning: string | null }
  | { status: "error"; code: string; reason: string };
