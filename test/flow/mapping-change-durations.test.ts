import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import { addTask, DAY, STATUSES, seedProject } from "./digest-test-kit.ts";

// A stage-mapping change keeps the working-day durations of cases whose start and finish did not move,
// and recomputes the others: either way every case's facts equal a full re-derivation.
const T0 = Date.UTC(2026, 2, 27, 9, 0); // a Friday, two days before Berlin's spring change
let db: TestDatabase;
let sql: postgres.Sql;

beforeAll(async () => {
  db = await createTestDatabase();
  sql = postgres(db.url, { max: 2, onnotice: () => {} });
});
afterAll(async () => {
  await sql?.end();
  await db?.drop();
});

const facts = (projectId: number) =>
  sql`select case_id, started_at, finished_at, cycle_days, cycle_work_days, lead_days, lead_work_days
      from flow_cases where project_id = ${projectId} order by case_id`;

describe("a stage-mapping change", () => {
  it("gives the durations a full re-derivation gives, moved starts included", async () => {
    const { projectId, bindingId } = await seedProject(sql, {
      settings: { working_days: true, time_zone: "Europe/Berlin" },
    });
    const at = (days: number) => new Date(T0 + days * DAY);
    // Reviewed from day 2: mapping review to not started moves this one's start from day 0 to day 2.
    await addTask(sql, bindingId, {
      createdAt: at(-1),
      path: [
        [STATUSES.review, at(0)],
        [STATUSES.doing, at(2)],
        [STATUSES.done, at(5.5)],
      ],
    });
    // Never in review: its start and finish stay put.
    await addTask(sql, bindingId, {
      createdAt: at(-3),
      path: [
        [STATUSES.doing, at(0.25)],
        [STATUSES.done, at(4)],
      ],
    });
    const before = await facts(projectId);
    await sql`insert into stage_overrides (project_id, status_key, status_name, stage)
              values (${projectId}, 'review', 'review', 'not_started')`;
    const after = await facts(projectId);
    expect(after[0]!.started_at).toEqual(at(2));
    expect(after[0]!.cycle_work_days).not.toBe(before[0]!.cycle_work_days);
    expect(after[1]).toEqual(before[1]);

    // The same derivation with nothing kept.
    await sql.begin(async (tx) => {
      await tx`update flow_cases set cycle_work_days = null, lead_work_days = null where project_id = ${projectId}`;
      await tx`select flowbot_derive_start_finish_cycle_lead(null, ${projectId})`;
    });
    expect(await facts(projectId)).toEqual(after);
  });
});
