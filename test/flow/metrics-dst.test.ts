import { describe, expect, it } from "vitest";
import { ageingWip, computeFlowReport } from "../../src/flow/metrics/index.ts";
import { useTestDatabase } from "../helpers/test-database.ts";
import { addCase, DAY, newProject, type StatusKey } from "./metrics-timeline.ts";

const database = useTestDatabase();

/*
 * Durations across daylight-saving changes (docs/flow-metrics.md §4.2–4.4), every value worked out by hand:
 * cycle and lead time are elapsed hours ÷ 24; on the working-day clock each Mon–Fri local day counts as one
 * day and a part of one as the share of that day's elapsed time.
 *
 * Each case: created Thursday 10:00 local, started Friday 10:00 local, finished Monday 10:00 local, with the
 * clocks changed early on the Sunday between. Spring forward: Friday → Monday is 71 h; autumn back: 73 h.
 * Working days: Friday 14 h of 24 + Monday 10 h of 24 = 1; from Thursday's creation, 2.
 */
const cases = [
  {
    zone: "Europe/Berlin",
    change: "spring (Sun 29 Mar 2026, 02:00 CET → 03:00 CEST)",
    created: "2026-03-26T09:00:00Z",
    started: "2026-03-27T09:00:00Z",
    finished: "2026-03-30T08:00:00Z",
    cycleHours: 71,
    leadHours: 95,
  },
  {
    zone: "Europe/Berlin",
    change: "autumn (Sun 25 Oct 2026, 03:00 CEST → 02:00 CET)",
    created: "2026-10-22T08:00:00Z",
    started: "2026-10-23T08:00:00Z",
    finished: "2026-10-26T09:00:00Z",
    cycleHours: 73,
    leadHours: 97,
  },
  {
    zone: "America/New_York",
    change: "spring (Sun 8 Mar 2026, 02:00 EST → 03:00 EDT)",
    created: "2026-03-05T15:00:00Z",
    started: "2026-03-06T15:00:00Z",
    finished: "2026-03-09T14:00:00Z",
    cycleHours: 71,
    leadHours: 95,
  },
  {
    zone: "America/New_York",
    change: "autumn (Sun 1 Nov 2026, 02:00 EDT → 01:00 EST)",
    created: "2026-10-29T14:00:00Z",
    started: "2026-10-30T14:00:00Z",
    finished: "2026-11-02T15:00:00Z",
    cycleHours: 73,
    leadHours: 97,
  },
] as const;

const path = (created: Date, started: Date, finished: Date): [StatusKey, Date][] => [
  ["todo", created],
  ["progress", started],
  ["complete", finished],
];

