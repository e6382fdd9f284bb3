import { describe, expect, it } from "vitest";
import { ageingWip, computeFlowReport, computeHeadline } from "../../src/flow/metrics/index.ts";
import { useTestDatabase } from "../helpers/test-database.ts";
import { addCase, addTimings, DAY, day, insertCase, newBinding, newProject } from "./metrics-timeline.ts";

const database = useTestDatabase();

const now = day(20);
const report = (projectId: number, at = now, windowDays?: number) =>
  computeFlowReport(database.sql, projectId, { now: at, windowDays });

describe("flow metrics on hand-computed timelines (docs/flow-metrics.md)", () => {
  it("straight flow: cycle time from first active to done, lead time from creation, time per status", async () => {
    const { projectId, bindingId } = await newProject(database.sql);
    // to do (1 d) → in progress (2 d) → review (1 d) → complete
    await addCase(database.sql, bindingId, {
      path: [
        ["todo", day(0)],
        ["progress", day(1)],
        ["review", day(3)],
        ["complete", day(4)],
      ],
    });
    const r = await report(projectId);
    expect(r.cycleTime).toMatchObject({ n: 1, p50: 3, p85: 3, p95: 3, estimated: 0 });
    // date(finished) − date(started) + 1 = 4 calendar days
    expect(r.cycleTime.calendarDays.p85).toBe(4);
    expect(r.leadTime).toMatchObject({ n: 1, p50: 4, estimated: 0 });
    expect(r.throughput.total).toBe(1);
    expect(r.wipNow).toBe(0);
    expect(r.flowEfficiency).toBeCloseTo(1, 10);
    expect(r.rework).toMatchObject({ rate: 0, finished: 1, finishedWithRework: 0, eventsTotal: 0 });
    expect(r.skippedWorkflow).toBe(0);
    expect(r.sle).toEqual({ days: 3, source: "p85" });
    expect(r.timeInStatus).toEqual([
      { status: "to do", stage: "not_started", days: 1, estimated: false },
      { status: "in progress", stage: "active", days: 2, estimated: false },
      { status: "review", stage: "active", days: 1, estimated: false },
    ]);
    expect(r.timeInStage).toEqual([
      { stage: "not_started", days: 1, estimated: false },
      { stage: "active", days: 3, estimated: false },
    ]);
    expect(r.cycleScatter).toMatchObject([{ cycleDays: 3, finishedAt: day(4), estimated: false }]);
    // Weeks start on Monday; day(0) is a Monday, the window covers 13 full weeks and a bit.
    const week = r.throughput.perWeek.find((w) => w.weekStart.getTime() === day(0).getTime());
    expect(week?.count).toBe(1);
    expect(r.throughput.perWeek.reduce((a, w) => a + w.count, 0)).toBe(1);
  });

  it("review → in progress is a flow-back: counted as rework, cycle time still first start to final finish", async () => {
    const { projectId, bindingId } = await newProject(database.sql);
    await addCase(database.sql, bindingId, {
      name: "Login page",
      path: [
        ["todo", day(0)],
        ["progress", day(1)],
        ["review", day(2)],
        ["progress", day(3)],
        ["review", day(5)],
        ["complete", day(6)],
      ],
    });
    const r = await report(projectId);
    expect(r.cycleTime.p50).toBe(5);
    expect(r.rework).toMatchObject({ rate: 1, finished: 1, finishedWithRework: 1, eventsTotal: 1 });
    expect(r.rework.events).toMatchObject([
      {
        taskName: "Login page",
        kind: "flow_back",
        from: "review",
        to: "in progress",
        at: day(3),
        actorName: "Ada",
      },
    ]);
    expect(r.timeInStatus.find((t) => t.status === "in progress")?.days).toBe(3);
    expect(r.timeInStatus.find((t) => t.status === "review")?.days).toBe(2);
  });

  it("reopen after done: finished is the last entry into done; done → closed is neither a reopen nor a new finish", async () => {
    const { projectId, bindingId } = await newProject(database.sql);
    await addCase(database.sql, bindingId, {
      path: [
        ["todo", day(0)],
        ["progress", day(1)],
        ["complete", day(2)],
        ["progress", day(3)],
        ["complete", day(4)],
      ],
    });
    await addCase(database.sql, bindingId, {
      path: [
        ["todo", day(0)],
        ["progress", day(1)],
        ["complete", day(2)],
        ["closed", day(5)],
      ],
    });
    const r = await report(projectId);
    expect(r.cycleScatter.map((p) => [p.finishedAt, p.cycleDays])).toEqual([
      [day(4), 3],
      [day(2), 1],
    ]);
    expect(r.rework).toMatchObject({ finished: 2, finishedWithRework: 1, rate: 0.5, eventsTotal: 1 });
    expect(r.rework.events[0]).toMatchObject({ kind: "reopen", from: "complete", to: "in progress" });
    // The reopened task spent a day in "complete" before it came back; the closed one 3 days.
    expect(r.timeInStatus.find((t) => t.status === "complete")?.days).toBe(4);
    // Reopened in progress 1 + 1 day, active the whole cycle: efficiency (2 + 1) / (3 + 1).
    expect(r.flowEfficiency).toBeCloseTo(3 / 4, 10);
    expect(r.wipNow).toBe(0);
  });

  it("a reopened task that is not done again is WIP with its age from its first start", async () => {
    const { projectId, bindingId } = await newProject(database.sql);
    await addCase(database.sql, bindingId, {
      path: [
        ["todo", day(0)],
        ["progress", day(1)],
        ["complete", day(2)],
        ["progress", day(3)],
      ],
    });
    const r = await report(projectId);
    expect(r.throughput.total).toBe(0);
    expect(r.wipNow).toBe(1);
    expect(r.ageing[0]).toMatchObject({ ageDays: 19, daysInStatus: 17, status: "in progress" });
  });

  it("blocked time counts in cycle time but not as active time (flow efficiency)", async () => {
    const { projectId, bindingId } = await newProject(database.sql);
    await addCase(database.sql, bindingId, {
      path: [
        ["todo", day(0)],
        ["progress", day(1)],
        ["blocked", day(2)],
        ["progress", day(5)],
        ["complete", day(6)],
      ],
    });
    const r = await report(projectId);
    expect(r.cycleTime.p50).toBe(5);
    expect(r.flowEfficiency).toBeCloseTo(2 / 5, 10);
    expect(r.timeInStage).toEqual([
      { stage: "not_started", days: 1, estimated: false },
      { stage: "active", days: 2, estimated: false },
      { stage: "blocked", days: 3, estimated: false },
    ]);
    // Moves into and out of blocked are not rework.
    expect(r.rework.eventsTotal).toBe(0);
  });

  it("to do → done skips the workflow: no cycle time, but counted in throughput, lead time and the rework rate", async () => {
    const { projectId, bindingId } = await newProject(database.sql);
    await addCase(database.sql, bindingId, {
      path: [
        ["todo", day(0)],
        ["complete", day(2)],
      ],
    });
    await addCase(database.sql, bindingId, {
      path: [
        ["todo", day(0)],
        ["progress", day(1)],
        ["review", day(2)],
        ["progress", day(3)],
        ["complete", day(4)],
      ],
    });
    const r = await report(projectId);
    expect(r.skippedWorkflow).toBe(1);
    expect(r.throughput.total).toBe(2);
    expect(r.cycleTime.n).toBe(1);
    expect(r.leadTime).toMatchObject({ n: 2, p50: 2, p95: 4 });
    expect(r.rework).toMatchObject({ finished: 2, finishedWithRework: 1, rate: 0.5 });
    expect(r.cycleScatter).toHaveLength(1);
  });

  it("a task still in progress: WIP, age from its start, time in its status, pace against the percentiles", async () => {
    const { projectId, bindingId } = await newProject(database.sql);
    // Seven finished tasks with cycle times 1..7 days (p50 4, p70 5, p85 6, p95 7).
    for (const c of [4, 1, 7, 2, 6, 3, 5]) {
      await addCase(database.sql, bindingId, {
        path: [
          ["todo", day(0)],
          ["progress", day(2)],
          ["complete", day(2 + c)],
        ],
      });
    }
    const assignees = [{ id: 11, username: "grace", email: "grace@example.com" }];
    const ages = [3.5, 4.5, 5.5, 6.5, 8];
    for (const [i, age] of ages.entries()) {
      await addCase(database.sql, bindingId, {
        name: `wip ${age}`,
        assignees,
        path: [
          ["todo", day(0)],
          ["progress", new Date(now.getTime() - age * DAY)],
          ...(i === 4 ? [["review", day(19)] as ["review", Date]] : []),
        ],
      });
    }
    const r = await report(projectId);
    expect(r.cycleTime).toMatchObject({ n: 7, p50: 4, p70: 5, p85: 6, p95: 7 });
    expect(r.wipNow).toBe(5);
    expect(r.ageingThresholdDays).toBe(6);
    expect(r.ageingOverThreshold).toBe(2);
    expect(r.ageing.map((a) => [a.name, a.ageDays, a.pace, a.overThreshold, a.atRisk])).toEqual([
      ["wip 8", 8, ">p95", true, false],
      ["wip 6.5", 6.5, "p85–p95", true, false],
      ["wip 5.5", 5.5, "p70–p85", false, true],
      ["wip 4.5", 4.5, "p50–p70", false, false],
      ["wip 3.5", 3.5, "≤p50", false, false],
    ]);
    expect(r.ageing[0]).toMatchObject({
      status: "review",
      stage: "active",
      daysInStatus: 1,
      statusSince: day(19),
    });
    expect(r.ageing[0]?.assignees).toEqual(assignees);
    expect(r.ageing[1]).toMatchObject({ status: "in progress", daysInStatus: 6.5 });

    const headline = await computeHeadline(database.sql, projectId, { now });
    // Finished on day(3)..day(9); the last 7 days before day(20) hold none of them.
    expect(headline).toEqual({ wipNow: 5, throughputLastWeek: 0, sleDays: 6, ageingCount: 2 });
    expect(await computeHeadline(database.sql, projectId, { now: day(10) })).toMatchObject({
      throughputLastWeek: 6,
    });

    const wip = await ageingWip(database.sql, projectId, { now });
    expect(wip.thresholds).toMatchObject({ p50: 4, p70: 5, p85: 6, p95: 7, thresholdDays: 6, sleDays: 6 });
    expect(wip.items.map((i) => i.name)).toEqual(["wip 8", "wip 6.5", "wip 5.5", "wip 4.5", "wip 3.5"]);

    // An SLE set by hand is the default ageing threshold; a fixed day count overrides it.
    await database.sql`update projects set sle_days = 5 where id = ${projectId}`;
    expect(await computeHeadline(database.sql, projectId, { now })).toMatchObject({
      sleDays: 5,
      ageingCount: 3,
    });
    expect((await report(projectId)).sle).toEqual({ days: 5, source: "manual" });
    await database.sql`update projects set ageing_fixed_days = 4 where id = ${projectId}`;
    expect((await ageingWip(database.sql, projectId, { now })).thresholds).toMatchObject({
      thresholdDays: 4,
      thresholdSource: "fixed",
    });
    await database.sql`update projects set ageing_fixed_days = null, sle_days = null, ageing_percentile = 95
                       where id = ${projectId}`;
    expect(await computeHeadline(database.sql, projectId, { now })).toMatchObject({
      sleDays: 6,
      ageingCount: 1,
    });
  });

  it("history known only from time-in-status totals is used, and marked estimated", async () => {
    const { projectId, bindingId } = await newProject(database.sql);
    // Backfilled, never moved since: 1 day in to do, 2 days in progress, complete since day(3).
    const onlyTimings = await insertCase(database.sql, bindingId, "old task", "complete", day(0));
    await addTimings(database.sql, onlyTimings, [
      { status: "todo", minutes: 24 * 60, since: day(0) },
      { status: "progress", minutes: 2 * 24 * 60, since: day(1) },
      { status: "complete", minutes: 17 * 24 * 60, since: day(3), current: true },
    ]);
    // Backfilled while in progress (since day(1)), then moved live: review on day(4), complete on day(5).
    const mixed = await addCase(database.sql, bindingId, {
      name: "mixed",
      path: [["progress", day(0)]],
    });
    await addTimings(database.sql, mixed, [
      { status: "todo", minutes: 24 * 60, since: day(0) },
      { status: "progress", minutes: 24 * 60, since: day(1), current: true },
    ]);
    await addCaseMoves(mixed);
    const r = await report(projectId);
    expect(r.cycleScatter.map((p) => [p.name, p.cycleDays, p.estimated])).toEqual([
      ["mixed", 4, true],
      ["old task", 2, true],
    ]);
    expect(r.cycleTime).toMatchObject({ n: 2, estimated: 2 });
    expect(r.leadTime).toMatchObject({ n: 2, estimated: 2 });
    const progress = r.timeInStatus.find((t) => t.status === "in progress");
    expect(progress).toEqual({ status: "in progress", stage: "active", days: 2 + 3, estimated: true });
    expect(r.timeInStatus.find((t) => t.status === "review")).toEqual({
      status: "review",
      stage: "active",
      days: 1,
      estimated: false,
    });

    // A case with neither transitions nor timings sits in its current status since it was created.
    const { projectId: p2, bindingId: b2 } = await newProject(database.sql);
    await insertCase(database.sql, b2, "just created", "progress", day(15));
    const r2 = await report(p2);
    expect(r2.wipNow).toBe(1);
    expect(r2.ageing[0]).toMatchObject({ ageDays: 5, daysInStatus: 5, estimated: true });

    async function addCaseMoves(caseId: number) {
      const { recordTransition } = await import("../../src/sync/timeline/index.ts");
      for (const [from, to, at, type, oi] of [
        ["in progress", "review", day(4), "custom", 2],
        ["review", "complete", day(5), "done", 4],
      ] as const) {
        await recordTransition(database.sql, {
          caseId,
          fromStatus: from,
          fromType: "custom",
          fromOrderindex: 1,
          toStatus: to,
          toType: type,
          toOrderindex: oi,
          occurredAt: at,
          actorId: null,
          actorName: null,
          source: "webhook",
          historyItemId: `mixed-${to}`,
        });
      }
    }
  });

  it("a stage-mapping change applies at once to every number, and undoing it restores them", async () => {
    const { projectId, bindingId } = await newProject(database.sql);
    await addCase(database.sql, bindingId, {
      path: [
        ["todo", day(0)],
        ["progress", day(1)],
        ["review", day(2)],
        ["complete", day(4)],
      ],
    });
    await addCase(database.sql, bindingId, {
      path: [
        ["todo", day(0)],
        ["progress", day(1)],
        ["review", day(18)],
      ],
    });
    const before = await report(projectId);
    expect(before).toMatchObject({ wipNow: 1, flowEfficiency: 1 });
    expect(before.cycleTime.p50).toBe(3);

    // "review" waits on someone else here: blocked, not active.
    await database.sql`insert into stage_overrides (project_id, status_key, status_name, stage)
                       values (${projectId}, 'review', 'Review', 'blocked')`;
    const blocked = await report(projectId);
    expect(blocked.flowEfficiency).toBeCloseTo(1 / 3, 10);
    expect(blocked.timeInStatus.find((t) => t.status === "review")?.stage).toBe("blocked");
    expect(blocked.ageing[0]).toMatchObject({ stage: "blocked", ageDays: 19 });

    // "in progress" is really a queue: work starts at review, so cycle time shrinks and one task is not WIP.
    await database.sql`update stage_overrides set stage = 'active' where project_id = ${projectId}`;
    await database.sql`insert into stage_overrides (project_id, status_key, status_name, stage)
                       values (${projectId}, 'in progress', 'in progress', 'not_started')`;
    const queued = await report(projectId);
    expect(queued.cycleTime.p50).toBe(2);
    expect(queued.ageing[0]).toMatchObject({ ageDays: 2 });
    expect(queued.timeInStage.find((t) => t.stage === "not_started")?.days).toBe(2);

    // Done earlier: "review" counts as done → the first task finished on day 2, the second is finished too.
    await database.sql`update stage_overrides set stage = 'done' where project_id = ${projectId} and status_key = 'review'`;
    await database.sql`delete from stage_overrides where project_id = ${projectId} and status_key = 'in progress'`;
    const done = await report(projectId);
    expect(done).toMatchObject({ wipNow: 0 });
    expect(done.cycleScatter.map((p) => [p.finishedAt, p.cycleDays])).toEqual([
      [day(18), 17],
      [day(2), 1],
    ]);

    await database.sql`delete from stage_overrides where project_id = ${projectId}`;
    const after = await report(projectId);
    expect(after).toEqual(before);
  });

  it("day counting across a DST change in Europe/Berlin: elapsed days, calendar-days convention, working days", async () => {
    // Started Friday 27 March 2026 10:00 CET (09:00Z); finished Tuesday 31 March 10:00 CEST (08:00Z).
    // Clocks go forward on Sunday 29 March: 95 hours elapsed (4 days on the wall clock, which is not
    // what counts: docs/flow-metrics.md §4.2).
    const started = new Date("2026-03-27T09:00:00Z");
    const finished = new Date("2026-03-31T08:00:00Z");
    const at = new Date("2026-04-02T12:00:00Z");
    const path: [Parameters<typeof addCase>[2]["path"][number][0], Date][] = [
      ["todo", new Date("2026-03-20T09:00:00Z")],
      ["progress", started],
      ["complete", finished],
    ];
    const berlin = await newProject(database.sql, { timeZone: "Europe/Berlin" });
    await addCase(database.sql, berlin.bindingId, { path });
    const r = await report(berlin.projectId, at);
    expect(r.window).toMatchObject({ timeZone: "Europe/Berlin", clock: "calendar", days: 90 });
    expect(r.cycleTime.p50).toBeCloseTo(95 / 24, 10);
    expect(r.cycleTime.calendarDays.p50).toBe(5);
    // created Friday 20 March 10:00 CET → Tuesday 31 March 10:00 CEST: 10 days 23 h elapsed.
    expect(r.leadTime.p50).toBeCloseTo(263 / 24, 10);
    // Flow efficiency is a ratio of elapsed times: unaffected.
    expect(r.flowEfficiency).toBeCloseTo(1, 10);
    // The week of the finish starts on Monday 30 March 00:00 in Berlin (22:00Z the day before, CEST).
    expect(r.throughput.perWeek.find((w) => w.count === 1)?.weekStart).toEqual(
      new Date("2026-03-29T22:00:00Z"),
    );

    // Working days: Friday 10:00 → Tuesday 10:00 is 14 h + Monday + 10 h = 2 working days.
    const working = await newProject(database.sql, { timeZone: "Europe/Berlin", workingDays: true });
    await addCase(database.sql, working.bindingId, { path });
    const w = await report(working.projectId, at);
    expect(w.window.clock).toBe("working");
    expect(w.cycleTime.p50).toBeCloseTo(2, 10);
    // Lead: Fri 20 Mar 10:00 → Tue 31 Mar 10:00 = 7 working days.
    expect(w.leadTime.p50).toBeCloseTo(7, 10);
    expect(w.cycleTime.calendarDays.p50).toBe(5);

    // UTC sees the same task as 3.958 days (95 h) and dates 27 → 31 March.
    const utc = await newProject(database.sql, { timeZone: "UTC" });
    await addCase(database.sql, utc.bindingId, { path });
    const u = await report(utc.projectId, at);
    expect(u.cycleTime.p50).toBeCloseTo(95 / 24, 10);

    // Around local midnight: 23:30 → 00:30 in Berlin is two calendar days; in UTC (22:30 → 23:30) one.
    const midnight: typeof path = [
      ["todo", new Date("2026-03-20T09:00:00Z")],
      ["progress", new Date("2026-03-27T22:30:00Z")],
      ["complete", new Date("2026-03-27T23:30:00Z")],
    ];
    const b2 = await newProject(database.sql, { timeZone: "Europe/Berlin" });
    await addCase(database.sql, b2.bindingId, { path: midnight });
    const u2 = await newProject(database.sql, { timeZone: "UTC" });
    await addCase(database.sql, u2.bindingId, { path: midnight });
    const [rb, ru] = await Promise.all([report(b2.projectId, at), report(u2.projectId, at)]);
    expect([rb.cycleTime.calendarDays.p50, ru.cycleTime.calendarDays.p50]).toEqual([2, 1]);
    expect(rb.cycleTime.p50).toBeCloseTo(1 / 24, 10);

    // Changing a project's zone re-counts its days at once.
    await database.sql`update projects set time_zone = 'UTC' where id = ${berlin.projectId}`;
    const moved = await report(berlin.projectId, at);
    expect(moved.cycleTime.p50).toBeCloseTo(95 / 24, 10);
    expect(moved.throughput.perWeek.find((w) => w.count === 1)?.weekStart).toEqual(
      new Date("2026-03-30T00:00:00Z"),
    );
  });

  it("a project counts its unbound bindings' cases, not deleted or untracked ones, nor other projects'", async () => {
    const { projectId, bindingId } = await newProject(database.sql);
    const second = await newBinding(database.sql, projectId);
    const flow: Parameters<typeof addCase>[2]["path"] = [
      ["todo", day(0)],
      ["progress", day(1)],
      ["complete", day(3)],
    ];
    await addCase(database.sql, bindingId, { path: flow });
    await addCase(database.sql, second, { path: flow });
    const gone = await addCase(database.sql, bindingId, {
      path: [
        ["todo", day(0)],
        ["progress", day(1)],
        ["review", day(2)],
        ["progress", day(2.5)],
        ["complete", day(3)],
      ],
    });
    const movedOut = await addCase(database.sql, bindingId, { path: flow });
    await database.sql`update bindings set unbound_at = now() where id = ${second}`;
    await database.sql`update tracked_cases set deleted_at = now() where id = ${gone}`;
    await database.sql`update tracked_cases set tracked = false where id = ${movedOut}`;
    const other = await newProject(database.sql);
    await addCase(database.sql, other.bindingId, { path: flow });
    const r = await report(projectId);
    expect(r.throughput.total).toBe(2);
    expect(r.cycleTime.n).toBe(2);
    // The deleted task's flow-back is gone with it.
    expect(r.rework).toMatchObject({ eventsTotal: 0, events: [], finishedWithRework: 0 });
  });

  it("percentiles are nearest-rank: n = 1, n = 20 and none", async () => {
    // One task, then twenty: ⌈0.7 × 20⌉ = 14, ⌈0.85 × 20⌉ = 17, ⌈0.95 × 20⌉ = 19 exactly.
    const one = await newProject(database.sql);
    await addCase(database.sql, one.bindingId, {
      path: [
        ["todo", day(0)],
        ["progress", day(1)],
        ["complete", day(3.5)],
      ],
    });
    expect((await report(one.projectId)).cycleTime).toMatchObject({
      n: 1,
      p50: 2.5,
      p70: 2.5,
      p85: 2.5,
      p95: 2.5,
    });
    const twenty = await newProject(database.sql);
    for (let c = 20; c >= 1; c -= 1) {
      await addCase(database.sql, twenty.bindingId, {
        path: [
          ["progress", day(0)],
          ["complete", day(c / 4)],
        ],
      });
    }
    expect((await report(twenty.projectId)).cycleTime).toMatchObject({
      n: 20,
      p50: 10 / 4,
      p70: 14 / 4,
      p85: 17 / 4,
      p95: 19 / 4,
    });
    const empty = await newProject(database.sql);
    const e = await report(empty.projectId);
    expect(e.cycleTime).toMatchObject({ n: 0, p50: null, p95: null });
    expect(e).toMatchObject({
      sle: { days: null, source: "none" },
      flowEfficiency: null,
      ageingThresholdDays: null,
    });
    expect(e.rework.rate).toBeNull();
  });

  it("the flow facts follow every change of the data: removed transitions, re-seeded timings, deleted tasks", async () => {
    const { projectId, bindingId } = await newProject(database.sql);
    const caseId = await addCase(database.sql, bindingId, {
      path: [
        ["todo", day(0)],
        ["progress", day(1)],
        ["complete", day(4)],
      ],
    });
    expect((await report(projectId)).throughput.total).toBe(1);
    // The move to done is removed (e.g. unbind & delete data of a re-bound list): in progress again.
    await database.sql`delete from status_transitions where case_id = ${caseId} and to_status = 'complete'`;
    const reverted = await report(projectId);
    expect(reverted).toMatchObject({ wipNow: 1, throughput: { total: 0 } });
    expect(reverted.ageing[0]).toMatchObject({ status: "in progress", ageDays: 19 });

    // A re-run backfill replaces a case's timings in one statement each (delete, then insert many).
    const old = await insertCase(database.sql, bindingId, "re-seeded", "complete", day(0));
    await addTimings(database.sql, old, [
      { status: "progress", minutes: 24 * 60, since: day(1) },
      { status: "complete", minutes: 60, since: day(2), current: true },
    ]);
    expect((await report(projectId)).cycleScatter.map((p) => p.cycleDays)).toEqual([1]);
    await database.sql`delete from status_timings where case_id = ${old}`;
    await database.sql`
      insert into status_timings (case_id, status_name, status_type, status_orderindex, total_minutes, since, is_current)
      values (${old}, 'in progress', 'custom', 1, ${3 * 24 * 60}, ${day(1).toISOString()}, false),
             (${old}, 'complete', 'done', 4, 60, ${day(4).toISOString()}, true)`;
    expect((await report(projectId)).cycleScatter.map((p) => p.cycleDays)).toEqual([3]);

    // Deleting the case removes its facts with it.
    await database.sql`delete from tracked_cases where id = ${old}`;
    const [left] = await database.sql<{ n: number }[]>`
      select (select count(*) from flow_cases where case_id = ${old})
           + (select count(*) from flow_case_status where case_id = ${old}) as n`;
    expect(Number(left!.n)).toBe(0);
    expect((await report(projectId)).throughput.total).toBe(0);
  });

  it("rejects a project that does not exist and a window that is not a whole number of days", async () => {
    await expect(report(999_999)).rejects.toThrow("project 999999 does not exist");
    const { projectId } = await newProject(database.sql);
    await expect(report(projectId, now, 0)).rejects.toThrow(/whole number of days from 1/);
    await expect(report(projectId, now, 1.5)).rejects.toThrow(/whole number of days from 1/);
  });
});
