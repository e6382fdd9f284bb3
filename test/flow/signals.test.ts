import type { Sql } from "postgres";
import { describe, expect, it } from "vitest";
import { ageingWip } from "../../src/flow/metrics/index.ts";
import { computeSignalHeadline, projectSignals, signalsOfWip } from "../../src/flow/metrics/signals.ts";
import { stalledCases } from "../../src/flow/metrics/signals-stalled.ts";
import { statusVisits, stuckCases } from "../../src/flow/metrics/signals-stuck.ts";
import { loadMetricsSettings, windowOf } from "../../src/flow/metrics/window-settings.ts";
import { useTestDatabase } from "../helpers/test-database.ts";
import { newProject } from "./metrics-timeline.ts";
import { caseWith } from "./status-path.ts";

// The stuck-in-status and stalled signals on docs/flow-metrics.md §8.4's hand-computed examples (zone UTC,
// now = Thu 19 Mar 2026 12:00), and the working-day clock for the stuck signal.

const database = useTestDatabase();

type Status = { name: string; type: string; orderindex: number };
const S = {
  todo: { name: "to do", type: "open", orderindex: 0 },
  progress: { name: "in progress", type: "custom", orderindex: 1 },
  review: { name: "review", type: "custom", orderindex: 2 },
  qa: { name: "QA", type: "custom", orderindex: 3 },
  blocked: { name: "blocked", type: "custom", orderindex: 3 },
  done: { name: "complete", type: "done", orderindex: 4 },
} satisfies Record<string, Status>;

const NOW = new Date("2026-03-19T12:00:00Z");
const DAY = 86_400_000;
const at = (iso: string) => new Date(`${iso}Z`);
const plus = (d: Date, days: number) => new Date(d.getTime() + days * DAY);

/**
 * §8.4's history: seven cases finished in the window, with §4.8's cycle times 1.0, 2.5, 3.0, 4.0, 6.0,
 * 8.2 and 15.0 d (so the project's SLE is 8.2 d) and "review" status times 0.25, 0.5, 1.0 (0.25 + 0.75),
 * 1.0, 1.5, 2.0 and 4.0 d; only the last three entered "QA".
 */
async function seedHistory(sql: Sql, bindingId: number) {
  const s = at("2026-02-02T09:00:00");
  const finished: [Status, number][][] = [
    [
      [S.progress, 0],
      [S.review, 0.75],
      [S.done, 1.0],
    ],
    [
      [S.progress, 0],
      [S.review, 2.0],
      [S.done, 2.5],
    ],
    [
      [S.progress, 0],
      [S.review, 0.5],
      [S.progress, 0.75],
      [S.review, 2.25],
      [S.done, 3.0],
    ],
    [
      [S.progress, 0],
      [S.review, 3.0],
      [S.done, 4.0],
    ],
    [
      [S.progress, 0],
      [S.review, 2.0],
      [S.qa, 3.5],
      [S.done, 6.0],
    ],
    [
      [S.progress, 0],
      [S.review, 1.0],
      [S.qa, 3.0],
      [S.done, 8.2],
    ],
    [
      [S.progress, 0],
      [S.review, 5.0],
      [S.qa, 9.0],
      [S.done, 15.0],
    ],
  ];
  for (const [i, path] of finished.entries()) {
    const start = plus(s, i * 2);
    await caseWith(
      sql,
      bindingId,
      plus(start, -1),
      path.map(([status, d]) => [status, plus(start, d)]),
    );
  }
}

async function stuckAt(projectId: number, now: Date, rule: number | "sle" | null) {
  const s = await loadMetricsSettings(database.sql, projectId);
  const { from, to } = windowOf(now, s.windowDays);
  return stuckCases(database.sql, s, { now, from, to, rule });
}

