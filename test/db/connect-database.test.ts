import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { sql as drizzleSql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../helpers/test-database.ts";

const database = useTestDatabase();

// docs: src/db/connect-database.ts — raw queries and drizzle each keep their own client's conventions.
describe("connectDatabase", () => {
  it("gives raw queries Dates and JSON values, and drizzle its own client", async () => {
    const { sql, db } = database;
    expect(db.$client).not.toBe(sql);
    const [raw] = await sql<{ at: Date; doc: { a: number[] }; day: string }[]>`
      select ${new Date("2026-03-29T01:30:00.123Z")}::timestamptz as at,
        ${sql.json({ a: [1, 2] })}::jsonb as doc, date '2026-12-24' as day`;
    expect(raw!.at).toEqual(new Date("2026-03-29T01:30:00.123Z"));
    expect(raw!.doc).toEqual({ a: [1, 2] });
    // A calendar date stays its text: as a Date it would be midnight UTC.
    expect(raw!.day).toBe("2026-12-24");
    // drizzle reads timestamps as text on its own client, and maps them by the schema.
    const viaDrizzle = await db.execute<{ at: string }>(
      drizzleSql`select timestamptz '2026-03-29 01:30:00.123+00' as at`,
    );
    expect(typeof viaDrizzle[0]!.at).toBe("string");
    // ...and did not change the raw client's parsing by being set up.
    const [again] = await sql<{ at: Date }[]>`select now() as at`;
    expect(again!.at).toBeInstanceOf(Date);
  });

  it("is the only place that reaches drizzle's client: no raw query in src/ or jobs/ goes through db.$client", async () => {
    const offenders: string[] = [];
    for (const dir of ["src", "jobs"]) {
      for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile() || !entry.name.endsWith(".ts")) continue;
        const file = path.join(entry.parentPath, entry.name);
        if ((await readFile(file, "utf8")).includes(".$client")) offenders.push(file);
      }
    }
    expect(offenders).toEqual([]);
  });
});
