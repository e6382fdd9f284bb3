import { describe, expect, it } from "vitest";
import {
  recomputeProjectRework,
  recordCaseTransitions,
  recordTransition,
  type TransitionInput,
} from "../../src/sync/timeline/index.ts";
import { useTestDatabase } from "../helpers/test-database.ts";

// recordTransition / recomputeProjectRework against a real migrated Postgres, cases seeded directly.
let seq = 0;

const database = useTestDatabase();

const T0 = Date.parse("2026-03-02T09:00:00Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

type Status = [name: string, type: string, orderindex: number];
const OPEN: Status = ["to do", "open", 0];
const PROGRESS: Status = ["in progress", "custom", 1];
const BLOCKED: Status = ["blocked", "custom", 2];
const REVIEW: Status = ["review", "custom", 3];
const DONE: Status = ["done", "done", 4];
const CLOSED: Status = ["closed", "closed", 5];

/** A project with one binding and one case in "to do", its REST `date_updated` at `dateUpdated`. */
async function seedCase(dateUpdated = at(-60)) {
  const sql = database.sql;
  seq += 1;
  const [p] = await sql<{ id: number }[]>`
    insert into projects (slack_team_id, channel_id) values (${`T${seq}`}, 'C1') returning id::int as id`;
  const [b] = await sql<{ id: number }[]>`
    insert into bindings (project_id, container_type, container_id, container_name, container_path, space_id, created_by)
    values (${p!.id}, 'list', ${`L${seq}`}, 'Backlog', 'Eng › Backlog', 'S1', 'U1') returning id::int as id`;
  const [c] = await sql<{ id: number }[]>`
    insert into tracked_cases (binding_id, task_id, name, url, home_list_id, status_name, status_type,
      status_orderindex, date_created, date_updated)
    values (${b!.id}, ${`task${seq}`}, 'A task', 'https://app.clickup.com/t/x', ${`L${seq}`}, 'to do', 'open', 0,
      ${at(-120).toISOString()}, ${dateUpdated.toISOString()}) returning id::int as id`;
  return { projectId: p!.id, bindingId: b!.id, caseId: c!.id };
}

function transition(
  caseId: number,
  from: Status | null,
  to: Status,
  occurredAt: Date,
  historyItemId: string | null,
): TransitionInput {
  return {
    caseId,
    fromStatus: from?.[0] ?? null,
    fromType: from?.[1] ?? null,
    fromOrderindex: from?.[2] ?? null,
    toStatus: to[0],
    toType: to[1],
    toOrderindex: to[2],
    occurredAt,
    actorId: 183,
    actorName: "John",
    source: historyItemId ? "webhook" : "reconcile",
    inferred: historyItemId === null,
    historyItemId,
  };
}

async function caseRow(caseId: number) {
  const [row] = await database.sql<
    { status: string; dateUpdated: Date; dateDone: Date | null; dateClosed: Date | null }[]
  >`
    select status_name as status, date_updated as "dateUpdated", date_done as "dateDone", date_closed as "dateClosed"
    from tracked_cases where id = ${caseId}`;
  return row!;
}

async function timeline(caseId: number) {
  return database.sql<{ from: string | null; to: string; at: Date; item: string | null }[]>`
    select from_status as from, to_status as to, occurred_at as at, history_item_id as item
    from status_transitions where case_id = ${caseId} order by occurred_at, id`;
}

async function rework(caseId: number) {
  return database.sql<{ kind: string; from: string; to: string; actor: string | null }[]>`
    select kind, from_status as from, to_status as to, actor_name as actor
    from rework_events where case_id = ${caseId} order by occurred_at`;
}

// A realistic flow: start, review, sent back, blocked, unblocked, done, closed, reopened.
const FLOW = (caseId: number) => [
  transition(caseId, OPEN, PROGRESS, at(1), "h1"),
  transition(caseId, PROGRESS, REVIEW, at(2), "h2"),
  transition(caseId, REVIEW, PROGRESS, at(3), "h3"),
  transition(caseId, PROGRESS, BLOCKED, at(4), "h4"),
  transition(caseId, BLOCKED, PROGRESS, at(5), "h5"),
  transition(caseId, PROGRESS, DONE, at(6), "h6"),
  transition(caseId, DONE, CLOSED, at(7), "h7"),
  transition(caseId, CLOSED, PROGRESS, at(8), "h8"),
];

describe("recordTransition", () => {
  it("records a flow in order: the case follows it and rework is a flow-back and a reopen only", async () => {
    const { caseId } = await seedCase();
    for (const t of FLOW(caseId)) expect((await recordTransition(database.sql, t)).inserted).toBe(true);
    expect((await timeline(caseId)).map((t) => t.to)).toEqual([
      "in progress",
      "review",
      "in progress",
      "blocked",
      "in progress",
      "done",
      "closed",
      "in progress",
    ]);
    expect(await caseRow(caseId)).toMatchObject({ status: "in progress", dateDone: null, dateClosed: null });
    // review → in progress is a flow-back; closed → in progress a reopen; blocked moves and done → closed are not.
    expect(await rework(caseId)).toEqual([
      { kind: "flow_back", from: "review", to: "in progress", actor: "John" },
      { kind: "reopen", from: "closed", to: "in progress", actor: "John" },
    ]);
  });

  it("gives the in-order result for shuffled order, and repeats change nothing", async () => {
    const { caseId } = await seedCase();
    const flow = FLOW(caseId);
    const shuffled = [flow[5], flow[2], flow[7], flow[0], flow[6], flow[3], flow[1], flow[4]];
    const results = [];
    for (const t of [...shuffled, ...flow, ...shuffled])
      results.push(await recordTransition(database.sql, t!));
    expect(results.filter((r) => r.inserted)).toHaveLength(8);
    expect(results.slice(8).every((r) => !r.inserted && r.transitionId === null)).toBe(true);
    expect((await timeline(caseId)).map((t) => t.item)).toEqual([
      "h1",
      "h2",
      "h3",
      "h4",
      "h5",
      "h6",
      "h7",
      "h8",
    ]);
    expect((await caseRow(caseId)).status).toBe("in progress");
    expect((await rework(caseId)).map((r) => r.kind)).toEqual(["flow_back", "reopen"]);
  });

  it("moves the case only when the transition is the newest, and then sets done and closed dates", async () => {
    const { caseId } = await seedCase();
    expect(
      (await recordTransition(database.sql, transition(caseId, DONE, CLOSED, at(7), "c7"))).becameCurrent,
    ).toBe(true);
    expect(await caseRow(caseId)).toMatchObject({ status: "closed", dateDone: at(7), dateClosed: at(7) });
    const late = await recordTransition(database.sql, transition(caseId, PROGRESS, DONE, at(6), "c6"));
    expect(late).toMatchObject({ inserted: true, becameCurrent: false });
    expect(await caseRow(caseId)).toMatchObject({ status: "closed", dateUpdated: at(7) });
  });

  it("never moves the case behind the task state a REST read already showed", async () => {
    // The task was read at minute 10 (date_updated); a delayed delivery from minute 5 arrives after.
    const { caseId } = await seedCase(at(10));
    const r = await recordTransition(database.sql, transition(caseId, OPEN, PROGRESS, at(5), "d5"));
    expect(r).toMatchObject({ inserted: true, becameCurrent: false });
    expect(await caseRow(caseId)).toMatchObject({ status: "to do", dateUpdated: at(10) });
    expect(await timeline(caseId)).toHaveLength(1);
  });

  it("dedupes inferred transitions (no history item) by case, statuses and time", async () => {
    const { caseId } = await seedCase();
    const inferred = transition(caseId, OPEN, REVIEW, at(30), null);
    expect((await recordTransition(database.sql, inferred)).inserted).toBe(true);
    expect((await recordTransition(database.sql, inferred)).inserted).toBe(false);
    const [row] =
      await database.sql`select source, inferred from status_transitions where case_id = ${caseId}`;
    expect(row).toEqual({ source: "reconcile", inferred: true });
    expect((await caseRow(caseId)).status).toBe("review");
  });

  it("replaces an inferred transition when the exact one arrives late", async () => {
    const { caseId } = await seedCase();
    // Reconcile saw "review" at the task's date_updated (minute 30) and inferred to do → review.
    await recordTransition(database.sql, transition(caseId, OPEN, REVIEW, at(30), null));
    // ClickUp's retried delivery of that very change (minute 12) lands afterwards.
    const exact = await recordTransition(database.sql, transition(caseId, OPEN, REVIEW, at(12), "late"));
    expect(exact.inserted).toBe(true);
    const rows = await timeline(caseId);
    expect(rows.map((r) => ({ item: r.item, at: new Date(r.at).getTime() }))).toEqual([
      { item: "late", at: at(12).getTime() },
    ]);
    expect((await caseRow(caseId)).status).toBe("review");
    // An inferred change with something recorded in between is a different change: kept.
    await recordTransition(database.sql, transition(caseId, REVIEW, PROGRESS, at(50), null));
    await recordTransition(database.sql, transition(caseId, PROGRESS, REVIEW, at(45), "back"));
    await recordTransition(database.sql, transition(caseId, REVIEW, PROGRESS, at(40), "first"));
    expect((await timeline(caseId)).map((r) => r.item)).toEqual(["late", "first", "back", null]);
  });

  it("drops an inferred transition the exact history explains, whatever status reconcile thought it left", async () => {
    const { caseId } = await seedCase();
    // Reconcile saw "done" at minute 30 while the case still showed "to do": it inferred to do → done.
    await recordTransition(database.sql, transition(caseId, OPEN, DONE, at(30), null));
    // Then the deliveries arrive, last first: the task went through review and was sent back once.
    await recordTransition(database.sql, transition(caseId, PROGRESS, DONE, at(28), "h4"));
    await recordTransition(database.sql, transition(caseId, REVIEW, PROGRESS, at(25), "h3"));
    await recordTransition(database.sql, transition(caseId, OPEN, PROGRESS, at(10), "h1"));
    await recordTransition(database.sql, transition(caseId, PROGRESS, REVIEW, at(20), "h2"));
    expect((await timeline(caseId)).map((r) => r.item)).toEqual(["h1", "h2", "h3", "h4"]);
    expect(await rework(caseId)).toEqual([
      { kind: "flow_back", from: "review", to: "in progress", actor: "John" },
    ]);
    expect((await caseRow(caseId)).status).toBe("done");
  });

  it("drops the first status reconcile guessed for a task it started tracking once the exact history has it", async () => {
    const { caseId } = await seedCase();
    // Reconcile found the task new and in progress since minute 10 (time in status): null → in progress.
    await recordTransition(database.sql, transition(caseId, null, PROGRESS, at(10), null));
    // The delayed deliveries: created in to do, started at minute 10.
    await recordTransition(database.sql, transition(caseId, OPEN, PROGRESS, at(10), "h1"));
    await recordTransition(database.sql, transition(caseId, null, OPEN, at(-120), "h0"));
    expect((await timeline(caseId)).map((r) => r.item)).toEqual(["h0", "h1"]);
  });

  it("keeps an inferred change no delivery brought, starting from the status the timeline had before it", async () => {
    const { caseId } = await seedCase();
    await recordTransition(database.sql, transition(caseId, OPEN, REVIEW, at(1), "h1"));
    // Reconcile: review → in progress at minute 30, a flow-back as far as it knew.
    await recordTransition(database.sql, transition(caseId, REVIEW, PROGRESS, at(30), null));
    expect(await rework(caseId)).toEqual([
      { kind: "flow_back", from: "review", to: "in progress", actor: "John" },
    ]);
    // A late delivery shows the task was blocked at minute 10; the move to in progress was never delivered,
    // but the next change (minute 40) starts from in progress, so the inferred one stays — as an unblock.
    await recordTransition(database.sql, transition(caseId, PROGRESS, DONE, at(40), "h3"));
    await recordTransition(database.sql, transition(caseId, REVIEW, BLOCKED, at(10), "h2"));
    const rows = await timeline(caseId);
    expect(rows.map((r) => [r.item, r.from, r.to])).toEqual([
      ["h1", "to do", "review"],
      ["h2", "review", "blocked"],
      [null, "blocked", "in progress"],
      ["h3", "in progress", "done"],
    ]);
    expect(await rework(caseId)).toEqual([]);
  });

  it("serialises concurrent calls for one case: the newest transition wins whatever commits last", async () => {
    const { caseId } = await seedCase();
    const flow = FLOW(caseId).slice(0, 6);
    await Promise.all([...flow].reverse().map((t) => recordTransition(database.sql, t)));
    expect(await timeline(caseId)).toHaveLength(6);
    expect((await caseRow(caseId)).status).toBe("done");
  });

  it("ignores a case that does not exist", async () => {
    const r = await recordTransition(database.sql, transition(999_999, OPEN, PROGRESS, at(1), "x"));
    expect(r).toEqual({ inserted: false, transitionId: null, becameCurrent: false, rework: null });
  });
});

describe("recordCaseTransitions", () => {
  it("records a shuffled batch with repeats exactly as one call per transition in order", async () => {
    const one = await seedCase();
    for (const t of FLOW(one.caseId)) await recordTransition(database.sql, t);
    const batch = await seedCase();
    const flow = FLOW(batch.caseId);
    const shuffled = [
      flow[6],
      flow[1],
      flow[1],
      flow[7],
      flow[0],
      flow[4],
      flow[3],
      flow[2],
      flow[5],
      flow[7],
    ];
    const results = await recordCaseTransitions(database.sql, batch.caseId, shuffled as TransitionInput[]);
    // Results follow the inputs: the second copy of an item is not recorded again.
    expect(results.map((r) => r.inserted)).toEqual([
      true,
      true,
      false,
      true,
      true,
      true,
      true,
      true,
      true,
      false,
    ]);
    expect(results.filter((r) => r.becameCurrent)).toHaveLength(1);
    expect(results[3]).toMatchObject({ becameCurrent: true, rework: "reopen" });
    const strip = (rows: { from: string | null; to: string; at: Date }[]) =>
      rows.map((r) => ({ from: r.from, to: r.to, at: r.at.getTime() }));
    expect(strip(await timeline(batch.caseId))).toEqual(strip(await timeline(one.caseId)));
    expect(await rework(batch.caseId)).toEqual(await rework(one.caseId));
    expect((await caseRow(batch.caseId)).status).toBe((await caseRow(one.caseId)).status);
    expect(await recordCaseTransitions(database.sql, batch.caseId, flow)).toSatisfy(
      (r: { inserted: boolean }[]) => r.every((x) => !x.inserted),
    );
  });
});

describe("recomputeProjectRework", () => {
  it("rebuilds rework events with the project's current stage overrides", async () => {
    const { caseId, projectId } = await seedCase();
    for (const t of FLOW(caseId)) await recordTransition(database.sql, t);
    // "review" becomes a blocked (waiting) stage: review → in progress is unblocking, not rework.
    await database.sql`insert into stage_overrides (project_id, status_key, status_name, stage)
      values (${projectId}, 'review', 'Review', 'blocked')`;
    expect(await recomputeProjectRework(database.sql, projectId)).toBe(1);
    expect((await rework(caseId)).map((r) => r.kind)).toEqual(["reopen"]);
    // New transitions use the override too.
    await recordTransition(database.sql, transition(caseId, REVIEW, PROGRESS, at(9), "h9"));
    expect(await rework(caseId)).toHaveLength(1);
    await database.sql`delete from stage_overrides where project_id = ${projectId}`;
    expect(await recomputeProjectRework(database.sql, projectId)).toBe(3);
  });
});