describe("stuck in status (docs/flow-metrics.md §8.2, §8.4)", () => {
  it("measures each status against its own 85th percentile, or the project's rule when too few finished", async () => {
    const { projectId, bindingId } = await newProject(database.sql);
    await seedHistory(database.sql, bindingId);
    // W1: review Mon 9 Mar 09:00–21:00 (0.5 d), review again since Tue 17 Mar 12:00 (2.0 d) → 2.5 d.
    const w1 = await caseWith(database.sql, bindingId, at("2026-03-09T08:00:00"), [
      [S.review, at("2026-03-09T09:00:00")],
      [S.progress, at("2026-03-09T21:00:00")],
      [S.review, at("2026-03-17T12:00:00")],
    ]);
    // W2: QA since Mon 16 Mar 12:00 (3.0 d); W3: QA since Tue 10 Mar 00:00 (9.5 d).
    await caseWith(database.sql, bindingId, at("2026-03-12T08:00:00"), [
      [S.progress, at("2026-03-12T09:00:00")],
      [S.qa, at("2026-03-16T12:00:00")],
    ]);
    const w3 = await caseWith(database.sql, bindingId, at("2026-03-09T08:00:00"), [
      [S.progress, at("2026-03-09T09:00:00")],
      [S.qa, at("2026-03-10T00:00:00")],
    ]);
    // A case only in its first visit to review, 2.0 d: not above the limit of 2.0 d.
    await caseWith(database.sql, bindingId, at("2026-03-16T08:00:00"), [
      [S.progress, at("2026-03-16T09:00:00")],
      [S.review, at("2026-03-17T12:00:00")],
    ]);

    // The project's rule defaults to its SLE: §4.8's p85 of the seven cycle times, 8.2 d.
    const stuck = await stuckAt(projectId, NOW, "sle");
    expect(stuck).toHaveLength(2);
    const [first, second] = stuck;
    expect(first).toMatchObject({
      caseId: w3,
      status: "QA",
      limitSource: "rule",
      historyCount: 3,
      estimated: false,
      visitSince: at("2026-03-10T00:00:00"),
    });
    expect(first!.daysSoFar).toBeCloseTo(9.5, 10);
    expect(first!.limitDays).toBeCloseTo(8.2, 10);
    expect(second).toMatchObject({
      caseId: w1,
      status: "review",
      limitDays: 2.0,
      limitSource: "p85",
      historyCount: 7,
      visitSince: at("2026-03-17T12:00:00"),
    });
    expect(second!.daysSoFar).toBeCloseTo(2.5, 10);
    expect(await statusVisits(database.sql, [w1, w3])).toEqual(
      new Map([
        [w1, 2],
        [w3, 1],
      ]),
    );

    // A rule set in days replaces the SLE where the history is too short, and only there.
    expect((await stuckAt(projectId, NOW, 10)).map((c) => c.caseId)).toEqual([w1]);
    expect((await stuckAt(projectId, NOW, 8.2)).map((c) => c.caseId)).toEqual([w3, w1]);
    // With no rule (no SLE, no days set), nothing is stuck in QA.
    expect((await stuckAt(projectId, NOW, null)).map((c) => c.caseId)).toEqual([w1]);
    // An SLE set by hand is the project's SLE.
    await database.sql`update projects set sle_days = 9.6 where id = ${projectId}`;
    expect((await stuckAt(projectId, NOW, "sle")).map((c) => c.caseId)).toEqual([w1]);
  });

  it("tells statuses apart by their key across lists, and counts a WIP case's time so far on the working-day clock", async () => {
    // Five finished cases with a "Review" time: calendar Fri 12:00 → Mon 12:00 is 3 d, but 1.0 working
    // day (Fri 0.5 + Mon 0.5). Working values: 0.5, 1.0, 1.0, 1.5, 2.0 → p85 = rank ⌈4.25⌉ = 5 → 2.0.
    const { projectId, bindingId } = await newProject(database.sql, { workingDays: true });
    const spelled = { ...S.review, name: " Review" };
    const reviews: [Date, Date][] = [
      [at("2026-03-02T09:00:00"), at("2026-03-02T21:00:00")], // Mon 12 h: 0.5
      [at("2026-03-06T12:00:00"), at("2026-03-09T12:00:00")], // Fri–Mon: 1.0 (3 d elapsed)
      [at("2026-03-03T00:00:00"), at("2026-03-04T00:00:00")], // Tue: 1.0
      [at("2026-03-05T12:00:00"), at("2026-03-09T00:00:00")], // Thu 0.5 + Fri 1: 1.5
      [at("2026-03-10T00:00:00"), at("2026-03-12T00:00:00")], // Tue, Wed: 2.0
    ];
    for (const [i, [a, b]] of reviews.entries()) {
      await caseWith(database.sql, bindingId, plus(a, -1), [
        [S.progress, plus(a, -0.5)],
        [i % 2 ? spelled : S.review, a],
        [S.done, b],
      ]);
    }
    // WIP: review Fri 13 Mar 18:00 → Mon 16 Mar 06:00 (6/24 + 6/24 = 0.5 working days, 1.5 d elapsed),
    // then " Review" again since Wed 18 Mar 00:00 (1.5 working days to Thu 19 12:00): 2.0 — not above 2.0.
    const wip = await caseWith(database.sql, bindingId, at("2026-03-13T08:00:00"), [
      [S.progress, at("2026-03-13T09:00:00")],
      [S.review, at("2026-03-13T18:00:00")],
      [S.progress, at("2026-03-16T06:00:00")],
      [spelled, at("2026-03-18T00:00:00")],
    ]);
    expect(await stuckAt(projectId, NOW, null)).toEqual([]);
    // Six hours later it has 2.25 working days in review over two visits.
    const later = await stuckAt(projectId, new Date(NOW.getTime() + 6 * 3_600_000), null);
    expect(later).toMatchObject([
      { caseId: wip, status: " Review", limitDays: 2, limitSource: "p85", historyCount: 5 },
    ]);
    // Two visits: " Review" and "review" are one status.
    expect(await statusVisits(database.sql, [wip])).toEqual(new Map([[wip, 2]]));
    expect(later[0]!.daysSoFar).toBeCloseTo(2.25, 10);
  });

  it("marks a limit estimated when its history rests on ClickUp's time-in-status totals", async () => {
    const { projectId, bindingId } = await newProject(database.sql);
    for (let i = 0; i < 5; i++) {
      const id = await caseWith(database.sql, bindingId, at("2026-03-01T00:00:00"), [
        [S.review, at(`2026-03-0${2 + i}T00:00:00`)],
        [S.done, at(`2026-03-0${2 + i}T12:00:00`)],
      ]);
      if (i === 0) {
        await database.sql`
          insert into status_timings (case_id, status_name, status_type, status_orderindex, total_minutes, since, is_current)
          values (${id}, 'to do', 'open', 0, 60, ${at("2026-03-01T00:00:00")}, false)`;
      }
    }
    await database.sql`select flowbot_rebuild_project_flow_facts(${projectId}::bigint)`;
    await caseWith(database.sql, bindingId, at("2026-03-16T00:00:00"), [
      [S.review, at("2026-03-18T00:00:00")],
    ]);
    const [stuck] = await stuckAt(projectId, NOW, null);
    expect(stuck).toMatchObject({ limitDays: 0.5, limitSource: "p85", estimated: false });
    // The timings were for "to do", not review: review's history is exact. Now one for review.
    const [one] = await database.sql<{ id: number }[]>`
      select tc.id::int as id from tracked_cases tc join bindings b on b.id = tc.binding_id
      where b.project_id = ${projectId} order by tc.id limit 1`;
    await database.sql`
      insert into status_timings (case_id, status_name, status_type, status_orderindex, total_minutes, since, is_current)
      values (${one!.id}, 'review', 'custom', 2, 30, ${at("2026-03-01T12:00:00")}, false)`;
    await database.sql`select flowbot_rebuild_project_flow_facts(${projectId}::bigint)`;
    const [again] = await stuckAt(projectId, NOW, null);
    expect(again).toMatchObject({ estimated: true });
    // On the working-day clock too: the total is placed just before the first transition (Sun 1 Mar
    // 12:00–24:00, no working time), so review's values stay 0.5 working days and the limit estimated.
    await database.sql`update projects set working_days = true where id = ${projectId}`;
    const [working] = await stuckAt(projectId, NOW, null);
    expect(working).toMatchObject({ limitDays: 0.5, limitSource: "p85", estimated: true });
    expect(working!.daysSoFar).toBeCloseTo(1.5, 10);
  });
});

