import { describe, expect, it } from "vitest";
import { defaultStage, stageOf, statusKey } from "../../src/flow/stage-mapping.ts";
import { useTestDatabase } from "../helpers/test-database.ts";

const database = useTestDatabase();

const cases: [string, string | null, string][] = [
  ["to do", "open", "not_started"],
  ["Open", "open", "not_started"],
  ["in progress", "custom", "active"],
  ["review", "custom", "active"],
  ["Blocked", "custom", "blocked"],
  ["waiting on client", "custom", "blocked"],
  ["complete", "done", "done"],
  ["Closed", "closed", "done"],
  // A done-type status is done even if its name mentions waiting.
  ["done - waiting deploy", "done", "done"],
  ["unknown type", null, "active"],
];

describe("status → stage mapping (docs/flow-metrics.md §2)", () => {
  it("defaults by status type, with block/wait names as blocked", () => {
    for (const [name, type, stage] of cases) expect([name, defaultStage(name, type)]).toEqual([name, stage]);
  });

  it("the SQL function flowbot_default_stage gives the same answers as the TypeScript one", async () => {
    const rows = await database.sql<{ stage: string }[]>`
      select flowbot_default_stage(x.name, x.type)::text as stage
      from jsonb_to_recordset(${database.sql.json(cases.map(([name, type]) => ({ name, type })))})
        as x(name text, type text)`;
    expect(rows.map((r) => r.stage)).toEqual(cases.map(([, , stage]) => stage));
  });

  it("SQL and TypeScript agree on every combination of status type and name shape, and on override keys", async () => {
    const types = [
      null,
      "",
      "open",
      "OPEN",
      "custom",
      "done",
      "Done",
      "closed",
      "CLOSED",
      "removed",
      "unknown",
    ];
    const words = [
      "",
      "to do",
      "in progress",
      "block",
      "BLOCKED",
      "Unblocked",
      "wait",
      "Waiting",
      "await",
      "done",
    ];
    const pads = ["", " ", "  ", "\t", "\u00a0", "\n"];
    const letters = ["", "İ", "ß", "Σ", "é"];
    const combos: { name: string; type: string | null }[] = [];
    for (const type of types)
      for (const word of words)
        for (const pad of pads)
          for (const letter of letters) combos.push({ name: `${pad}${letter}${word}${pad}`, type });
    const rows = await database.sql<{ stage: string; key: string }[]>`
      select flowbot_default_stage(x.e->>'name', x.e->>'type')::text as stage, flowbot_status_key(x.e->>'name') as key
      from jsonb_array_elements(${database.sql.json(combos)}) with ordinality as x(e, i)
      order by x.i`;
    expect(rows).toHaveLength(combos.length);
    const differ = combos.flatMap((c, i) => {
      const sql = rows[i]!;
      const ts = { stage: defaultStage(c.name, c.type), key: statusKey(c.name) };
      return sql.stage === ts.stage && sql.key === ts.key ? [] : [{ ...c, sql, ts }];
    });
    expect(differ).toEqual([]);
  });

  it("a project override wins over the default, matched by name regardless of case and spaces", () => {
    const overrides = new Map([[statusKey(" QA Waiting "), "active" as const]]);
    expect(stageOf("qa waiting", "custom", overrides)).toBe("active");
    expect(stageOf("waiting", "custom", overrides)).toBe("blocked");
  });
});
