import { describe, expect, it } from "vitest";
import { parseBlackouts } from "../../src/flow/holidays/blackout-dates.ts";
import { checkCalendar } from "../../src/flow/holidays/holiday-calendar.ts";
import { refreshHolidayLists } from "../../src/flow/holidays/refresh-holiday-lists.ts";
import { resolvedHolidays, saveHolidaySettings } from "../../src/flow/holidays/save-holidays.ts";
import { blockedNow } from "../../src/flow/metrics/blocked.ts";
import { ageingWip, computeFlowReport } from "../../src/flow/metrics/index.ts";
import { stalledCases } from "../../src/flow/metrics/signals-stalled.ts";
import { stuckCases } from "../../src/flow/metrics/signals-stuck.ts";
import { loadMetricsSettings, windowOf } from "../../src/flow/metrics/window-settings.ts";
import { useTestDatabase } from "../helpers/test-database.ts";
import { addCase, newProject } from "./metrics-timeline.ts";

const database = useTestDatabase();

/*
 * The worked examples of docs/flow-metrics.md §11 (Europe/Berlin), on the working-day clock, by hand:
 * across the year boundary Thu 24 Dec 2026 12:00 → Mon 4 Jan 2027 12:00 is 7.0 Mon–Fri days, 5.0 with
 * `DE` (Fri 25 Dec and Fri 1 Jan off), 3.5 with blackouts 24 and 31 Dec too; with `DE-BY`, Mon 4 Jan 12:00
 * → Thu 7 Jan 12:00 loses Epiphany (2.0 instead of 3.0); across the spring change Thu 25 Mar 2027 12:00 CET
 * → Tue 30 Mar 12:00 CEST is 3.0 Mon–Fri days and 1.0 with `DE` (Good Friday, Easter Monday).
 */
