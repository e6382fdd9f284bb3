import type { Sql } from "postgres";
import { describe, expect, it } from "vitest";
import { computeCfd } from "../../src/flow/metrics/cfd.ts";
import { loadMetricsSettings } from "../../src/flow/metrics/window-settings.ts";
import { useTestDatabase } from "../helpers/test-database.ts";
import { newProject } from "./metrics-timeline.ts";
import { at, caseWith, S } from "./status-path.ts";

// The cumulative flow diagram on docs/flow-metrics.md §13.1's hand-counted example: Task A of §4 (a
// flow-back within a day, a blocked spell, a reopen and re-finish within a day), B, C, D (finished before
// the window: left out) and E (finished before the window, reopened in it). Zone UTC, 10-day window,
// now = Thu 12 Mar 2026 12:00.

const database = useTestDatabase();

const NOW = new Date("2026-03-12T12:00:00Z");

async function seedExample(sql: Sql, bindingId: number) {
  // Task A (§4).
  await caseWith(sql, bindingId, at("2026-03-02T08:00:00"), [
    [S.progress, at("2026-03-03T10:00:00")],
    [S.review, at("2026-03-05T10:00:00")],
    [S.progress, at("2026-03-05T16:00:00")],
    [S.waiting, at("2026-03-06T12:00:00")],
    [S.review, at("2026-03-09T12:00:00")],
    [S.done, at("2026-03-10T10:00:00")],
    [S.progress, at("2026-03-11T09:00:00")],
    [S.done, at("2026-03-11T15:00:00")],
  ]);
  await caseWith(sql, bindingId, at("2026-03-04T09:00:00"), [
    [S.progress, at("2026-03-05T11:00:00")],
    [S.done, at("2026-03-09T17:00:00")],
  ]);
  await caseWith(sql, bindingId, at("2026-03-06T10:00:00"), []);
  await caseWith(sql, bindingId, at("2026-02-20T10:00:00"), [
    [S.progress, at("2026-02-23T10:00:00")],
    [S.done, at("2026-02-28T15:00:00")],
  ]);
  await caseWith(sql, bindingId, at("2026-02-16T10:00:00"), [
    [S.progress, at("2026-02-17T10:00:00")],
    [S.done, at("2026-02-27T15:00:00")],
    [S.progress, at("2026-03-10T09:00:00")],
  ]);
}

const DAYS = [
  "2026-03-03",
  "2026-03-04",
  "2026-03-05",
  "2026-03-06",
  "2026-03-07",
  "2026-03-08",
  "2026-03-09",
  "2026-03-10",
  "2026-03-11",
  "2026-03-12",
];

