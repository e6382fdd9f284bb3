import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, inject } from "vitest";
import { connectDatabase, type Database } from "../../src/db/connect-database.ts";
import { TEMPLATE_DB } from "../setup/global-postgres.ts";

export type TestDatabase = { url: string; name: string; drop(): Promise<void> };

/**
 * A fresh, migrated database for one test file (a copy of the template the global setup made).
 * @param migrated false for an empty database (migration tests).
 */
export async function createTestDatabase(migrated = true): Promise<TestDatabase> {
  const adminUrl = inject("pgAdminUrl");
  const name = `t_${randomBytes(6).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(
    migrated ? `create database ${name} template ${TEMPLATE_DB}` : `create database ${name}`,
  );
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const a = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

/**
 * A fresh migrated database and the app's connection to it for the calling test file: made before its
 * tests, closed and dropped after them. Call it at the top level of the file, where its hooks then run
 * in the order they stand among the file's own.
 */
export function useTestDatabase(): Database & { readonly url: string } {
  let tdb: TestDatabase | undefined;
  let database: Database | undefined;
  beforeAll(async () => {
    tdb = await createTestDatabase();
    database = connectDatabase(tdb.url);
  });
  afterAll(async () => {
    await database?.close();
    await tdb?.drop();
  });
  const current = () => {
    if (!database || !tdb)
      throw new Error("the test database is made in beforeAll: use it inside a hook or test");
    return { database, tdb };
  };
  return {
    get sql() {
      return current().database.sql;
    },
    get db() {
      return current().database.db;
    },
    get ingest() {
      return current().database.ingest;
    },
    get url() {
      return current().tdb.url;
    },
    close: () => current().database.close(),
  };
}