const TZ = "Europe/Berlin";
const de = (region: string | null = null) => {
  const check = checkCalendar("DE", region ?? "");
  if (!check?.ok) throw new Error("DE must be a calendar");
  return check.calendar;
};
const blackouts = (text: string) => {
  const parsed = parseBlackouts(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return { entries: parsed.entries, dates: parsed.dates };
};
const none = { entries: [], dates: [] };

/** The stored working-day cycle time of the project's one case. */
async function cycleWorkDays(projectId: number): Promise<number> {
  const [row] = await database.sql<{ v: number }[]>`
    select fc.cycle_work_days as v from flow_cases fc where fc.project_id = ${projectId}`;
  if (!row) throw new Error("no case");
  return row.v;
}

/** A working-day project (Berlin) with one case started at `from` and finished at `to`. */
async function projectWithCase(from: string, to: string) {
  const p = await newProject(database.sql, { timeZone: TZ, workingDays: true });
  await addCase(database.sql, p.bindingId, {
    path: [
      ["todo", new Date(Date.parse(from) - 86_400_000 * 30)],
      ["progress", new Date(from)],
      ["complete", new Date(to)],
    ],
  });
  return p;
}

const yearEnd = { from: "2026-12-24T11:00:00Z", to: "2027-01-04T11:00:00Z" };

describe("working days with holidays (docs/flow-metrics.md §11)", () => {
  it("across the year boundary: 7.0 Mon–Fri, 5.0 with DE, 3.5 with blackouts 24 and 31 Dec", async () => {
    const p = await projectWithCase(yearEnd.from, yearEnd.to);
    expect(await cycleWorkDays(p.projectId)).toBeCloseTo(7, 10);

    await saveHolidaySettings(database.sql, p.projectId, { calendar: de(), blackouts: none }, "U1");
    expect(await cycleWorkDays(p.projectId)).toBeCloseTo(5, 10);
    const report = await computeFlowReport(database.sql, p.projectId, {
      now: new Date("2027-01-05T12:00:00Z"),
    });
    expect(report.cycleTime.p50).toBeCloseTo(5, 10);

    await saveHolidaySettings(
      database.sql,
      p.projectId,
      { calendar: de(), blackouts: blackouts("2026-12-24, 2026-12-31") },
      "U1",
    );
    expect(await cycleWorkDays(p.projectId)).toBeCloseTo(3.5, 10);

    // Back to no holidays: the Mon–Fri count again.
    await saveHolidaySettings(database.sql, p.projectId, { calendar: null, blackouts: none }, "U1");
    expect(await cycleWorkDays(p.projectId)).toBeCloseTo(7, 10);
  });

  it("the same with a blackout range 2026-12-28..2026-12-30 on top of DE: 5.0 − 3 = 2.0", async () => {
    const p = await projectWithCase(yearEnd.from, yearEnd.to);
    await saveHolidaySettings(
      database.sql,
      p.projectId,
      { calendar: de(), blackouts: blackouts("2026-12-28..2026-12-30") },
      "U1",
    );
    expect(await cycleWorkDays(p.projectId)).toBeCloseTo(2, 10);
  });

  it("DE-BY adds Epiphany: Mon 4 Jan 12:00 → Thu 7 Jan 12:00 is 3.0 with DE, 2.0 with DE-BY", async () => {
    const p = await projectWithCase("2027-01-04T11:00:00Z", "2027-01-07T11:00:00Z");
    await saveHolidaySettings(database.sql, p.projectId, { calendar: de(), blackouts: none }, "U1");
    expect(await cycleWorkDays(p.projectId)).toBeCloseTo(3, 10);
    await saveHolidaySettings(database.sql, p.projectId, { calendar: de("DE-BY"), blackouts: none }, "U1");
    expect(await cycleWorkDays(p.projectId)).toBeCloseTo(2, 10);
  });

  it("across the spring change with Easter 2027: 3.0 Mon–Fri, 1.0 with DE", async () => {
    const p = await projectWithCase("2027-03-25T11:00:00Z", "2027-03-30T10:00:00Z");
    expect(await cycleWorkDays(p.projectId)).toBeCloseTo(3, 10);
    await saveHolidaySettings(database.sql, p.projectId, { calendar: de(), blackouts: none }, "U1");
    expect(await cycleWorkDays(p.projectId)).toBeCloseTo(1, 10);
  });

  it("lead time counts the holidays too: created Thu 24 Dec 12:00, finished Mon 4 Jan 12:00 with DE is 5.0", async () => {
    const p = await newProject(database.sql, { timeZone: TZ, workingDays: true });
    await addCase(database.sql, p.bindingId, {
      path: [
        ["todo", new Date(yearEnd.from)],
        ["progress", new Date("2026-12-28T11:00:00Z")],
        ["complete", new Date(yearEnd.to)],
      ],
    });
    await saveHolidaySettings(database.sql, p.projectId, { calendar: de(), blackouts: none }, "U1");
    const [row] = await database.sql<{ lead: number; cycle: number }[]>`
      select lead_work_days as lead, cycle_work_days as cycle from flow_cases where project_id = ${p.projectId}`;
    // Lead 5.0 as in the table; cycle Mon 28 Dec 12:00 → Mon 4 Jan 12:00: 0.5 + 3 (Tue–Thu) + 0.5 = 4.0.
    expect(row?.lead).toBeCloseTo(5, 10);
    expect(row?.cycle).toBeCloseTo(4, 10);
  });

  it("the age of work in progress skips the holidays: since Thu 24 Dec 12:00, at Mon 4 Jan 12:00, 5.0 with DE", async () => {
    const p = await newProject(database.sql, { timeZone: TZ, workingDays: true });
    await addCase(database.sql, p.bindingId, {
      path: [
        ["todo", new Date("2026-12-01T09:00:00Z")],
        ["progress", new Date(yearEnd.from)],
      ],
    });
    const now = new Date(yearEnd.to);
    expect((await ageingWip(database.sql, p.projectId, { now })).items[0]?.ageDays).toBeCloseTo(7, 10);
    await saveHolidaySettings(database.sql, p.projectId, { calendar: de(), blackouts: none }, "U1");
    const wip = await ageingWip(database.sql, p.projectId, { now });
    expect(wip.items[0]?.ageDays).toBeCloseTo(5, 10);
    expect(wip.items[0]?.daysInStatus).toBeCloseTo(5, 10);
  });

  it("a save that leaves the list as it was changes nothing; another project keeps its Mon–Fri count", async () => {
    const p = await projectWithCase(yearEnd.from, yearEnd.to);
    const other = await projectWithCase(yearEnd.from, yearEnd.to);
    expect(
      (await saveHolidaySettings(database.sql, p.projectId, { calendar: de(), blackouts: none }, "U1"))
        .listChanged,
    ).toBe(true);
    // 25 Dec and 26 Dec are both public; the blackout on Sat 26 Dec is a weekend day: the same list.
    const again = await saveHolidaySettings(
      database.sql,
      p.projectId,
      { calendar: de(), blackouts: blackouts("2026-12-26") },
      "U2",
    );
    expect(again.listChanged).toBe(false);
    expect(await cycleWorkDays(p.projectId)).toBeCloseTo(5, 10);
    expect(await cycleWorkDays(other.projectId)).toBeCloseTo(7, 10);
  });
});

describe("the signals and blocked time skip the holidays too (docs/flow-metrics.md §8.3, §9.4, §11)", () => {
  // §11's "stalled across the holidays": last activity Wed 23 Dec 2026 17:00 in Berlin (16:00 UTC), N = 5.
  const lastActivity = new Date("2026-12-23T16:00:00Z");
  const stalledAt = async (projectId: number, iso: string) =>
    (await stalledCases(database.sql, { projectId, timeZone: TZ }, new Date(iso), 5)).map((c) => c.caseId);

  it("stalled from Wed 30 Dec 17:00 Mon–Fri only, Thu 31 Dec with DE, Tue 5 Jan with blackouts 24 and 31 Dec", async () => {
    // A calendar-clock project: stalled counts working days whatever the clock (§8.3).
    const p = await newProject(database.sql, { timeZone: TZ, workingDays: false });
    const id = await addCase(database.sql, p.bindingId, {
      path: [
        ["todo", new Date("2026-12-01T09:00:00Z")],
        ["progress", lastActivity],
      ],
    });
    expect(await stalledAt(p.projectId, "2026-12-30T15:59:00Z")).toEqual([]);
    expect(await stalledAt(p.projectId, "2026-12-30T16:00:00Z")).toEqual([id]);

    await saveHolidaySettings(database.sql, p.projectId, { calendar: de(), blackouts: none }, "U1");
    expect(await stalledAt(p.projectId, "2026-12-30T16:00:00Z")).toEqual([]);
    expect(await stalledAt(p.projectId, "2026-12-31T15:59:00Z")).toEqual([]);
    const [thu] = await stalledCases(
      database.sql,
      { projectId: p.projectId, timeZone: TZ },
      new Date("2026-12-31T16:00:00Z"),
      5,
    );
    expect(thu?.caseId).toBe(id);
    expect(thu?.quietDays).toBeCloseTo(5, 9);

    await saveHolidaySettings(
      database.sql,
      p.projectId,
      { calendar: de(), blackouts: blackouts("2026-12-24, 2026-12-31") },
      "U1",
    );
    expect(await stalledAt(p.projectId, "2027-01-05T15:59:00Z")).toEqual([]);
    expect(await stalledAt(p.projectId, "2027-01-05T16:00:00Z")).toEqual([id]);
  });

  it("stuck in status: time so far since Thu 24 Dec 12:00 is 7.0 Mon–Fri days at Mon 4 Jan 12:00, 5.0 with DE", async () => {
    const p = await newProject(database.sql, { timeZone: TZ, workingDays: true });
    const id = await addCase(database.sql, p.bindingId, {
      path: [
        ["todo", new Date("2026-12-01T09:00:00Z")],
        ["progress", new Date(yearEnd.from)],
      ],
    });
    // No finished case entered "in progress": the project's rule, here 6 days, is the limit.
    const stuck = async () => {
      const s = await loadMetricsSettings(database.sql, p.projectId);
      const now = new Date(yearEnd.to);
      return stuckCases(database.sql, s, { now, ...windowOf(now, s.windowDays), rule: 6 });
    };
    const before = await stuck();
    expect(before.map((c) => c.caseId)).toEqual([id]);
    expect(before[0]?.daysSoFar).toBeCloseTo(7, 10);
    await saveHolidaySettings(database.sql, p.projectId, { calendar: de(), blackouts: none }, "U1");
    expect(await stuck()).toEqual([]);
  });

  it("the stuck history counts each visit's working days less the holidays", async () => {
    const p = await newProject(database.sql, { timeZone: TZ, workingDays: true });
    // Five finished cases spent Thu 24 Dec 12:00 → Mon 4 Jan 12:00 in review: 7.0 each Mon–Fri, 5.0 with DE.
    for (let i = 0; i < 5; i += 1) {
      await addCase(database.sql, p.bindingId, {
        path: [
          ["todo", new Date("2026-12-01T09:00:00Z")],
          ["review", new Date(yearEnd.from)],
          ["complete", new Date(yearEnd.to)],
        ],
      });
    }
    // A WIP case in review since Tue 5 Jan 12:00 (11:00 UTC); at Tue 12 Jan 18:00 (17:00 UTC) it has
    // 0.5 + 4 (Wed–Fri, Mon) + 0.75 = 5.25 working days: above 5.0 (DE), not above 7.0 (Mon–Fri only).
    const id = await addCase(database.sql, p.bindingId, {
      path: [
        ["todo", new Date("2026-12-01T09:00:00Z")],
        ["review", new Date("2027-01-05T11:00:00Z")],
      ],
    });
    const stuck = async () => {
      const s = await loadMetricsSettings(database.sql, p.projectId);
      const now = new Date("2027-01-12T17:00:00Z");
      return stuckCases(database.sql, s, { now, ...windowOf(now, s.windowDays), rule: null });
    };
    expect(await stuck()).toEqual([]);
    await saveHolidaySettings(database.sql, p.projectId, { calendar: de(), blackouts: none }, "U1");
    const after = await stuck();
    expect(after).toMatchObject([{ caseId: id, limitSource: "p85", historyCount: 5 }]);
    expect(after[0]?.limitDays).toBeCloseTo(5, 10);
    expect(after[0]?.daysSoFar).toBeCloseTo(5.25, 10);
  });

  it("blocked for N days on the working-day clock: blocked since Thu 24 Dec 12:00 is 5.0 at Mon 4 Jan 12:00 with DE", async () => {
    const p = await newProject(database.sql, { timeZone: TZ, workingDays: true });
    await addCase(database.sql, p.bindingId, {
      path: [
        ["todo", new Date("2026-12-01T09:00:00Z")],
        ["progress", new Date("2026-12-21T09:00:00Z")],
        ["blocked", new Date(yearEnd.from)],
      ],
    });
    const blocked = () =>
      blockedNow(database.sql, p.projectId, new Date(yearEnd.to), { timeZone: TZ, working: true });
    expect((await blocked())[0]?.days).toBeCloseTo(7, 10);
    await saveHolidaySettings(database.sql, p.projectId, { calendar: de(), blackouts: none }, "U1");
    expect((await blocked())[0]?.days).toBeCloseTo(5, 10);
    // The calendar clock is elapsed time, holidays or not: 11 days.
    const calendar = await blockedNow(database.sql, p.projectId, new Date(yearEnd.to), {
      timeZone: TZ,
      working: false,
    });
    expect(calendar[0]?.days).toBeCloseTo(11, 10);
  });
});

describe("refreshing the lists (a holidays-library upgrade)", () => {
  it("a list that no longer matches the library is resolved again and the numbers move back", async () => {
    const p = await projectWithCase(yearEnd.from, yearEnd.to);
    await saveHolidaySettings(database.sql, p.projectId, { calendar: de(), blackouts: none }, "U1");
    // As if an older library had not listed Fri 1 Jan 2027: 6.0 working days.
    await database.sql`delete from project_holidays where project_id = ${p.projectId} and day = '2027-01-01'`;
    await database.sql`select flowbot_derive_start_finish_cycle_lead(null, ${p.projectId})`;
    expect(await cycleWorkDays(p.projectId)).toBeCloseTo(6, 10);

    const first = await refreshHolidayLists(database.sql);
    expect(first.changed).toEqual([p.projectId]);
    expect(await cycleWorkDays(p.projectId)).toBeCloseTo(5, 10);
    expect((await refreshHolidayLists(database.sql)).changed).toEqual([]);
  });
});

describe("the calendar and blackout entries", () => {
  it("German public holidays only: Christmas Eve and New Year's Eve are not among them", () => {
    const dates = resolvedHolidays({ calendar: de(), blackouts: none });
    expect(dates).toContain("2026-12-25");
    expect(dates).toContain("2027-01-01");
    expect(dates).not.toContain("2026-12-24");
    expect(dates).not.toContain("2026-12-31");
    // Sat 26 Dec 2026 is public but a weekend day: not listed.
    expect(dates).not.toContain("2026-12-26");
  });

  it("refuses unknown countries and regions, naming them", () => {
    expect(checkCalendar("XX", "")).toEqual({
      ok: false,
      on: "country",
      error: expect.stringContaining('"XX"'),
    });
    expect(checkCalendar("DE", "ZZ")).toEqual({
      ok: false,
      on: "region",
      error: expect.stringContaining('"ZZ"'),
    });
    expect(checkCalendar("", "")).toBeNull();
    expect(checkCalendar("de", "de-by")).toEqual({ ok: true, calendar: { country: "DE", region: "BY" } });
  });

  it("parses dates and inclusive ranges, one per line or comma-separated, and names a bad entry", () => {
    expect(parseBlackouts("2026-12-24\n2026-12-30..2027-01-01, 2026-12-24")).toEqual({
      ok: true,
      entries: ["2026-12-24", "2026-12-30..2027-01-01", "2026-12-24"],
      dates: ["2026-12-24", "2026-12-30", "2026-12-31", "2027-01-01"],
    });
    expect(parseBlackouts("2026-02-30")).toEqual({
      ok: false,
      error: expect.stringContaining('"2026-02-30"'),
    });
    expect(parseBlackouts("24.12.2026")).toEqual({
      ok: false,
      error: expect.stringContaining('"24.12.2026"'),
    });
    expect(parseBlackouts("2027-01-02..2026-12-30")).toEqual({
      ok: false,
      error: expect.stringContaining("ends before"),
    });
  });
});
