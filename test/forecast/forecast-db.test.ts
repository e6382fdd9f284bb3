import type { WebClient } from "@slack/web-api";
import { describe, expect, it } from "vitest";
import { connectDatabase } from "../../src/db/connect-database.ts";
import { forecastSet } from "../../src/flow/forecast/forecast-set.ts";
import { resolveForecastSet } from "../../src/flow/forecast/resolve-forecast-set.ts";
import {
  chanceBy,
  forecastHowMany,
  forecastWhen,
  loadForecastContext,
  loadSamples,
} from "../../src/flow/forecast/run-forecast.ts";
import { bandOf, listTracks, recordRun, saveTrack } from "../../src/flow/forecast/tracked-forecasts.ts";
import { trackAlertText } from "../../src/slack/forecast/forecast-text.ts";
import { postTrackedForecasts } from "../../src/slack/forecast/post-tracked-forecasts.ts";
import { seedProject } from "../flow/report-fixtures.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { useTestDatabase } from "../helpers/test-database.ts";
import { seedFinishedPerDay, seedOpen } from "./forecast-fixtures.ts";

// Forecasts on real Postgres (docs/flow-metrics.md §12): samples read from the flow facts the triggers
// derive, the working-day clock with holidays, sets, and tracked forecasts run by two workers at once.
const database = useTestDatabase();
const logs = captureLogs();
// Thu 19 Mar 2026, 12:00 UTC; the 12-week window is Thu 25 Dec 2025 – Wed 18 Mar 2026.
const NOW = new Date("2026-03-19T12:00:00Z");
const FIRST = "2025-12-25";

async function project(channelId: string) {
  const p = await seedProject(database.sql, { teamId: "T1", channelId });
  return p;
}

describe("samples from the flow facts (§12.1)", () => {
  it("counts the finishes of each local date, zeros included, and only the window's", async () => {
    const { projectId, bindingId } = await project("C0SAMPLES");
    // Two a day over the window, and some outside it: the day before it and today.
    await seedFinishedPerDay(database.sql, bindingId, FIRST, Array(84).fill(2));
    await seedFinishedPerDay(database.sql, bindingId, "2025-12-24", [5]);
    await seedFinishedPerDay(database.sql, bindingId, "2026-03-19", [7], { hour: 9 });
    const ctx = await loadForecastContext(database.sql, projectId, { now: NOW, seed: 1 });
    expect(ctx.today).toBe("2026-03-19");
    const samples = await loadSamples(database.sql, ctx, { kind: "project" });
    expect(samples).toMatchObject({ first: FIRST, last: "2026-03-18", finished: 168, daysWithFinish: 84 });
    expect([...samples.samples]).toEqual(Array(84).fill(2));
    // Constant throughput: 2 a day → 10 items take 5 days (Tue 24 Mar); 5 days finish 10.
    expect(forecastWhen(ctx, samples, 10)).toMatchObject({
      ok: true,
      dates: { 50: "2026-03-24", 95: "2026-03-24" },
    });
    expect(forecastHowMany(ctx, samples, "2026-03-24")).toMatchObject({
      ok: true,
      levels: { 50: 10, 95: 10 },
    });
  });

  it("reads dates in the project's zone", async () => {
    const { projectId, bindingId } = await project("C0ZONE");
    await database.sql`update projects set time_zone = 'Asia/Tokyo' where id = ${projectId}`;
    // 20:00 UTC on Wed 18 Mar is Thu 19 Mar 05:00 in Tokyo: today there, so not a sample.
    await seedFinishedPerDay(database.sql, bindingId, "2026-03-18", [3], { hour: 20 });
    await seedFinishedPerDay(database.sql, bindingId, "2026-03-18", [1], { hour: 10 });
    const ctx = await loadForecastContext(database.sql, projectId, { now: NOW });
    const samples = await loadSamples(database.sql, ctx, { kind: "project" });
    expect(ctx.today).toBe("2026-03-19");
    expect(samples.samples.at(-1)).toBe(1);
    expect(samples.finished).toBe(1);
  });

  it("working days with holidays: samples skip them, a Saturday's finish counts on Friday, dates step over them", async () => {
    const { projectId, bindingId } = await project("C0WORKING");
    await database.sql`update projects set working_days = true where id = ${projectId}`;
    // Mon 23 Mar 2026 is a blackout date; the window holds no other day off.
    await database.sql`insert into project_holidays (project_id, day) values (${projectId}, '2026-03-23')`;
    await seedFinishedPerDay(database.sql, bindingId, FIRST, Array(84).fill(3));
    const ctx = await loadForecastContext(database.sql, projectId, { now: NOW });
    const samples = await loadSamples(database.sql, ctx, { kind: "project" });
    // 84 dates = 12 weeks = 60 working dates; each weekend's 6 finishes land on its Friday.
    expect(samples.samples.length).toBe(60);
    expect(samples.finished).toBe(252);
    const fridays = [...samples.samples].filter((n) => n === 9).length;
    expect(fridays).toBe(12);
    // Thursday 25 Dec 2025 is no holiday of this project (none listed): a sample of 3.
    expect(samples.samples[0]).toBe(3);
    // 3 or 9 a day: at least 3 every working day, so 6 items take at most 2 working days, Fri 20 and
    // Tue 24 Mar (Mon 23 is off); the 95% level needs both.
    const f = forecastWhen(ctx, samples, 6);
    expect(f).toMatchObject({ ok: true, dates: { 95: "2026-03-24" } });
  });
});

