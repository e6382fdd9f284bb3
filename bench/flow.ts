// Builds one project of `--tasks` tracked cases (default 100,000) with 10 status transitions each
// (1,000,000) in a throwaway embedded Postgres (or DATABASE_URL), then times the full Flow view
// (computeFlowReport) against a plain count(*) of that project's transitions, and one digest computation.
//
//   npm run bench:flow [-- --tasks 100000 --runs 7]
//
// The data is generated in SQL with generate_series: 4 bindings (one unbound), cases created over three
// years (10% still in progress, created in the last 60 days), paths with flow-backs, blocked spells and
// reopens (a third of the finished ones without rework), and their rework events. The per-case flow facts are derived by the
// database's own triggers while loading (timed as rebuild_ms), and a stage-mapping change is timed too.
// Every case holds task fields spread over 8 segments per dimension (8 task types, a tag group of 8
// tags, a labels field of 8 options; a quarter of the cases carry two of the tags and labels), and one
// filtered report is timed per dimension — resolving the typed value, then the whole report on that
// segment's cases (docs/flow-metrics.md §7); segment_report_ms is the slowest of the three. The whole
// report of a segmented project (with its per-segment section) is timed too.
// Timings are medians of `--runs` warm runs after one warm-up. The last line is the JSON result.
import { ageingWip, computeFlowReport, computeHeadline } from "../src/flow/metrics/index.ts";
import { loadSegmenter } from "../src/flow/metrics/segments.ts";
import { resolveSegment, type SegmentFilter } from "../src/flow/segments/resolve-segment.ts";
import type { SegmentDimension } from "../src/flow/segments/segment-settings.ts";
import { createLogger } from "../src/log/create-logger.ts";
import { intArg } from "./args.ts";
import { openBenchDatabase, SEGMENTS, seedFlowProject } from "./flow-seed.ts";

const TASKS = intArg("tasks", 100_000);
const RUNS = intArg("runs", 7);

const logger = createLogger(process.env.LOG_LEVEL ?? "warn", process.stderr);
const cleanups: (() => Promise<unknown>)[] = [];
const cleanup = async () => {
  for (const fn of cleanups.reverse()) await fn().catch((err) => logger.error({ err }, "cleanup failed"));
};
const round = (x: number, digits = 1) => Number(x.toFixed(digits));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const value = await fn();
  return [performance.now() - t0, value];
}
async function medianOf(fn: () => Promise<unknown>): Promise<{ median: number; runs: number[] }> {
  await fn(); // warm-up
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i += 1) runs.push((await timed(fn))[0]);
  return { median: median(runs), runs: runs.map((r) => round(r)) };
}