describe("cumulative flow diagram (§13.1)", () => {
  it("counts each case in its stage at each day's end, as hand-counted", async () => {
    const { sql } = database;
    const { projectId, bindingId } = await newProject(sql);
    await seedExample(sql, bindingId);
    const cfd = await computeCfd(sql, await loadMetricsSettings(sql, projectId), {
      now: NOW,
      days: 10,
      by: "stage",
    });
    expect(cfd.days).toEqual(DAYS);
    // Bottom first.
    expect(cfd.bands.map((b) => b.key)).toEqual(["done", "blocked", "active", "not_started"]);
    const band = (key: string) => cfd.bands.find((b) => b.key === key)!.counts;
    //                           3  4  5  6  7  8  9 10 11 12
    expect(band("not_started")).toEqual([0, 1, 0, 1, 1, 1, 1, 1, 1, 1]);
    expect(band("active")).toEqual([1, 1, 2, 1, 1, 1, 1, 1, 1, 1]);
    expect(band("blocked")).toEqual([0, 0, 0, 1, 1, 1, 0, 0, 0, 0]);
    expect(band("done")).toEqual([1, 1, 1, 1, 1, 1, 2, 2, 2, 2]);
  });

  it("counts by status the same way, bands in workflow order with done at the bottom", async () => {
    const { sql } = database;
    const { projectId, bindingId } = await newProject(sql);
    await seedExample(sql, bindingId);
    const cfd = await computeCfd(sql, await loadMetricsSettings(sql, projectId), {
      now: NOW,
      days: 10,
      by: "status",
    });
    expect(cfd.bands.map((b) => b.label)).toEqual([
      "done",
      "waiting on client",
      "review",
      "in progress",
      "to do",
    ]);
    const band = (label: string) => cfd.bands.find((b) => b.label === label)!.counts;
    expect(band("to do")).toEqual([0, 1, 0, 1, 1, 1, 1, 1, 1, 1]);
    // Thu 5: A's visit to review (10:00–16:00) does not reach the day's end.
    expect(band("in progress")).toEqual([1, 1, 2, 1, 1, 1, 0, 1, 1, 1]);
    expect(band("review")).toEqual([0, 0, 0, 0, 0, 0, 1, 0, 0, 0]);
    expect(band("waiting on client")).toEqual([0, 0, 0, 1, 1, 1, 0, 0, 0, 0]);
    // Tue 10: A entered done and E's reopen took it out.
    expect(band("done")).toEqual([1, 1, 1, 1, 1, 1, 2, 2, 2, 2]);
  });

  it("places ClickUp's time-in-status totals before the first transition, as the timeline does (§3)", async () => {
    const { sql } = database;
    const { projectId, bindingId } = await newProject(sql);
    // Backfilled: "to do" for two days from Mon 2 Mar 08:00, then "in progress" from Wed 4 Mar 08:00 (by
    // ClickUp's totals) until the first transition a webhook brought, to "review" on Thu 5 Mar 10:00.
    // Without the totals the case would be "in progress" since its creation.
    const caseId = await caseWith(sql, bindingId, at("2026-03-02T08:00:00"), []);
    await sql`
      insert into status_timings (case_id, status_name, status_type, status_orderindex, total_minutes, since)
      values (${caseId}, 'to do', 'open', 0, 2880, ${at("2026-03-02T08:00:00")}),
             (${caseId}, 'in progress', 'custom', 1, 1440, ${at("2026-03-04T08:00:00")})`;
    await sql`
      insert into status_transitions (case_id, binding_id, from_status, from_type, from_orderindex, to_status,
                                      to_type, to_orderindex, occurred_at, source, history_item_id)
      values (${caseId}, ${bindingId}, 'in progress', 'custom', 1, 'review', 'custom', 2,
              ${at("2026-03-05T10:00:00")}, 'webhook', 'h-timings')`;
    const cfd = await computeCfd(sql, await loadMetricsSettings(sql, projectId), {
      now: NOW,
      days: 10,
      by: "status",
    });
    const band = (label: string) => cfd.bands.find((b) => b.label === label)?.counts;
    expect(band("to do")).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(band("in progress")).toEqual([0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(band("review")).toEqual([0, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it("counts at local day ends in the project's zone", async () => {
    const { sql } = database;
    const { projectId, bindingId } = await newProject(sql, { timeZone: "Europe/Berlin" });
    // Started Mon 9 Mar 23:30 UTC = Tue 10 Mar 00:30 in Berlin: still to do at Monday's end there.
    await caseWith(sql, bindingId, at("2026-03-09T08:00:00"), [[S.progress, at("2026-03-09T23:30:00")]]);
    const cfd = await computeCfd(sql, await loadMetricsSettings(sql, projectId), {
      now: NOW,
      days: 4,
      by: "stage",
    });
    expect(cfd.days).toEqual(["2026-03-09", "2026-03-10", "2026-03-11", "2026-03-12"]);
    expect(cfd.bands.find((b) => b.key === "not_started")!.counts).toEqual([1, 0, 0, 0]);
    expect(cfd.bands.find((b) => b.key === "active")!.counts).toEqual([0, 1, 1, 1]);
  });

  it("gives zero bands for a project without cases, and one day for a one-day window", async () => {
    const { sql } = database;
    const { projectId } = await newProject(sql);
    const settings = await loadMetricsSettings(sql, projectId);
    const cfd = await computeCfd(sql, settings, { now: NOW, days: 1, by: "stage" });
    expect(cfd.days).toEqual(["2026-03-12"]);
    expect(cfd.bands.map((b) => b.counts)).toEqual([[0], [0], [0], [0]]);
    expect((await computeCfd(sql, settings, { now: NOW, days: 5, by: "status" })).bands).toEqual([]);
  });
});
