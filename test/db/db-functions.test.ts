import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import {
  applyDbFunctions,
  declaredIn,
  installedDefinitions,
  readDbFunctionFiles,
} from "../../src/db/apply-db-functions.ts";
import { connectDatabase } from "../../src/db/connect-database.ts";
import { runMigrations } from "../../src/db/run-migrations.ts";
import { rebuildDirtyCases } from "../../src/flow/metrics/deferred-rebuild.ts";
import { addCase, addTimings, day, newProject } from "../flow/metrics-timeline.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { createTestDatabase, type TestDatabase, useTestDatabase } from "../helpers/test-database.ts";

const database = useTestDatabase();
const dropLater: TestDatabase[] = [];
afterAll(async () => {
  for (const db of dropLater) await db.drop();
});

describe("db/functions: one current definition of every SQL function and trigger", () => {
  it("the database has exactly the flowbot_* functions and triggers db/functions/ declares", async () => {
    const declared = declaredIn(await readDbFunctionFiles());
    const installed = await installedDefinitions(database.sql);
    expect(installed.functions.map((f) => f.name).sort()).toEqual([...declared.functions].sort());
    expect([...new Set(installed.triggers.map((t) => t.name))].sort()).toEqual([...declared.triggers].sort());
  });

  it("no versioned migration defines a function or a trigger", async () => {
    const dir = new URL("../../db/migrations/", import.meta.url);
    const journal = JSON.parse(await readFile(new URL("meta/_journal.json", dir), "utf8")) as {
      entries: { tag: string }[];
    };
    for (const { tag } of journal.entries) {
      const text = await readFile(new URL(`${tag}.sql`, dir), "utf8");
      expect(text, tag).not.toMatch(/create\s+(or\s+replace\s+)?(function|trigger)/i);
    }
  });

  it("does nothing while the files are unchanged; a changed file re-applies them, drops strays, lists cases", async () => {
    const { sql } = database;
    const files = await readDbFunctionFiles();
    expect(await applyDbFunctions(sql, files)).toEqual([]);

    const { bindingId } = await newProject(sql);
    const caseId = await addCase(sql, bindingId, {
      path: [
        ["todo", day(0)],
        ["progress", day(1)],
      ],
    });
    await sql`create function flowbot_stray() returns int language sql as 'select 1'`;
    await sql`delete from flow_dirty_cases`;
    // The same definitions with one file edited (a comment): everything is applied again.
    const edited = files.map((f, i) =>
      i === 0 ? { ...f, text: `${f.text}\n-- edited\n`, checksum: `${f.checksum}x` } : f,
    );
    expect(await applyDbFunctions(sql, edited)).toEqual([files[0]!.file]);
    const installed = await installedDefinitions(sql);
    expect(installed.functions.map((f) => f.name)).not.toContain("flowbot_stray");
    expect(await sql`select case_id::int as id from flow_dirty_cases`).toEqual([{ id: caseId }]);
    // And back to the files as they are.
    expect(await applyDbFunctions(sql, files)).toEqual([files[0]!.file]);
    expect(await applyDbFunctions(sql, files)).toEqual([]);
  });
});

/** The flow facts of a database, as one string, to compare byte for byte. */
async function factsDump(sql: postgres.Sql): Promise<string> {
  const [row] = await sql<{ dump: string }[]>`
    select json_build_object(
      'cases', (select json_agg(f order by f.case_id) from flow_cases f),
      'statuses', (select json_agg(s order by s.case_id, s.status_name) from flow_case_status s),
      'rework', (select json_agg(r order by r.id) from rework_events r)
    )::text as dump`;
  return row!.dump;
}

