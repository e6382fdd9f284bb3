import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

// The tracked_cases update trigger's plan is cached per connection with the row estimate of its first
// run. After a bulk update (a backfill page) the same connection's one-row updates (live-sync applies)
// must still probe status_transitions' index, never scan the whole table to build a hash.
let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await createTestDatabase();
});
afterAll(async () => {
  await tdb?.drop();
});

describe("the tracked_cases update trigger", () => {
  it("probes the index for each changed case, even after a bulk update planned it for many rows", async () => {
    const setup = postgres(tdb.url, { max: 1, onnotice: () => {} });
    const [b] = await setup<{ id: string }[]>`
      with p as (insert into projects (slack_team_id, channel_id) values ('TPLAN', 'CPLAN') returning id)
      insert into bindings (project_id, container_type, container_id, container_name, container_path, space_id,
        sync_status, created_by)
      select id, 'list', '900', 'Backlog', 'Eng › Backlog', '10', 'synced', 'U1' from p returning id`;
    await setup`
      insert into tracked_cases (binding_id, task_id, name, url, home_list_id, status_name, status_type,
        status_orderindex, date_created, date_updated)
      select ${b!.id}, 'tp' || i, 'Task ' || i, 'https://app.clickup.com/t/tp' || i, '900', 'to do', 'open', 0,
        '2026-01-05T09:00:00Z', '2026-01-05T09:00:00Z'
      from generate_series(1, 3000) i`;
    // Cases 1–2000 have history; the rest (the bulk-updated ones among them) have none.
    await setup`
      insert into status_transitions (case_id, binding_id, from_status, from_type, from_orderindex, to_status,
        to_type, to_orderindex, occurred_at, source, inferred, history_item_id)
      select c.id, c.binding_id, 'to do', 'open', 0, 'in progress', 'custom', 1,
        timestamptz '2026-01-05T10:00:00Z' + g * interval '1 minute', 'webhook', false, c.task_id || ':' || g
      from tracked_cases c, generate_series(1, 10) g
      where c.task_id ~ '^tp([1-9]|[1-9][0-9]{1,2}|1[0-9]{3}|2000)$'`;
    await setup`analyze status_transitions`;
    await setup.end();

    const plans: string[] = [];
    const conn = postgres(tdb.url, {
      max: 1,
      onnotice: (n) => {
        if (String(n.message).includes("JOIN prior")) plans.push(String(n.message));
      },
    });
    try {
      await conn`load 'auto_explain'`;
      await conn`set auto_explain.log_min_duration = 0`;
      await conn`set auto_explain.log_nested_statements = on`;
      await conn`set client_min_messages = log`;
      const caseIds = await conn<{ id: string; task_id: string }[]>`
        select id, task_id from tracked_cases where binding_id = ${b!.id} order by id`;
      const idOf = (task: string) => caseIds.find((c) => c.task_id === task)!.id;
      // A bulk status change first (1,000 cases without history, like a backfill page's statuses)…
      await conn.begin(async (tx) => {
        await tx`select set_config('flowbot.defer_flow_rebuild', 'on', true)`;
        await tx`update tracked_cases set status_name = 'in progress', status_type = 'custom'
          where binding_id = ${b!.id} and task_id ~ '^tp(2[0-9]{3}|3000)$' and task_id <> 'tp2000'`;
      });
      // …then one-row changes on the same connection, with and without history.
      for (const task of ["tp5", "tp2999", "tp17"]) {
        await conn.begin(async (tx) => {
          await tx`select set_config('flowbot.defer_flow_rebuild', 'on', true)`;
          await tx`update tracked_cases set status_name = 'review', status_type = 'custom' where id = ${idOf(task)}`;
        });
      }
      const listed = await conn<{ task_id: string }[]>`
        select c.task_id from flow_dirty_cases d join tracked_cases c on c.id = d.case_id
        where c.task_id in ('tp5', 'tp2999', 'tp17', 'tp2500')`;
      expect(listed.map((r) => r.task_id).sort()).toEqual(["tp2500", "tp2999"]);
    } finally {
      await conn.end();
    }
    expect(plans).toHaveLength(4);
    for (const plan of plans) {
      expect(plan).not.toMatch(/Seq Scan on status_transitions/);
      expect(plan).not.toMatch(/hashed SubPlan/);
      expect(plan).toMatch(/Index (Only )?Scan using status_transitions_\w+ on status_transitions/);
    }
  });
});