describe("stalled (docs/flow-metrics.md §8.3, §8.4)", () => {
  // S1 moved to "in progress" on Wed 11 Mar 10:00; N = 5 working days.
  const created = at("2026-03-11T09:00:00");
  const path = (): [Status, Date][] => [[S.progress, at("2026-03-11T10:00:00")]];

  it("counts working days from the last activity, skipping the weekend (a comment on Thu 12 Mar 15:00)", async () => {
    const { projectId, bindingId } = await newProject(database.sql);
    const s1 = await caseWith(database.sql, bindingId, created, path(), {
      lastActivityAt: at("2026-03-12T15:00:00"),
    });
    const s = { projectId, timeZone: "UTC" };
    // Thu 9/24 + Fri 1 + Mon–Wed 3 + Thu 12/24 = 4.875: not yet.
    expect(await stalledCases(database.sql, s, NOW, 5)).toEqual([]);
    // It is at Thu 19 Mar 15:00, exactly five working days.
    const at5 = await stalledCases(database.sql, s, at("2026-03-19T15:00:00"), 5);
    expect(at5).toMatchObject([{ caseId: s1, lastActivityAt: at("2026-03-12T15:00:00") }]);
    expect(at5[0]!.quietDays).toBeCloseTo(5, 9);
    expect(await stalledCases(database.sql, s, at("2026-03-19T14:59:00"), 5)).toEqual([]);
    // Any N from 1 to 60: at N = 4 it was stalled already.
    expect(await stalledCases(database.sql, s, NOW, 4)).toHaveLength(1);
  });

  it("without the comment, the move to in progress is the last activity: 6.083 working days, stalled", async () => {
    const { projectId, bindingId } = await newProject(database.sql);
    const s1 = await caseWith(database.sql, bindingId, created, path());
    const stalled = await stalledCases(database.sql, { projectId, timeZone: "UTC" }, NOW, 5);
    expect(stalled).toMatchObject([{ caseId: s1, lastActivityAt: at("2026-03-11T10:00:00") }]);
    // Wed 14/24 + Thu, Fri 2 + Mon–Wed 3 + Thu 12/24.
    expect(stalled[0]!.quietDays).toBeCloseTo(14 / 24 + 5 + 0.5, 10);
  });

  it("a date_updated move seen by reconcile (Wed 18 Mar 16:00) ends the quiet period: 0.833 working days", async () => {
    const { projectId, bindingId } = await newProject(database.sql);
    await caseWith(database.sql, bindingId, created, path(), { dateUpdated: at("2026-03-18T16:00:00") });
    expect(await stalledCases(database.sql, { projectId, timeZone: "UTC" }, NOW, 5)).toEqual([]);
    expect(await stalledCases(database.sql, { projectId, timeZone: "UTC" }, NOW, 1)).toEqual([]);
    const [quiet] = await stalledCases(database.sql, { projectId, timeZone: "UTC" }, NOW, 0.5);
    expect(quiet!.quietDays).toBeCloseTo(8 / 24 + 0.5, 10);
  });

  it("counts working days in the project's zone whatever its clock, and ignores finished and not-started cases", async () => {
    // Asia/Tokyo (UTC+9): Wed 11 Mar 10:00 UTC is 19:00 local; to Thu 19 Mar 21:00 local:
    // Wed 5/24 + Thu, Fri 2 + Mon–Wed 3 + Thu 21/24 = 6.083.
    const { projectId, bindingId } = await newProject(database.sql, { timeZone: "Asia/Tokyo" });
    const s1 = await caseWith(database.sql, bindingId, created, path());
    await caseWith(database.sql, bindingId, created, [
      [S.progress, at("2026-03-11T10:00:00")],
      [S.done, at("2026-03-11T11:00:00")],
    ]);
    await caseWith(database.sql, bindingId, created, []);
    const [only, ...rest] = await stalledCases(database.sql, { projectId, timeZone: "Asia/Tokyo" }, NOW, 5);
    expect(rest).toEqual([]);
    expect(only).toMatchObject({ caseId: s1 });
    expect(only!.quietDays).toBeCloseTo(5 / 24 + 5 + 21 / 24, 10);
  });
});

