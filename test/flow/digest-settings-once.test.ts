import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as schema from "../../db/schema.ts";
import { computeDigest } from "../../src/flow/digest/compute-digest.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import { addTask, DAY, STATUSES, seedFinishedHistory, seedProject } from "./digest-test-kit.ts";

// A digest reads its project's settings once, and every part of it (headline, ageing, rework) uses them.
const T0 = Date.UTC(2026, 10, 23, 9, 0);
let db: TestDatabase;
let sql: postgres.Sql;
// drizzle on a client of its own, as the app has it (src/db/connect-database.ts); both log their queries.
let drizzleClient: postgres.Sql;
const queries: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  const debug = (_c: number, query: string) => void queries.push(query);
  sql = postgres(db.url, { max: 2, onnotice: () => {}, debug });
  drizzleClient = postgres(db.url, { max: 2, onnotice: () => {}, debug });
});
afterAll(async () => {
  await sql?.end();
  await drizzleClient?.end();
  await db?.drop();
});

describe("computeDigest", () => {
  it("reads the project row once for the whole digest", async () => {
    const { projectId, bindingId } = await seedProject(sql, { settings: { working_days: true } });
    await seedFinishedHistory(sql, bindingId, T0);
    await addTask(sql, bindingId, {
      name: "Old",
      createdAt: new Date(T0 - 60 * DAY),
      path: [[STATUSES.doing, new Date(T0 - 40 * DAY)]],
    });
    queries.length = 0;
    const digest = await computeDigest({ db: drizzle(drizzleClient, { schema }), sql }, projectId, {
      now: new Date(T0),
    });
    expect(digest?.ageing.map((t) => t.name)).toEqual(["Old"]);
    expect(digest?.clock).toBe("working");
    const projectReads = queries.filter((q) => /\bfrom\s+"?projects"?\b/i.test(q));
    expect(projectReads).toHaveLength(1);
  });
});