describe("upgrading a database built before db/functions", () => {
  it("gives the same flow facts, byte for byte, and only the declared definitions", async () => {
    // The migrations as they stood before: today's files, with the eight that defined functions as they
    // were (test/db/fixtures/migrations-before-db-functions), and only the entries up to 0018.
    const folder = await mkdtemp(path.join(tmpdir(), "flowbot-old-migrations-"));
    try {
      const current = new URL("../../db/migrations/", import.meta.url);
      await cp(current, folder, { recursive: true });
      await cp(new URL("./fixtures/migrations-before-db-functions/", import.meta.url), folder, {
        recursive: true,
      });
      const journalPath = path.join(folder, "meta", "_journal.json");
      const journal = JSON.parse(await readFile(journalPath, "utf8")) as { entries: { idx: number }[] };
      journal.entries = journal.entries.filter((e) => e.idx <= 18);
      await mkdir(path.dirname(journalPath), { recursive: true });
      await writeFile(journalPath, JSON.stringify(journal));

      const old = await createTestDatabase(false);
      dropLater.push(old);
      const admin = postgres(old.url, { max: 1, onnotice: () => {} });
      await migrate(drizzle(admin), { migrationsFolder: folder });
      await admin.end();

      // Data written through the old definitions: several zones and clocks, an override, rework, a
      // reopen, history known only from time in status, a case moved out.
      const app = connectDatabase(old.url);
      try {
        const { sql } = app;
        const utc = await newProject(sql);
        await addCase(sql, utc.bindingId, {
          path: [
            ["todo", day(0)],
            ["progress", day(1)],
            ["review", day(3)],
            ["progress", day(4)],
            ["blocked", day(5)],
            ["review", day(6)],
            ["complete", day(7)],
            ["progress", day(8)],
            ["complete", day(9.5)],
          ],
        });
        await addCase(sql, utc.bindingId, {
          path: [
            ["todo", day(2)],
            ["complete", day(3)],
          ],
        });
        const estimated = await addCase(sql, utc.bindingId, { path: [["review", day(4)]] });
        await addTimings(sql, estimated, [
          { status: "todo", minutes: 600, since: day(1) },
          { status: "review", minutes: 1440, since: day(2), current: true },
        ]);
        const moved = await addCase(sql, utc.bindingId, {
          path: [
            ["todo", day(0)],
            ["progress", day(2)],
          ],
        });
        await sql`update tracked_cases set tracked = false where id = ${moved}`;
        const berlin = await newProject(sql, { timeZone: "Europe/Berlin", workingDays: true });
        await addCase(sql, berlin.bindingId, {
          path: [
            ["todo", new Date("2026-03-20T09:00:00Z")],
            ["progress", new Date("2026-03-27T09:00:00Z")],
            ["review", new Date("2026-03-30T12:00:00Z")],
            ["complete", new Date("2026-03-31T08:00:00Z")],
          ],
        });
        await sql`
          insert into stage_overrides (project_id, status_key, status_name, stage)
          values (${berlin.projectId}, 'review', 'review', 'blocked')`;
        await addCase(sql, berlin.bindingId, {
          path: [
            ["todo", new Date("2026-10-20T09:00:00Z")],
            ["progress", new Date("2026-10-23T08:00:00Z")],
          ],
        });
      } finally {
        await app.close();
      }

      const sql = postgres(old.url, { max: 1, onnotice: () => {} });
      try {
        const before = await factsDump(sql);
        expect(JSON.parse(before).cases.length).toBe(5);
        expect((await installedDefinitions(sql)).functions.map((f) => f.name)).toContain(
          "flowbot_flow_stages",
        );

        await runMigrations(old.url, captureLogs().logger);
        // Every case was listed for a rebuild by the new definitions; the worker would run it at start-up.
        expect((await sql`select count(*)::int as n from flow_dirty_cases`)[0]!.n).toBe(6);
        while ((await rebuildDirtyCases(sql)) > 0) {}

        expect(await factsDump(sql)).toBe(before);
        const declared = declaredIn(await readDbFunctionFiles());
        const installed = await installedDefinitions(sql);
        expect(installed.functions.map((f) => f.name).sort()).toEqual([...declared.functions].sort());
        expect([...new Set(installed.triggers.map((t) => t.name))].sort()).toEqual(
          [...declared.triggers].sort(),
        );
      } finally {
        await sql.end();
      }
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