try {
  const database = await openBenchDatabase(logger, cleanups);
  const { sql } = database;
  const now = new Date();
  const { projectId, bindingIds, loadMs, rebuildMs, counts } = await seedFlowProject(sql, TASKS, now);
  const { tasks, transitions } = counts;

  // --- timings -----------------------------------------------------------------------------------------
  const scan = await medianOf(
    () => sql`select count(*) from status_transitions
              where binding_id in (select id from bindings where project_id = ${projectId})`,
  );
  let lastReport: Awaited<ReturnType<typeof computeFlowReport>> | undefined;
  const report = await medianOf(async () => {
    lastReport = await computeFlowReport(sql, projectId, { now });
  });
  const digestModule = await import("../src/flow/digest/compute-digest.ts").catch(() => null);
  const digestFn =
    digestModule && typeof digestModule.computeDigest === "function"
      ? () => digestModule.computeDigest(database, projectId, { now })
      : () => Promise.all([ageingWip(sql, projectId, { now }), computeHeadline(sql, projectId, { now })]);
  const digest = await medianOf(digestFn);
  // A stage-mapping change re-derives every case's stages in one statement (the settings modal's save).
  const [mappingMs] = await timed(
    () => sql`insert into stage_overrides (project_id, status_key, status_name, stage)
              values (${projectId}, 'qa', 'qa', 'blocked')`,
  );
  const afterMapping = await computeFlowReport(sql, projectId, { now });

  // --- segments: each case holds one of 8 task types, tags and labels (a quarter two of them), loaded
  // with it; here the names the workspace and the bindings give them ----------------------------------
  const [connection] = await sql<{ id: number }[]>`
    insert into connections (slack_team_id, clickup_team_id, clickup_team_name, token_sealed, token_last4,
                             token_owner_id, token_owner_name, connected_by)
    values ('TBENCH', '9001', 'Bench', 'sealed', '0000', 1, 'Bench', 'U0BENCH')
    on conflict (slack_team_id) do update set clickup_team_name = excluded.clickup_team_name
    returning id::int as id`;
  const options = Array.from({ length: SEGMENTS }, (_, k) => ({
    id: `opt-${k}`,
    name: `Area ${k}`,
    orderindex: null,
  }));
  await sql`
    insert into custom_task_types (connection_id, type_id, name, fetched_at)
    select ${connection!.id}, 1000 + k, 'Type ' || k, now() from generate_series(0, ${SEGMENTS - 1}) k
    on conflict do nothing`;
  await sql`
    insert into custom_field_definitions (binding_id, field_id, name, kind, options, fetched_at)
    select b, 'f-area', 'Area', 'labels', ${sql.json(options)}, now()
    from unnest(${bindingIds}::bigint[]) b`;
  const dimensions: [string, SegmentDimension, SegmentFilter][] = [
    ["type", { kind: "type" }, { dimension: "type", value: "type 3" }],
    [
      "tag_group",
      { kind: "tag_group", name: "kind", tags: Array.from({ length: SEGMENTS }, (_, k) => `t${k}`) },
      { dimension: null, value: "T3" },
    ],
    ["labels", { kind: "labels", fieldId: "f-area" }, { dimension: null, value: "area 3" }],
  ];
  const segmentRuns: Record<string, { median: number; runs: number[]; finished: number; wip: number }> = {};
  let segmented: { median: number; runs: number[] } | undefined;
  for (const [name, dimension, filter] of dimensions) {
    await sql`
      insert into segment_settings (project_id, dimension, tag_group_name, tag_group_tags, field_id, updated_by)
      values (${projectId}, ${dimension.kind}::segment_dimension,
              ${dimension.kind === "tag_group" ? dimension.name : null},
              ${dimension.kind === "tag_group" ? dimension.tags : []}::text[],
              ${dimension.kind === "labels" ? dimension.fieldId : null}, 'U0BENCH')
      on conflict (project_id) do update set dimension = excluded.dimension,
        tag_group_name = excluded.tag_group_name, tag_group_tags = excluded.tag_group_tags,
        field_id = excluded.field_id`;
    let filtered: Awaited<ReturnType<typeof computeFlowReport>> | undefined;
    const timing = await medianOf(async () => {
      const resolved = await resolveSegment(sql, projectId, filter);
      if (!resolved.ok) throw new Error(`the bench's ${name} filter resolved to ${resolved.problem}`);
      filtered = await computeFlowReport(sql, projectId, { now, scope: resolved.scope });
    });
    segmentRuns[name] = { ...timing, finished: filtered!.throughput.total, wip: filtered!.wipNow };
    if (name === "labels") {
      segmented = await medianOf(async () => {
        const breakdown = await loadSegmenter(sql, projectId);
        await computeFlowReport(sql, projectId, { now, ...(breakdown ? { breakdown } : {}) });
      });
    }
  }
  const segmentReportMs = Math.max(...Object.values(segmentRuns).map((x) => x.median));

  const r = lastReport!;
  console.log(
    `project: ${tasks} cases, ${transitions} transitions, ${counts!.rework} rework events; ` +
      `loaded in ${Math.round(loadMs)} ms, flow facts derived in ${Math.round(rebuildMs)} ms; ` +
      `report: ${r.throughput.total} finished in ${r.window.days} d, WIP ${r.wipNow}, cycle p50/p85 ` +
      `${r.cycleTime.p50?.toFixed(1)}/${r.cycleTime.p85?.toFixed(1)} d, efficiency ${r.flowEfficiency?.toFixed(2)} ` +
      `(${afterMapping.flowEfficiency?.toFixed(2)} once qa counts as blocked), rework rate ${r.rework.rate?.toFixed(2)}; ` +
      `runs (ms) report ${JSON.stringify(report.runs)} scan ${JSON.stringify(scan.runs)} digest ${JSON.stringify(digest.runs)}`,
  );
  console.log(
    "segments: one filtered report per dimension " +
      Object.entries(segmentRuns)
        .map(([name, x]) => `${name} ${JSON.stringify(x.runs)} (${x.finished} finished, WIP ${x.wip})`)
        .join(", ") +
      `; the whole segmented report ${JSON.stringify(segmented!.runs)}`,
  );
  console.log(
    JSON.stringify({
      tasks,
      transitions,
      report_ms: round(report.median),
      scan_ms: round(scan.median),
      ratio_vs_scan: round(report.median / scan.median, 2),
      digest_ms: round(digest.median),
      segment_report_ms: round(segmentReportMs),
      segment_report_ms_by_dimension: Object.fromEntries(
        Object.entries(segmentRuns).map(([name, x]) => [name, round(x.median)]),
      ),
      segmented_report_ms: round(segmented!.median),
      segments: SEGMENTS,
      digest_fn:
        digestModule && typeof digestModule.computeDigest === "function"
          ? "computeDigest"
          : "ageingWip+computeHeadline",
      timing: `median of ${RUNS} warm runs after one warm-up`,
      rebuild_ms: Math.round(rebuildMs),
      mapping_change_ms: Math.round(mappingMs),
      finished_in_window: r.throughput.total,
      wip: r.wipNow,
      rework_events: counts!.rework,
    }),
  );
} finally {
  await cleanup();
}
