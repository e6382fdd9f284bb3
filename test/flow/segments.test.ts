import type { Sql } from "postgres";
import { describe, expect, it } from "vitest";
import { alertLadder, levelOf } from "../../src/flow/digest/alert-levels.ts";
import { ageingWip, computeFlowReport } from "../../src/flow/metrics/index.ts";
import {
  loadSegmenter,
  segmentBreakdown,
  segmentCounts,
  segmentOfCases,
  segmentThresholds,
} from "../../src/flow/metrics/segments.ts";
import { computeSignalHeadline } from "../../src/flow/metrics/signals.ts";
import { loadMetricsSettings, windowOf } from "../../src/flow/metrics/window-settings.ts";
import { type SegmentDimension, saveSegmentDimension } from "../../src/flow/segments/segment-settings.ts";
import { segmentIsSql } from "../../src/flow/segments/segmenter.ts";
import { useTestDatabase } from "../helpers/test-database.ts";
import { addCase, DAY, day, newProject } from "./metrics-timeline.ts";

// docs/flow-metrics.md §6.3 (segment values) and §7 (per-segment percentiles and the SLE), on their worked
// examples: zone UTC, calendar clock, window 90 days, no SLE set by hand, dimension task type.

const database = useTestDatabase();
const now = day(40);
const at = (d: number) => new Date(day(0).getTime() + d * DAY);
const by = { userId: "U0ADMIN", at: now };

/** A connection for the project's workspace, with its custom task types. */
async function connect(sql: Sql, teamId: string, types: [number, string][]) {
  const [c] = await sql<{ id: number }[]>`
    insert into connections (slack_team_id, clickup_team_id, clickup_team_name, token_sealed, token_last4,
                             token_owner_id, token_owner_name, connected_by)
    values (${teamId}, '9001', 'Acme', 'sealed', '9999', 1, 'Jane', 'U0ADMIN')
    on conflict (slack_team_id) do update set clickup_team_name = excluded.clickup_team_name
    returning id::int`;
  for (const [id, name] of types) {
    await sql`insert into custom_task_types (connection_id, type_id, name, fetched_at)
              values (${c!.id}, ${id}, ${name}, ${now}) on conflict do nothing`;
  }
}

/** A case started at `start` (days after day 0) that finished `cycle` days later. */
const finished = (sql: Sql, bindingId: number, name: string, start: number, cycle: number) =>
  addCase(sql, bindingId, {
    name,
    path: [
      ["todo", at(start - 1)],
      ["progress", at(start)],
      ["complete", at(start + cycle)],
    ],
  });

const setType = (sql: Sql, caseId: number, typeId: number) =>
  sql`update tracked_cases set task_type_id = ${typeId} where id = ${caseId}`;

/** The §7 example: Bug 0.5, 1.0, 1.5, 3.0, 4.5; Feature 6.0, 9.0, 14.0 and F4 (skipped the workflow). */
async function seedExample(sql: Sql, settings: { sleDays?: number } = {}) {
  const { projectId, bindingId } = await newProject(sql, settings);
  const teamId = (
    await sql<{ t: string }[]>`select slack_team_id as t from projects where id = ${projectId}`
  )[0]!.t;
  await connect(sql, teamId, [
    [1002, "Bug"],
    [1003, "Feature"],
  ]);
  for (const [i, cycle] of [0.5, 1.0, 1.5, 3.0, 4.5].entries()) {
    await setType(sql, await finished(sql, bindingId, `B${i + 1}`, 10 + i, cycle), 1002);
  }
  for (const [i, cycle] of [6.0, 9.0, 14.0].entries()) {
    await setType(sql, await finished(sql, bindingId, `F${i + 1}`, 5 + i, cycle), 1003);
  }
  const f4 = await addCase(sql, bindingId, {
    name: "F4",
    path: [
      ["todo", at(20)],
      ["complete", at(21)],
    ],
  });
  await setType(sql, f4, 1003);
  // In progress now: a bug aged 5.0 d and a feature aged 8.0 d.
  const wipBug = await addCase(sql, bindingId, {
    name: "WIP bug",
    path: [
      ["todo", at(30)],
      ["progress", at(35)],
    ],
  });
  await setType(sql, wipBug, 1002);
  const wipFeature = await addCase(sql, bindingId, {
    name: "WIP feature",
    path: [
      ["todo", at(30)],
      ["progress", at(32)],
    ],
  });
  await setType(sql, wipFeature, 1003);
  await saveSegmentDimension(sql, projectId, { kind: "type" }, by);
  return { projectId, bindingId };
}