describe("the signals each WIP case carries (docs/flow-metrics.md §8.5)", () => {
  it("marks every signal of a case, and App Home counts a case under each it carries", async () => {
    const { projectId, bindingId } = await newProject(database.sql);
    await seedHistory(database.sql, bindingId);
    // W1 and W3 of §8.4 (aged 10.1 d: over the SLE of 8.2 d; stuck); W3 quiet 7.5 working days.
    const w1 = await caseWith(database.sql, bindingId, at("2026-03-09T08:00:00"), [
      [S.review, at("2026-03-09T09:00:00")],
      [S.progress, at("2026-03-09T21:00:00")],
      [S.review, at("2026-03-17T12:00:00")],
    ]);
    const w3 = await caseWith(database.sql, bindingId, at("2026-03-09T08:00:00"), [
      [S.progress, at("2026-03-09T09:00:00")],
      [S.qa, at("2026-03-10T00:00:00")],
    ]);
    // S1, blocked since Wed 11 Mar 10:00: stalled only (8.1 d old, 8.1 d in blocked, under 8.2 d).
    const s1 = await caseWith(database.sql, bindingId, at("2026-03-11T09:00:00"), [
      [S.blocked, at("2026-03-11T10:00:00")],
    ]);
    const wip = await ageingWip(database.sql, projectId, { now: NOW });
    const window = { now: NOW, ...windowOf(NOW, 90) };
    const marks = signalsOfWip(wip.items, await projectSignals(database.sql, projectId, window));
    expect(Object.fromEntries(marks)).toEqual({
      [w1]: ["over_sle", "stuck"],
      [w3]: ["over_sle", "stuck", "stalled"],
      [s1]: ["stalled"],
    });
    expect((await computeSignalHeadline(database.sql, projectId, { now: NOW })).signals).toEqual({
      over_sle: 2,
      stuck: 2,
      stalled: 2,
    });

    await database.sql`insert into signal_settings (project_id, over_sle_on, stuck_on) values (${projectId}, false, false)`;
    const off = signalsOfWip(wip.items, await projectSignals(database.sql, projectId, window));
    expect(Object.fromEntries(off)).toEqual({ [w3]: ["stalled"], [s1]: ["stalled"] });
    expect((await computeSignalHeadline(database.sql, projectId, { now: NOW })).signals).toEqual({
      over_sle: null,
      stuck: null,
      stalled: 2,
    });
  });
});
