import type { Sql } from "postgres";
import { describe, expect, it } from "vitest";
import { computeDigest } from "../../src/flow/digest/compute-digest.ts";
import { blockedFlowEfficiency, blockedNow, blockedTimes } from "../../src/flow/metrics/blocked.ts";
import { computeFlowReport } from "../../src/flow/metrics/index.ts";
import { renderDigest } from "../../src/slack/digest/render-digest.ts";
import { recordTransition } from "../../src/sync/timeline/index.ts";
import { useTestDatabase } from "../helpers/test-database.ts";
import { newProject } from "./metrics-timeline.ts";

const database = useTestDatabase();

/* docs/flow-metrics.md §9.5: Task A of §4 with the tag, field-value and dependency rules, and Task D. */

const S = {
  todo: { name: "to do", type: "open", orderindex: 0 },
  progress: { name: "in progress", type: "custom", orderindex: 1 },
  review: { name: "review", type: "custom", orderindex: 2 },
  waiting: { name: "waiting on client", type: "custom", orderindex: 3 },
  done: { name: "done", type: "done", orderindex: 4 },
} as const;
type Key = keyof typeof S;

const at = (d: number, h: number) => new Date(Date.UTC(2026, 2, d, h));
const HOUR = 3_600_000;
let seq = 0;

