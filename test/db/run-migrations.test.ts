import { readFileSync } from "node:fs";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMigrations } from "../../src/db/run-migrations.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(false);
});
afterAll(() => db.drop());

describe("runMigrations", () => {
  it("lets several processes migrate one empty database at once, applying each migration once", async () => {
    const { logger } = captureLogs();
    await Promise.all([
      runMigrations(db.url, logger),
      runMigrations(db.url, logger),
      runMigrations(db.url, logger),
    ]);
    const sql = postgres(db.url, { max: 1, onnotice: () => {} });
    try {
      const tables = await sql<{ table_name: string }[]>`
        select table_name from information_schema.tables where table_schema = 'public' order by 1`;
      expect(tables.map((t) => t.table_name)).toEqual([
        "alert_log",
        "binding_goals",
        "bindings",
        "blocked_intervals",
        "blocked_rules",
        "clickup_goal_reads",
        "clickup_members",
        "clickup_webhooks",
        "comment_sentiment",
        "connections",
        "custom_field_definitions",
        "custom_task_types",
        "db_function_files",
        "digest_runs",
        "flow_case_status",
        "flow_cases",
        "flow_dirty_cases",
        "holiday_settings",
        "people_sync_state",
        "project_holidays",
        "projects",
        "rework_events",
        "segment_settings",
        "signal_settings",
        "slack_requests_seen",
        "slack_views",
        "snoozes",
        "stage_overrides",
        "status_timings",
        "status_transitions",
        "sync_errors",
        "time_entries",
        "tracked_cases",
        "tracked_forecasts",
        "webhook_deliveries",
        "wip_alert_settings",
        "wip_limits",
        "worker_processes",
      ]);
      const journal = JSON.parse(readFileSync("db/migrations/meta/_journal.json", "utf8")) as {
        entries: unknown[];
      };
      const applied = await sql`select count(*)::int as n from drizzle.__drizzle_migrations`;
      expect(applied[0]!.n).toBe(journal.entries.length);
      const [worker] =
        await sql`select count(*)::int as n from information_schema.schemata where schema_name = 'graphile_worker'`;
      expect(worker!.n).toBe(1);
      // Running again is a no-op.
      await runMigrations(db.url, logger);
      expect((await sql`select count(*)::int as n from drizzle.__drizzle_migrations`)[0]!.n).toBe(
        journal.entries.length,
      );
    } finally {
      await sql.end();
    }
  });

  it("enforces the idempotency key of the delivery inbox", async () => {
    const sql = postgres(db.url, { max: 1, onnotice: () => {} });
    try {
      const insert = () =>
        sql`insert into webhook_deliveries (idempotency_key, webhook_id, event, body)
            values ('wh:1', 'wh', 'taskUpdated', '{}') on conflict do nothing`;
      await insert();
      await insert();
      expect((await sql`select count(*)::int as n from webhook_deliveries`)[0]!.n).toBe(1);
    } finally {
      await sql.end();
    }
  });
});