describe("per-segment percentiles and SLE (docs/flow-metrics.md §7)", () => {
  it("reproduces the worked example: Bug on its own sample, Feature on the project's SLE", async () => {
    const { projectId } = await seedExample(database.sql);
    const s = await loadMetricsSettings(database.sql, projectId);
    const { from, to } = windowOf(now, 90);
    const segmenter = (await loadSegmenter(database.sql, projectId))!;
    const b = await segmentBreakdown(database.sql, s, segmenter, from, to);
    expect(b.title).toBe("task type");
    expect(b.project).toMatchObject({
      n: 8,
      thresholds: { p50: 3, p70: 6, p85: 9, p95: 14, sleDays: 9 },
      sle: { days: 9, source: "project", projectSource: "p85" },
    });
    const rows = Object.fromEntries(b.rows.map((r) => [r.value, r]));
    expect(Object.keys(rows)).toEqual(["Bug", "Feature"]);
    expect(rows.Bug).toMatchObject({
      finished: 5,
      wip: 1,
      n: 5,
      fullSample: true,
      cycleTime: { n: 5, p50: 1.5, p70: 3, p85: 4.5, p95: 4.5 },
      sle: { days: 4.5, source: "own" },
    });
    expect(rows.Feature).toMatchObject({
      finished: 4,
      wip: 1,
      n: 3,
      fullSample: false,
      cycleTime: { n: 3, p50: 9, p70: 14, p85: 14, p95: 14 },
      sle: { days: 9, source: "project", projectSource: "p85" },
    });
    // Bug's ladder: p70 3.0 (at risk), SLE 4.5, p95 4.5 dropped, 2×SLE 9.0. Feature's is the project's.
    expect(rows.Bug!.ladder.map((l) => [l.key, l.days, l.kind])).toEqual([
      ["p70", 3, "at_risk"],
      ["p85", 4.5, "ageing"],
      ["2xsle", 9, "ageing"],
    ]);
    expect(rows.Feature!.ladder.map((l) => [l.key, l.days, l.kind])).toEqual([
      ["p70", 6, "at_risk"],
      ["p85", 9, "ageing"],
      ["p95", 14, "ageing"],
      ["2xsle", 18, "ageing"],
    ]);
    // Segments partition the project: their throughput adds up to its 9.
    expect(b.rows.reduce((sum, r) => sum + r.finished, 0)).toBe(9);
    expect(b.multiValued).toBe(0);
  });

  it("filters the whole report to one segment, with that segment's SLE and ladder", async () => {
    const { projectId } = await seedExample(database.sql);
    const segmenter = (await loadSegmenter(database.sql, projectId))!;
    const bug = await computeFlowReport(database.sql, projectId, {
      now,
      scope: { segmenter, value: "Bug" },
    });
    expect(bug.cycleTime).toMatchObject({ n: 5, p50: 1.5, p70: 3, p85: 4.5, p95: 4.5 });
    expect(bug.throughput.total).toBe(5);
    expect(bug.sle).toEqual({ days: 4.5, source: "p85" });
    expect(bug.segment).toMatchObject({ title: "task type", value: "Bug", n: 5, sle: { source: "own" } });
    expect(bug.wipNow).toBe(1);
    // Aged 5.0 d: over the Bug SLE of 4.5, though the project's p70 of 6.0 would not call it at risk.
    expect(bug.ageing.map((a) => [a.name, a.ageDays, a.overThreshold, a.atRisk])).toEqual([
      ["WIP bug", 5, true, false],
    ]);
    expect(bug.ageingOverThreshold).toBe(1);
    expect(bug.cycleScatter.map((p) => p.name).sort()).toEqual(["B1", "B2", "B3", "B4", "B5"]);
    expect(bug.timeInStatus.find((t) => t.status === "in progress")?.days).toBeCloseTo(10.5, 10);

    const feature = await computeFlowReport(database.sql, projectId, {
      now,
      scope: { segmenter, value: "Feature" },
    });
    expect(feature.cycleTime).toMatchObject({ n: 3, p50: 9, p85: 14 });
    expect(feature.throughput.total).toBe(4);
    expect(feature.skippedWorkflow).toBe(1);
    expect(feature.sle).toEqual({ days: 9, source: "p85" });
    expect(feature.segment).toMatchObject({
      n: 3,
      fullSample: false,
      sle: { days: 9, source: "project", projectSource: "p85" },
    });
    // Aged 8.0 d: at risk (over the project's p70 of 6.0), not over its SLE of 9.0.
    expect(feature.ageing.map((a) => [a.name, a.ageDays, a.overThreshold, a.atRisk])).toEqual([
      ["WIP feature", 8, false, true],
    ]);
    // The unfiltered report asked for the breakdown carries it, and counts everything.
    const all = await computeFlowReport(database.sql, projectId, { now, breakdown: segmenter });
    expect(all.throughput.total).toBe(9);
    expect(all.segments?.rows.map((r) => [r.value, r.finished, r.wip])).toEqual([
      ["Bug", 5, 1],
      ["Feature", 4, 1],
    ]);
    expect(all.segment).toBeUndefined();
  });

  it("an SLE set by hand is the fallback, never a replacement of a full sample's 85th percentile", async () => {
    const { projectId } = await seedExample(database.sql, { sleDays: 7 });
    const s = await loadMetricsSettings(database.sql, projectId);
    const t = await segmentThresholds(database.sql, s, windowOf(now, 90));
    expect(t.of("Bug").sle).toEqual({ days: 4.5, source: "own" });
    expect(t.of("Feature").sle).toEqual({ days: 7, source: "project", projectSource: "manual" });
    expect(t.of("Feature").thresholds.thresholdDays).toBe(7);
    // A value no finished case holds has no sample at all: the project's rule.
    expect(t.of("Milestone")).toMatchObject({ n: 0, sle: { days: 7, source: "project" } });
    expect(t.project.sle).toEqual({ days: 7, source: "project", projectSource: "manual" });
    // A fixed number of days is the same for every segment.
    await database.sql`update projects set ageing_fixed_days = 3 where id = ${projectId}`;
    const fixed = await segmentThresholds(database.sql, await loadMetricsSettings(database.sql, projectId), {
      from: windowOf(now, 90).from,
      to: now,
    });
    expect([fixed.of("Bug").thresholds.thresholdDays, fixed.of("Feature").thresholds.thresholdDays]).toEqual([
      3, 3,
    ]);
  });

  it("with no segment dimension, every case is measured against the project's thresholds", async () => {
    const { projectId } = await seedExample(database.sql);
    await saveSegmentDimension(database.sql, projectId, { kind: "none" }, by);
    const s = await loadMetricsSettings(database.sql, projectId);
    const t = await segmentThresholds(database.sql, s, windowOf(now, 90));
    expect(t.segmenter).toBeNull();
    expect(t.of("Bug")).toBe(t.project);
    expect(t.project).toMatchObject({ n: 8, sle: { days: 9, source: "project", projectSource: "p85" } });
  });

  it("with too few finished and no SLE anywhere, a segment has none", async () => {
    const { projectId, bindingId } = await newProject(database.sql);
    await finished(database.sql, bindingId, "only", 10, 2);
    const s = await loadMetricsSettings(database.sql, projectId);
    const segmenter = (await loadSegmenter(database.sql, projectId, { kind: "priority" }))!;
    // A window holding nothing finished: neither the segment nor the project has a percentile.
    const empty = await segmentBreakdown(database.sql, s, segmenter, at(30), now);
    expect(empty.rows).toEqual([]);
    expect(empty.project.sle).toEqual({ days: null, source: "none" });
    const one = await segmentBreakdown(database.sql, s, segmenter, at(0), now);
    expect(one.rows).toMatchObject([{ value: "(none)", n: 1, sle: { days: 2, source: "project" } }]);
  });
});