describe("durations across daylight-saving changes are elapsed time", () => {
  for (const c of cases) {
    it(`${c.zone}, ${c.change}: cycle ${c.cycleHours} h, lead ${c.leadHours} h; working days 1 and 2`, async () => {
      const created = new Date(c.created);
      const started = new Date(c.started);
      const finished = new Date(c.finished);
      const at = new Date(finished.getTime() + 2 * DAY);

      const calendar = await newProject(database.sql, { timeZone: c.zone });
      await addCase(database.sql, calendar.bindingId, { path: path(created, started, finished) });
      const r = await computeFlowReport(database.sql, calendar.projectId, { now: at });
      expect(r.cycleTime.p50).toBeCloseTo(c.cycleHours / 24, 10);
      expect(r.leadTime.p50).toBeCloseTo(c.leadHours / 24, 10);
      expect(r.cycleScatter[0]?.cycleDays).toBeCloseTo(c.cycleHours / 24, 10);
      // Friday → Monday in local dates: 4 calendar days.
      expect(r.cycleTime.calendarDays.p50).toBe(4);

      const working = await newProject(database.sql, { timeZone: c.zone, workingDays: true });
      await addCase(database.sql, working.bindingId, { path: path(created, started, finished) });
      const w = await computeFlowReport(database.sql, working.projectId, { now: at });
      expect(w.cycleTime.p50).toBeCloseTo(1, 10);
      expect(w.leadTime.p50).toBeCloseTo(2, 10);
    });
  }

  it("work item age and time in status of WIP across the spring change (Berlin): 71 h, 1 working day", async () => {
    // In progress since Friday 27 March 10:00 CET; now is Monday 30 March 10:00 CEST.
    const started = new Date("2026-03-27T09:00:00Z");
    const now = new Date("2026-03-30T08:00:00Z");
    const calendar = await newProject(database.sql, { timeZone: "Europe/Berlin" });
    await addCase(database.sql, calendar.bindingId, {
      path: [
        ["todo", new Date("2026-03-20T09:00:00Z")],
        ["progress", started],
      ],
    });
    const wip = await ageingWip(database.sql, calendar.projectId, { now });
    expect(wip.items).toHaveLength(1);
    expect(wip.items[0]!.ageDays).toBeCloseTo(71 / 24, 10);
    expect(wip.items[0]!.daysInStatus).toBeCloseTo(71 / 24, 10);

    const working = await newProject(database.sql, { timeZone: "Europe/Berlin", workingDays: true });
    await addCase(database.sql, working.bindingId, {
      path: [
        ["todo", new Date("2026-03-20T09:00:00Z")],
        ["progress", started],
      ],
    });
    const w = await ageingWip(database.sql, working.projectId, { now });
    expect(w.items[0]!.ageDays).toBeCloseTo(1, 10);
  });

  it("the weekend of a change counts nothing on the working-day clock, before or after the jump", async () => {
    // Started Sunday 29 March 01:30 CET (before the jump), finished Monday 30 March 12:00 CEST:
    // 33.5 h elapsed; working days: only Monday's 12 h of 24.
    const project = await newProject(database.sql, { timeZone: "Europe/Berlin", workingDays: true });
    await addCase(database.sql, project.bindingId, {
      path: path(
        new Date("2026-03-20T09:00:00Z"),
        new Date("2026-03-29T00:30:00Z"),
        new Date("2026-03-30T10:00:00Z"),
      ),
    });
    const w = await computeFlowReport(database.sql, project.projectId, {
      now: new Date("2026-04-01T00:00:00Z"),
    });
    expect(w.cycleTime.p50).toBeCloseTo(0.5, 10);

    const calendar = await newProject(database.sql, { timeZone: "Europe/Berlin" });
    await addCase(database.sql, calendar.bindingId, {
      path: path(
        new Date("2026-03-20T09:00:00Z"),
        new Date("2026-03-29T00:30:00Z"),
        new Date("2026-03-30T10:00:00Z"),
      ),
    });
    const r = await computeFlowReport(database.sql, calendar.projectId, {
      now: new Date("2026-04-01T00:00:00Z"),
    });
    expect(r.cycleTime.p50).toBeCloseTo(33.5 / 24, 10);
  });

  it("a working day with a change of its own counts as one day, parts of it by its real length (Cairo)", async () => {
    // Egypt moves its clocks on Friday 24 April 2026 at 00:00 (EET → EEST), so that Friday — a working day
    // on flowbot's Mon–Fri clock — lasts 23 h, from 01:00 EEST (22:00Z Thursday) to midnight (21:00Z).
    // Thursday 23 April 12:00 EET (10:00Z) → Friday 12:00 EEST (09:00Z): Thursday's 12 h of 24, then 11 h
    // of Friday's 23. Thursday 12:00 → Saturday 12:00 covers the whole Friday: 0.5 + 1 + 0.
    const project = await newProject(database.sql, { timeZone: "Africa/Cairo", workingDays: true });
    const created = new Date("2026-04-20T10:00:00Z");
    await addCase(database.sql, project.bindingId, {
      path: path(created, new Date("2026-04-23T10:00:00Z"), new Date("2026-04-24T09:00:00Z")),
    });
    const other = await newProject(database.sql, { timeZone: "Africa/Cairo", workingDays: true });
    await addCase(database.sql, other.bindingId, {
      path: path(created, new Date("2026-04-23T10:00:00Z"), new Date("2026-04-25T09:00:00Z")),
    });
    const now = new Date("2026-04-30T00:00:00Z");
    const [a, b] = await Promise.all([
      computeFlowReport(database.sql, project.projectId, { now }),
      computeFlowReport(database.sql, other.projectId, { now }),
    ]);
    expect(a.cycleTime.p50).toBeCloseTo(0.5 + 11 / 23, 10);
    expect(b.cycleTime.p50).toBeCloseTo(1.5, 10);
  });
});