async function insertCase(sql: Sql, bindingId: number, taskId: string, name: string, created: Date) {
  const [row] = await sql<{ id: number }[]>`
    insert into tracked_cases (binding_id, task_id, name, url, home_list_id, status_name, status_type,
                               status_orderindex, date_created, date_updated)
    values (${bindingId}, ${taskId}, ${name}, ${`https://app.clickup.com/t/${taskId}`}, 'L', 'to do', 'open', 0,
            ${created}, ${created})
    returning id::int as id`;
  return row!.id;
}

async function move(sql: Sql, caseId: number, from: Key, to: Key, when: Date) {
  seq += 1;
  await recordTransition(sql, {
    caseId,
    fromStatus: S[from].name,
    fromType: S[from].type,
    fromOrderindex: S[from].orderindex,
    toStatus: S[to].name,
    toType: S[to].type,
    toOrderindex: S[to].orderindex,
    occurredAt: when,
    actorId: 1,
    actorName: "Ada",
    source: "webhook",
    historyItemId: `hb${seq}`,
  });
}

/** A field change at a history item's instant, as the webhook apply writes it (exact). */
async function change(
  sql: Sql,
  caseId: number,
  when: Date,
  set: { tags?: string[]; fieldValues?: unknown; waitingOn?: string[] },
) {
  await sql.begin(async (tx) => {
    await tx`select set_config('flowbot.blocked_change_at', ${when.toISOString()}, true)`;
    if (set.tags) await tx`update tracked_cases set tags = ${set.tags}::text[] where id = ${caseId}`;
    if (set.fieldValues)
      await tx`update tracked_cases set field_values = ${tx.json(set.fieldValues as never)} where id = ${caseId}`;
    if (set.waitingOn)
      await tx`update tracked_cases set waiting_on = ${set.waitingOn}::text[] where id = ${caseId}`;
  });
}

const intervals = (sql: Sql, caseId: number) =>
  sql<{ kind: string; detail: string; startedAt: Date; endedAt: Date | null; inferred: boolean }[]>`
    select kind::text, detail, started_at as "startedAt", ended_at as "endedAt", inferred
    from blocked_intervals where case_id = ${caseId} order by started_at, kind`;

describe("blocked by rule (docs/flow-metrics.md §9.5)", () => {
  it("records each rule's intervals and counts 101 h blocked, 73 h active, 37.1% efficiency", async () => {
    const sql = database.sql;
    const { projectId, bindingId } = await newProject(sql);
    await sql`
      insert into custom_field_definitions (binding_id, field_id, name, kind, options, fetched_at)
      values (${bindingId}, 'f1', 'Waiting for', 'drop_down',
              ${sql.json([
                { id: "o-vendor", name: "Vendor", orderindex: 0 },
                { id: "o-legal", name: "Legal", orderindex: 1 },
              ])},
              now())`;
    await sql`
      insert into blocked_rules (project_id, tag_keys, field_id, option_ids, dependency, updated_by)
      values (${projectId}, '{blocked}', 'f1', '{o-vendor}', true, 'U1')`;

    const a = await insertCase(sql, bindingId, "tA", "Task A", at(2, 8));
    const d = await insertCase(sql, bindingId, "tD", "Task D", at(2, 8));
    await move(sql, d, "todo", "progress", at(3, 9));
    await move(sql, a, "todo", "progress", at(3, 10));
    await change(sql, a, at(4, 9), { waitingOn: ["tD"] }); // #1 opens
    await move(sql, d, "progress", "done", at(4, 17)); // #1 closes: D finished
    expect(await blockedNow(sql, projectId, at(4, 18), { timeZone: "UTC", working: false })).toEqual([]);
    await move(sql, a, "progress", "review", at(5, 10));
    await move(sql, a, "review", "progress", at(5, 16));
    await change(sql, a, at(5, 20), { tags: ["blocked"] }); // #2 opens
    await move(sql, a, "progress", "waiting", at(6, 12)); // #3: the status rule

    const sat = await blockedNow(sql, projectId, at(7, 9), { timeZone: "UTC", working: false });
    expect(sat).toEqual([
      {
        caseId: a,
        name: "Task A",
        url: "https://app.clickup.com/t/tA",
        days: expect.closeTo(37 / 24, 10),
        reasons: ["tag blocked", "status waiting on client"],
      },
    ]);
    expect(sat[0]!.days.toFixed(1)).toBe("1.5");
    // The digest line (§9.4) and its headline count.
    const digest = await computeDigest(database, projectId, { now: at(7, 9) });
    expect(digest!.blocked.map((b) => b.caseId)).toEqual([a]);
    const message = renderDigest(digest!, new Map())!;
    expect(JSON.stringify(message.blocks)).toContain(
      "|Task A> blocked for 1.5 d — tag blocked, status waiting on client",
    );
    expect(message.text).toContain("1 blocked");
    const satWorking = await blockedNow(sql, projectId, at(7, 9), { timeZone: "UTC", working: true });
    expect(satWorking[0]!.days).toBeCloseTo(4 / 24 + 1, 10); // 1.2 working days

    await move(sql, a, "waiting", "review", at(9, 12));
    const mon = await blockedNow(sql, projectId, at(9, 13), { timeZone: "UTC", working: false });
    expect(mon.map((b) => [b.days.toFixed(1), b.reasons])).toEqual([["3.7", ["tag blocked"]]]);

    await change(sql, a, at(9, 15), { tags: [] }); // #2 closes
    await move(sql, a, "review", "done", at(10, 10));
    await move(sql, a, "done", "progress", at(11, 9));
    await change(sql, a, at(11, 10), {
      fieldValues: [{ fieldId: "f1", kind: "drop_down", optionIds: ["o-vendor"] }],
    });
    await change(sql, a, at(11, 12), { fieldValues: [] }); // #4
    await move(sql, a, "progress", "done", at(11, 15));

    expect(await intervals(sql, a)).toEqual([
      { kind: "dependency", detail: "tD", startedAt: at(4, 9), endedAt: at(4, 17), inferred: false },
      { kind: "tag", detail: "blocked", startedAt: at(5, 20), endedAt: at(9, 15), inferred: false },
      { kind: "field", detail: "f1:o-vendor", startedAt: at(11, 10), endedAt: at(11, 12), inferred: false },
    ]);
    const [times] = await blockedTimes(sql, projectId, [a], at(20, 0));
    expect(times).toEqual({ caseId: a, blockedMs: 101 * HOUR, activeMs: 73 * HOUR, cycleMs: 197 * HOUR });
    // D: 1 d 8 h in progress, never blocked.
    const eff = await blockedFlowEfficiency(sql, projectId, at(1, 0), at(20, 0));
    expect(eff!.efficiency).toBeCloseTo((73 + 32) / (197 + 32), 10);
    // The report's flow efficiency is this one (51.8% of A's with the status rule alone, §4.5).
    const report = await computeFlowReport(sql, projectId, { now: at(20, 0), windowDays: 30 });
    expect(report.flowEfficiency).toBeCloseTo((73 + 32) / (197 + 32), 10);
  });

  it("a reopen of the task waited on starts a new interval; a task outside the project never blocks", async () => {
    const sql = database.sql;
    const { projectId, bindingId } = await newProject(sql);
    await sql`insert into blocked_rules (project_id, dependency, updated_by) values (${projectId}, true, 'U1')`;
    const a = await insertCase(sql, bindingId, "rA", "A", at(2, 8));
    const d = await insertCase(sql, bindingId, "rD", "D", at(2, 8));
    await move(sql, a, "todo", "progress", at(2, 9));
    await change(sql, a, at(2, 10), { waitingOn: ["rD", "elsewhere"] });
    await move(sql, d, "todo", "done", at(2, 12));
    await move(sql, d, "done", "progress", at(2, 14));
    await move(sql, d, "progress", "done", at(2, 15));
    expect((await intervals(sql, a)).map((i) => [i.detail, i.startedAt, i.endedAt])).toEqual([
      ["rD", at(2, 10), at(2, 12)],
      ["rD", at(2, 14), at(2, 15)],
    ]);
    const [t] = await blockedTimes(sql, projectId, [a], at(2, 16));
    expect(t).toMatchObject({ blockedMs: 3 * HOUR, activeMs: 4 * HOUR });
    // Reopened again, then deleted: the interval ends when flowbot recorded the deletion.
    await move(sql, d, "done", "progress", at(2, 17));
    await sql`update tracked_cases set deleted_at = ${at(2, 18)} where id = ${d}`;
    expect((await intervals(sql, a)).at(-1)).toMatchObject({ startedAt: at(2, 17), endedAt: at(2, 18) });
  });

  it("a rule change re-derives from the fields kept now, at date_updated (inferred)", async () => {
    const sql = database.sql;
    const { projectId, bindingId } = await newProject(sql);
    const a = await insertCase(sql, bindingId, "qA", "A", at(2, 8));
    await sql`update tracked_cases set tags = '{blocked,urgent}', date_updated = ${at(3, 8)} where id = ${a}`;
    expect(await intervals(sql, a)).toEqual([]);
    await sql`insert into blocked_rules (project_id, tag_keys, updated_by) values (${projectId}, '{blocked}', 'U1')`;
    expect(await intervals(sql, a)).toEqual([
      { kind: "tag", detail: "blocked", startedAt: at(3, 8), endedAt: null, inferred: true },
    ]);
    await sql`update blocked_rules set tag_keys = '{urgent}' where project_id = ${projectId}`;
    expect((await intervals(sql, a)).map((i) => i.detail)).toEqual(["urgent"]);
  });
});