describe("over SLE per segment (docs/flow-metrics.md §7, §8.1)", () => {
  it("judges each WIP case by its own segment: the bug aged 5.0 d is over SLE, the feature aged 8.0 d at risk", async () => {
    const { projectId } = await seedExample(database.sql);
    const wip = await ageingWip(database.sql, projectId, { now });
    const item = (name: string) => wip.items.find((i) => i.name === name)!;
    // Bug: its own SLE 4.5 (5.0 > 4.5), though the project's p70 of 6.0 would not call it at risk.
    expect(item("WIP bug")).toMatchObject({ segment: "Bug", ageDays: 5, overThreshold: true, atRisk: false });
    // Feature (too few finished): the project's thresholds, 8.0 > p70 6.0 but not > SLE 9.0.
    expect(item("WIP feature")).toMatchObject({
      segment: "Feature",
      ageDays: 8,
      overThreshold: false,
      atRisk: true,
    });
    // The digest climbs the case's own ladder: the bug is at its SLE rung (4.5), the feature at p70 (6.0).
    const rung = (name: string) => levelOf(alertLadder(item(name).thresholds!), item(name).ageDays)?.level;
    expect(rung("WIP bug")).toMatchObject({ key: "p85", days: 4.5, kind: "ageing" });
    expect(rung("WIP feature")).toMatchObject({ key: "p70", days: 6, kind: "at_risk" });
    // The whole project's Flow view measures its listed cases the same way.
    const report = await computeFlowReport(database.sql, projectId, { now, windowDays: 90 });
    expect(report.ageing.find((i) => i.name === "WIP bug")).toMatchObject({
      overThreshold: true,
      segment: "Bug",
    });
    // And so do its count and App Home's: one ageing (the bug), where the project's SLE of 9.0 says none.
    expect(report).toMatchObject({ ageingOverThreshold: 1, ageingBySegment: true, ageingThresholdDays: 9 });
    const home = await computeSignalHeadline(database.sql, projectId, { now });
    expect(home).toMatchObject({ wipNow: 2, ageingCount: 1, signals: { over_sle: 1 } });
  });

  it("without a segment dimension the same cases are judged by the project's thresholds", async () => {
    const { projectId } = await seedExample(database.sql);
    await saveSegmentDimension(database.sql, projectId, { kind: "none" }, by);
    const wip = await ageingWip(database.sql, projectId, { now });
    const bug = wip.items.find((i) => i.name === "WIP bug")!;
    // Project: p70 6.0, SLE 9.0 — a 5.0 d bug is neither at risk nor over.
    expect(bug).toMatchObject({ overThreshold: false, atRisk: false });
    expect(bug.segment).toBeUndefined();
    const report = await computeFlowReport(database.sql, projectId, { now, windowDays: 90 });
    expect(report).toMatchObject({ ageingOverThreshold: 0, ageingBySegment: false });
    expect((await computeSignalHeadline(database.sql, projectId, { now })).ageingCount).toBe(0);
  });
});

