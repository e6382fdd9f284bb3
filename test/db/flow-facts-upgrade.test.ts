import { readFile } from "node:fs/promises";
import { afterAll, describe, expect, it } from "vitest";
import { type Flowbot, startFlowbot } from "../../src/app/start-flowbot.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { testConfig } from "../helpers/test-config.ts";
import { useTestDatabase } from "../helpers/test-database.ts";

// An installation that tracked tasks before flow facts existed: the upgrade lists those cases and the
// worker derives their facts as soon as it starts, without waiting for a reconcile.
const database = useTestDatabase();
let flowbot: Flowbot | undefined;
const logs = captureLogs();
// After hooks run last-registered first: the app stops before its database is closed and dropped.
afterAll(async () => {
  await flowbot?.stop();
});

describe("upgrading an installation with tracked tasks to flow facts", () => {
  it("lists every case without facts, and the worker derives them at start-up", async () => {
    const { sql } = database;
    const [p] = await sql<{ id: string }[]>`
      insert into projects (slack_team_id, channel_id) values ('TUP', 'CUP') returning id`;
    const [b] = await sql<{ id: string }[]>`
      insert into bindings (project_id, container_type, container_id, container_name, container_path, space_id,
        sync_status, created_by)
      values (${p!.id}, 'list', '900', 'Backlog', 'Eng › Backlog', '10', 'synced', 'U1') returning id`;
    const [c] = await sql<{ id: string }[]>`
      insert into tracked_cases (binding_id, task_id, name, url, home_list_id, status_name, status_type,
        status_orderindex, date_created, date_updated)
      values (${b!.id}, 't-up', 'Old task', 'https://app.clickup.com/t/t-up', '900', 'in progress', 'custom', 1,
        '2026-01-05T09:00:00Z', '2026-01-07T09:00:00Z') returning id`;
    await sql`
      insert into status_transitions (case_id, binding_id, from_status, from_type, from_orderindex, to_status,
        to_type, to_orderindex, occurred_at, source, history_item_id)
      values (${c!.id}, ${b!.id}, 'to do', 'open', 0, 'in progress', 'custom', 1, '2026-01-06T09:00:00Z',
        'webhook', 'h-up')`;
    // As it was before the flow-facts migrations: no derived rows at all.
    await sql`delete from flow_case_status`;
    await sql`delete from flow_cases`;
    await sql`delete from flow_dirty_cases`;

    const migration = await readFile(
      new URL("../../db/migrations/0015_list_existing_cases_for_flow_facts.sql", import.meta.url),
      "utf8",
    );
    await sql.unsafe(migration);
    expect(await sql`select case_id::text as id from flow_dirty_cases`).toEqual([{ id: c!.id }]);

    flowbot = await startFlowbot({
      config: testConfig({ DATABASE_URL: database.url }),
      logger: logs.logger,
      crontab: "",
      workerPollInterval: 50,
    });
    const until = Date.now() + 15_000;
    let row: { started: Date | string } | undefined;
    while (!row && Date.now() < until) {
      [row] = await sql<{ started: Date | string }[]>`
        select started_at as started from flow_cases
        where case_id = ${c!.id} and not exists (select 1 from flow_dirty_cases)`;
      if (!row) await new Promise((r) => setTimeout(r, 50));
    }
    expect(row).toBeDefined();
    expect(new Date(row!.started).toISOString()).toBe("2026-01-06T09:00:00.000Z");
  });
});
