import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { runMigrations } from "../../src/db/run-migrations.ts";
import { startEmbeddedPostgres } from "../../src/db/start-embedded-postgres.ts";
import { createLogger } from "../../src/log/create-logger.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** URL of a maintenance database on the test server; test files create their own databases from it. */
    pgAdminUrl: string;
  }
}

export const TEMPLATE_DB = "flowbot_test_template";

/**
 * One Postgres server for the whole run: the embedded one (throwaway, fsync off), or the server
 * TEST_DATABASE_URL points at. A migrated template database makes each test file's fresh
 * database a cheap copy.
 */
export default async function setup(project: TestProject) {
  const logger = createLogger("silent");
  let adminUrl = process.env.TEST_DATABASE_URL;
  let stop = async () => {};
  if (!adminUrl) {
    const dir = await mkdtemp(path.join(tmpdir(), "flowbot-test-pg-"));
    const embedded = await startEmbeddedPostgres({
      dir,
      logger,
      settings: { fsync: "off", synchronous_commit: "off", full_page_writes: "off" },
    });
    adminUrl = embedded.adminUrl;
    stop = async () => {
      await embedded.stop();
      await rm(dir, { recursive: true, force: true });
    };
  }
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${TEMPLATE_DB}`);
  await admin.unsafe(`create database ${TEMPLATE_DB}`);
  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${TEMPLATE_DB}`;
  await runMigrations(templateUrl.toString(), logger);
  await admin.end();
  project.provide("pgAdminUrl", adminUrl);
  return stop;
}
