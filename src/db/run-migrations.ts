import path from "node:path";
import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { runMigrations as runWorkerMigrations } from "graphile-worker";
import postgres from "postgres";
import type { Logger } from "../log/create-logger.ts";
import { applyDbFunctions } from "./apply-db-functions.ts";

const migrationsFolder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../db/migrations");

/** Arbitrary constant: the advisory lock every flowbot process takes around migrations. */
const MIGRATION_LOCK = 73_910_201;

/**
 * Brings the database schema (flowbot's and graphile-worker's) up to date: the versioned migrations
 * (schema and data moves), then the SQL functions and triggers of db/functions/ whose files changed.
 * Processes starting at the same time queue on a Postgres advisory lock, so only one applies each.
 */
export async function runMigrations(url: string, logger: Logger): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK})`;
    try {
      await migrate(drizzle(sql), { migrationsFolder });
      const applied = await applyDbFunctions(sql);
      if (applied.length > 0) logger.info({ files: applied }, "SQL functions and triggers updated");
      await runWorkerMigrations({ connectionString: url, logger: undefined });
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK})`;
    }
    logger.info("database schema is up to date");
  } finally {
    await sql.end({ timeout: 5 });
  }
}
