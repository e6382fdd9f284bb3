import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres, { type Sql } from "postgres";
import * as schema from "../../db/schema.ts";
import { connectIngestPool } from "./connect-ingest-pool.ts";

export type Db = PostgresJsDatabase<typeof schema> & { $client: Sql };
export type Database = {
  /** Raw queries: timestamps come back as Dates, JSON parameters are values (`sql.json`). */
  sql: Sql;
  /** drizzle, on a pool of its own (see below). */
  db: Db;
  /** The ClickUp webhook route's own pool, with short timeouts (src/db/connect-ingest-pool.ts). */
  ingest: Sql;
  close(): Promise<void>;
};

/**
 * The app's postgres.js pool for raw queries, drizzle's own pool, and the webhook route's small pool
 * beside them (postgres.js connects lazily: a pool nobody queries never opens a connection).
 *
 * drizzle's postgres-js driver rewrites the parsers and serializers of the client it is handed (it
 * wants timestamps as strings and JSON parameters already encoded), so sharing one client would give
 * every raw query drizzle's conventions. On its own client it changes nothing the raw queries see.
 * A transaction is either raw (`sql.begin`) or drizzle's (`db.transaction`), never both.
 * @param max size of the raw pool (default 20: Slack handlers and up to eight apply transactions of
 *   the worker share it); drizzle's pool gets half of it.
 */
export function connectDatabase(url: string, max = 20): Database {
  const sql = postgres(url, { max, onnotice: () => {}, connect_timeout: 10, types: { date: dateOnly } });
  const drizzleClient = postgres(url, {
    max: Math.max(2, Math.ceil(max / 2)),
    onnotice: () => {},
    connect_timeout: 10,
  });
  const ingest = connectIngestPool(url);
  return {
    sql,
    db: drizzle(drizzleClient, { schema }),
    ingest,
    close: async () => {
      await Promise.all([
        sql.end({ timeout: 5 }),
        drizzleClient.end({ timeout: 5 }),
        ingest.end({ timeout: 5 }),
      ]);
    },
  };
}

/**
 * A calendar date (`date`, OID 1082) stays its `YYYY-MM-DD` text both ways: as a JS Date it would be
 * midnight UTC, a day off in every zone west of Greenwich. Timestamps (`timestamptz`) are Dates.
 */
const dateOnly = {
  to: 1082,
  from: [1082],
  serialize: (x: string) => x,
  parse: (x: string) => x,
};
