import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres, { type Sql } from "postgres";
import * as schema from "../../db/schema.ts";

export type Db = PostgresJsDatabase<typeof schema> & { $client: Sql };
export type Database = { sql: Sql; db: Db; close(): Promise<void> };

/**
 * One postgres.js pool for the app, wrapped by drizzle.
 * @param max pool size (default 20: the webhook route's group commits, Slack handlers and up to
 *   eight apply transactions of the worker share it).
 */
export function connectDatabase(url: string, max = 20): Database {
  const sql = postgres(url, { max, onnotice: () => {}, connect_timeout: 10 });
  return { sql, db: drizzle(sql, { schema }), close: () => sql.end({ timeout: 5 }) };
}