describe("segment values (docs/flow-metrics.md §6.3)", () => {
  it("reproduces the example table: first tag of the group, first label in option order, type names", async () => {
    const { projectId, bindingId } = await newProject(database.sql);
    const teamId = (
      await database.sql<{ t: string }[]>`select slack_team_id as t from projects where id = ${projectId}`
    )[0]!.t;
    await connect(database.sql, teamId, [[1002, "Bug"]]);
    await database.sql`
      insert into custom_field_definitions (binding_id, field_id, name, kind, options, fetched_at)
      values (${bindingId}, 'f-area', 'Area', 'labels',
              ${database.sql.json([
                { id: "o-be", name: "Backend", orderindex: null },
                { id: "o-fe", name: "Frontend", orderindex: null },
                { id: "o-in", name: "Infra", orderindex: null },
              ])}, ${now})`;
    const area = (ids: string[]) => [{ fieldId: "f-area", kind: "labels", optionIds: ids }];
    const cases: Record<string, number> = {};
    const rows: [string, string[], unknown[], string | null, number][] = [
      ["T1", ["bug", "feature", "urgent"], area(["o-fe", "o-in"]), "high", 0],
      ["T2", ["chore"], [], null, 1],
      ["T3", ["blocked"], area(["o-be"]), "urgent", 1002],
      ["T4", [], area(["o-gone"]), "low", 1009],
    ];
    for (const [name, tags, fields, priority, type] of rows) {
      const id = await addCase(database.sql, bindingId, {
        name,
        path: [
          ["todo", at(1)],
          ["progress", at(2)],
        ],
      });
      await database.sql`
        update tracked_cases set tags = ${tags}::text[], field_values = ${database.sql.json(fields as never)},
               priority = ${priority}::task_priority, task_type_id = ${type}
        where id = ${id}`;
      cases[name] = id;
    }
    const ids = Object.values(cases);
    const valuesOf = async (dimension: SegmentDimension) => {
      const segmenter = (await loadSegmenter(database.sql, projectId, dimension))!;
      const map = await segmentOfCases(database.sql, segmenter, ids);
      return Object.fromEntries(Object.entries(cases).map(([name, id]) => [name, map.get(id)]));
    };
    expect(await valuesOf({ kind: "tag_group", name: "kind", tags: ["bug", "feature", "chore"] })).toEqual({
      T1: "bug",
      T2: "chore",
      T3: "(none)",
      T4: "(none)",
    });
    expect(await valuesOf({ kind: "labels", fieldId: "f-area" })).toEqual({
      T1: "Frontend",
      T2: "(none)",
      T3: "Backend",
      T4: "(unknown value)",
    });
    expect(await valuesOf({ kind: "type" })).toEqual({
      T1: "Task",
      T2: "Milestone",
      T3: "Bug",
      T4: "(unknown type)",
    });
    expect(await valuesOf({ kind: "priority" })).toEqual({
      T1: "high",
      T2: "(none)",
      T3: "urgent",
      T4: "low",
    });
    expect(await valuesOf({ kind: "list" })).toEqual({
      T1: "list L",
      T2: "list L",
      T3: "list L",
      T4: "list L",
    });
    // A dimension on a field ClickUp no longer lists: one segment, the whole project, with a note.
    const gone = (await loadSegmenter(database.sql, projectId, { kind: "drop_down", fieldId: "f-gone" }))!;
    expect(gone.note).toContain("(unknown field)");
    expect(await segmentCounts(database.sql, projectId, gone)).toEqual([
      { value: "(unknown field)", cases: 4 },
    ]);

    // The report says how many cases carried more than one value of the group or field: T1, both times.
    const s = await loadMetricsSettings(database.sql, projectId);
    const dimensions: SegmentDimension[] = [
      { kind: "tag_group", name: "kind", tags: ["bug", "feature", "chore"] },
      { kind: "labels", fieldId: "f-area" },
    ];
    for (const dimension of dimensions) {
      const segmenter = (await loadSegmenter(database.sql, projectId, dimension))!;
      const b = await segmentBreakdown(database.sql, s, segmenter, windowOf(now, 90).from, now);
      expect(b.multiValued).toBe(1);
      expect(b.rows.reduce((sum, r) => sum + r.wip, 0)).toBe(4);
    }
    // A segment's filter (each branch that gives the value) picks exactly the cases whose value it is.
    const all: SegmentDimension[] = [
      ...dimensions,
      { kind: "type" },
      { kind: "priority" },
      { kind: "list" },
      { kind: "drop_down", fieldId: "f-gone" },
    ];
    for (const dimension of all) {
      const segmenter = (await loadSegmenter(database.sql, projectId, dimension))!;
      const values = await segmentOfCases(database.sql, segmenter, ids);
      for (const value of new Set([...segmenter.values, ...values.values(), "list L", "nothing"])) {
        const picked = await database.sql<{ id: number }[]>`
          select id::int from tracked_cases tc
          where id = any(${ids}::bigint[]) and ${segmentIsSql(database.sql, segmenter, "tc", value)}
          order by id`;
        const expected = ids.filter((id) => values.get(id) === value).sort((x, y) => x - y);
        expect(
          picked.map((r) => r.id),
          `${dimension.kind} ${value}`,
        ).toEqual(expected);
      }
    }
    // Counts cover every case the project tracks now.
    const kind = (await loadSegmenter(database.sql, projectId, {
      kind: "tag_group",
      name: "kind",
      tags: ["bug", "feature", "chore"],
    }))!;
    expect(await segmentCounts(database.sql, projectId, kind)).toEqual([
      { value: "(none)", cases: 2 },
      { value: "bug", cases: 1 },
      { value: "chore", cases: 1 },
    ]);
  });
});