describe("sets (§12.6)", () => {
  it("forecasts a tag's open items from its own history, or the project's when that is thin", async () => {
    const { projectId, bindingId } = await project("C0SETS");
    await seedFinishedPerDay(database.sql, bindingId, FIRST, Array(84).fill(2));
    await seedFinishedPerDay(database.sql, bindingId, "2026-03-10", [1, 1, 1], { tags: ["launch"] });
    await seedOpen(database.sql, bindingId, 10, new Date("2026-03-16T09:00:00Z"), ["launch"]);
    const ctx = await loadForecastContext(database.sql, projectId, { now: NOW });
    const resolved = await resolveForecastSet(database.sql, projectId, "Launch");
    expect(resolved).toMatchObject({ ok: true, scope: { kind: "tag", tag: "launch" } });
    if (!resolved.ok) return;
    const s = await forecastSet(database.sql, ctx, resolved.scope);
    expect(s).toMatchObject({ open: 10, source: "project", own: { daysWithFinish: 3, finished: 3 } });
    // The project finishes 2 a day (plus the three launch days: 3): 10 items take 4 or 5 days.
    expect(s.forecast?.ok && s.forecast.levels[95]).toBe(5);
    expect(await resolveForecastSet(database.sql, projectId, "nothing like it")).toMatchObject({
      ok: false,
      problem: "unknown",
      lists: ["Sprint"],
    });
  });
});

describe("tracked forecasts (§12.7)", () => {
  it("posts a drop once across two worker processes, and again only for a lower band", async () => {
    const { projectId, bindingId } = await project("C0TRACKED");
    await seedFinishedPerDay(database.sql, bindingId, FIRST, Array(84).fill(2));
    await seedOpen(database.sql, bindingId, 10, new Date("2026-03-16T09:00:00Z"), ["launch"]);
    const ctx = await loadForecastContext(database.sql, projectId, { now: NOW });
    const resolved = await resolveForecastSet(database.sql, projectId, "launch");
    if (!resolved.ok) throw new Error("no set");
    const s = await forecastSet(database.sql, ctx, resolved.scope);
    if (!s.forecast?.ok) throw new Error("no forecast");
    // 10 open at 2 a day: Tue 24 Mar at every level, so a certain finish by Wed 25 Mar.
    const chance = chanceBy(ctx, s.forecast, "2026-03-25");
    expect(chance).toBe(1);
    await saveTrack(database.sql, {
      projectId,
      setText: "launch",
      setKey: "tag:launch",
      setLabel: "tag launch",
      targetDate: "2026-03-25",
      createdBy: "U0ADMIN",
      chance,
      open: 10,
      at: NOW,
    });
    const posts: { channel: string; text: string }[] = [];
    const slack = {
      chat: {
        postMessage: async (m: { channel: string; text: string }) => {
          posts.push(m);
          return { ok: true };
        },
      },
    } as unknown as WebClient;
    // Two worker processes: two connection pools to the same database, running the same night at once.
    const workers = [connectDatabase(database.url), connectDatabase(database.url)];
    const night = (at: Date) =>
      Promise.all(
        workers.map((w) =>
          postTrackedForecasts({ database: w, logger: logs.logger, slack, now: () => at.getTime() }),
        ),
      );
    try {
      // Nothing changed: still certain, nothing posted.
      await night(NOW);
      expect(posts).toEqual([]);
      // Two more open: 12 items need 6 days (Wed 25 Mar), still certain; four more: 14 need 7 — none by then.
      await seedOpen(database.sql, bindingId, 4, new Date("2026-03-19T13:00:00Z"), ["launch"]);
      const next = new Date("2026-03-19T23:00:00Z");
      await night(next);
      await night(next);
      expect(posts).toEqual([
        {
          channel: "C0TRACKED",
          text: expect.stringContaining(
            "The chance of finishing tag launch by Wed 25 Mar 2026 is now 0% (−100 points since the last run, 100%): below 50%.",
          ),
        },
      ]);
      const [track] = await listTracks(database.sql, projectId);
      expect(track).toMatchObject({ alertedBand: 50, lastChance: 0, lastOpen: 14 });
    } finally {
      await Promise.all(workers.map((w) => w.close()));
    }
  });
});

describe("the bands of a tracked forecast (§12.7's example)", () => {
  it("alerts once per drop into a lower band, re-arming when the chance climbs back", async () => {
    expect([0.9, 0.85, 0.8499, 0.7, 0.6999, 0.5, 0.4999, 0].map(bandOf)).toEqual([
      100, 100, 85, 85, 70, 70, 50, 50,
    ]);
    const { projectId } = await project("C0BANDS");
    await saveTrack(database.sql, {
      projectId,
      setText: "launch",
      setKey: "tag:launch",
      setLabel: "tag launch",
      targetDate: "2026-04-10",
      createdBy: "U0ADMIN",
      chance: 0.9,
      open: 10,
      at: NOW,
    });
    const said: string[] = [];
    for (const chance of [0.82, 0.84, 0.66, 0.72, 0.68, 0.4, 0.3]) {
      const [track] = await listTracks(database.sql, projectId);
      const alert = await recordRun(database.sql, track!, { chance, open: 10, at: NOW });
      said.push(alert ? trackAlertText(track!, chance, alert).split(". `")[0]! : "—");
    }
    const lead = ":chart_with_downwards_trend: The chance of finishing tag launch by Fri 10 Apr 2026 is now";
    expect(said).toEqual([
      `${lead} 82% (−8 points since the last run, 90%): below 85%`,
      "—",
      `${lead} 66% (−18 points since the last run, 84%): below 70%`,
      "—",
      `${lead} 68% (−4 points since the last run, 72%): below 70%`,
      `${lead} 40% (−28 points since the last run, 68%): below 50%`,
      "—",
    ]);
  });
});
