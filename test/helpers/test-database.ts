import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { inject } from "vitest";
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
