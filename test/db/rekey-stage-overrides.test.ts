import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { statusKey } from "../../src/flow/stage-mapping.ts";
import { useTestDatabase } from "../helpers/test-database.ts";

const database = useTestDatabase();

// Migration 0022 re-keys stage overrides written under the earlier key rule (JavaScript's trim and
// toLowerCase) to the one rule SQL and TypeScript now share; it is re-run here on rows keyed the old way.
describe("migration 0022: stage overrides re-keyed", () => {
  it("gives every override the shared key, keeping one row where two names now share a key", async () => {
    const sql = database.sql;
    const [project] = await sql<{ id: number }[]>`
      insert into projects (slack_team_id, channel_id) values ('T1', 'C1') returning id::int`;
    const rows = [
      { name: "\tWaiting\u00a0", key: "waiting", stage: "active" },
      { name: "QA Review", key: "qa review", stage: "blocked" },
      { name: " qa review", key: "qa review ", stage: "done" },
      { name: "İnceleme", key: "i̇nceleme", stage: "active" },
    ];
    for (const r of rows) {
      await sql`insert into stage_overrides (project_id, status_key, status_name, stage)
                values (${project!.id}, ${r.key}, ${r.name}, ${r.stage})`;
    }
    const text = await readFile("db/migrations/0022_rekey_stage_overrides.sql", "utf8");
    for (const statement of text.split("--> statement-breakpoint")) await sql.unsafe(statement);

    const after = await sql<{ status_key: string; status_name: string; stage: string }[]>`
      select status_key, status_name, stage::text from stage_overrides order by status_key`;
    expect(after.map((r) => r.status_key)).toEqual(after.map((r) => statusKey(r.status_name)));
    expect(after).toEqual([
      { status_key: "qa review", status_name: " qa review", stage: "done" },
      { status_key: "waiting\u00a0", status_name: "\tWaiting\u00a0", stage: "active" },
      { status_key: "İnceleme", status_name: "İnceleme", stage: "active" },
    ]);
  });
});
