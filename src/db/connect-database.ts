import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres, { type Sql } from "postgres";
import * as schema from "../../db/schema.ts";
import { connectIngestPool } from "./connect-ingest-pool.ts";

export type Db = PostgresJsDatabase<typeof schema> & { $client: Sql };
export type Database = {
  sql: Sql;
  db: Db;
  /** The ClickUp webhook route's own pool, with short timeouts (src/db/connect-ingest-pool.ts). */
  ingest: Sql;
  close(): Promise<void>;
};

/**
 * One postgres.js pool for the app, wrapped by drizzle, and the webhook route's small pool beside it
 * (postgres.js connects lazily: a process that serves no webhooks never opens it).
 * @param max pool size (default 20: Slack handlers and up to eight apply transactions of the worker
 *   share it).
 */
export function connectDatabase(url: string, max = 20): Database {
  const sql = postgres(url, { max, onnotice: () => {}, connect_timeout: 10 });
  const ingest = connectIngestPool(url);
  return {
    sql,
    db: drizzle(sql, { schema }),
    ingest,
    close: async () => {
      await Promise.all([sql.end({ timeout: 5 }), ingest.end({ timeout: 5 })]);
    },
  };
}
