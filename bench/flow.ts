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
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { connectDatabase } from "../src/db/connect-database.ts";
import { runMigrations } from "../src/db/run-migrations.ts";
import { startEmbeddedPostgres } from "../src/db/start-embedded-postgres.ts";
import { ageingWip, computeFlowReport, computeHeadline } from "../src/flow/metrics/index.ts";
import { loadSegmenter } from "../src/flow/metrics/segments.ts";
import { resolveSegment, type SegmentFilter } from "../src/flow/segments/resolve-segment.ts";
import type { SegmentDimension } from "../src/flow/segments/segment-settings.ts";
import { createLogger } from "../src/log/create-logger.ts";
import { intArg } from "./args.ts";

const TASKS = intArg("tasks", 100_000);
const RUNS = intArg("runs", 7);
const STEPS = 10;
/** Values of each segment dimension the cases are spread over. */
const SEGMENTS = 8;

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
  // --- Postgres --------------------------------------------------------------------------------------
  let url = process.env.DATABASE_URL;
  if (!url) {
    const dir = await mkdtemp(path.join(tmpdir(), "flowbot-bench-flow-"));
    await chmod(dir, 0o755); // as root the server runs as `postgres`, which must reach the folder
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const pg = await startEmbeddedPostgres({
      dir,
      logger,
      settings: { fsync: "off", synchronous_commit: "off", full_page_writes: "off" },
    });
    cleanups.push(() => pg.stop());
    url = pg.url;
  }
  await runMigrations(url, logger);
  const database = connectDatabase(url);
  cleanups.push(() => database.close());
  const { sql } = database;

  // --- one project, four bindings (the last unbound: its data still counts) ---------------------------
  const now = new Date();
  const nowIso = now.toISOString();
  const [project] = await sql<{ id: number }[]>`
    insert into projects (slack_team_id, channel_id, time_zone)
    values ('TBENCH', ${`CBENCH${Date.now()}`}, 'Europe/Berlin') returning id::int as id`;
  const projectId = project!.id;
  const bindingIds: number[] = [];
  for (let b = 0; b < 4; b += 1) {
    const [row] = await sql<{ id: number }[]>`
      insert into bindings (project_id, container_type, container_id, container_name, container_path, space_id,
                            created_by, sync_status, unbound_at)
      values (${projectId}, 'list', ${`L${b}-${Date.now()}`}, ${`List ${b}`}, ${`Eng › List ${b}`}, 'S1', 'U0BENCH',
              'synced', ${b === 3 ? nowIso : null})
      returning id::int as id`;
    bindingIds.push(row!.id);
  }

  // Status catalogue and path templates: 11 statuses = 10 transitions per case. Template 0 ends in
  // progress (WIP); the others end done or closed, with flow-backs, blocked spells and a reopen.
  const statuses = `(values ('to do','open',0), ('in progress','custom',1), ('review','custom',2),
    ('blocked','custom',3), ('qa','custom',4), ('complete','done',5), ('closed','closed',6)) as st(name, type, oi)`;
  const templates = `(values
    (0, array['to do','in progress','review','in progress','blocked','in progress','review','qa','review','in progress','review']),
    (1, array['to do','in progress','review','in progress','review','qa','blocked','qa','complete','in progress','complete']),
    (2, array['to do','in progress','blocked','in progress','review','in progress','review','qa','in progress','qa','complete']),
    (3, array['to do','in progress','blocked','in progress','blocked','in progress','review','qa','blocked','qa','complete'])
  ) as tp(id, path)`;
  // Case i: template 0 for every tenth (created in the last 60 days), else 1–3 (created over 3 years).
  // Rows are loaded with triggers off (session_replication_role = replica) and the flow facts are then
  // derived in one set-based call of the same function the triggers use.
  const [loadMs] = await timed(() =>
    sql.begin(async (tx) => {
      await tx.unsafe("set local session_replication_role = replica");
      await tx.unsafe(`
      insert into tracked_cases (binding_id, task_id, name, url, home_list_id, status_name, status_type,
                                 status_orderindex, date_created, date_updated, assignees,
                                 task_type_id, tags, field_values)
      select ${`(array[${bindingIds.join(",")}])[1 + g.i % 4]`}, 'b' || g.i, 'Bench task ' || g.i,
             'https://app.clickup.com/t/b' || g.i, 'L', st.name, st.type, st.oi, g.created, g.created,
             jsonb_build_array(jsonb_build_object('id', g.i % 50, 'username', 'user' || (g.i % 50),
                                                  'email', 'user' || (g.i % 50) || '@example.com')),
             1000 + g.k,
             case when g.two then array['t' || g.k, 't' || (g.k + 3) % ${SEGMENTS}] else array['t' || g.k] end,
             jsonb_build_array(jsonb_build_object('fieldId', 'f-area', 'kind', 'labels', 'optionIds',
               case when g.two then jsonb_build_array('opt-' || g.k, 'opt-' || (g.k + 3) % ${SEGMENTS})
                    else jsonb_build_array('opt-' || g.k) end))
      from (select i, case when i % 10 = 0 then 0 else 1 + i % 3 end as tpl,
                   abs(hashint8(i)) % ${SEGMENTS} as k, abs(hashint8(-i)) % 4 = 0 as two,
                   case when i % 10 = 0
                     then '${nowIso}'::timestamptz - make_interval(secs => (abs(hashint8(i)) % (60 * 86400)))
                     else '${nowIso}'::timestamptz - interval '1100 days'
                          + make_interval(secs => (abs(hashint8(i)) % (1080 * 86400))) end as created
            from generate_series(1, ${TASKS}) as i) g
      join ${templates} on tp.id = g.tpl
      join ${statuses} on st.name = tp.path[${STEPS + 1}]`);
      await tx.unsafe(`
      insert into status_transitions (case_id, binding_id, from_status, from_type, from_orderindex,
                                      to_status, to_type, to_orderindex, occurred_at, actor_id, actor_name, source)
      select c.id, c.binding_id, fs.name, fs.type, fs.oi, ts.name, ts.type, ts.oi,
             c.date_created + make_interval(secs => k.k * 3600
               + sum(abs(hashint8(c.id * 16 + k.k)) % (${tplGapSeconds()})) over (partition by c.id order by k.k)),
             c.id % 50, 'user' || (c.id % 50), 'webhook'
      from tracked_cases c
      join ${templates} on tp.id = case when substr(c.task_id, 2)::int % 10 = 0 then 0
                                        else 1 + substr(c.task_id, 2)::int % 3 end
      cross join generate_series(1, ${STEPS}) as k(k)
      join (select * from ${statuses}) fs on fs.name = tp.path[k.k]
      join (select * from ${statuses}) ts on ts.name = tp.path[k.k + 1]
      where c.binding_id = any (array[${bindingIds.join(",")}]::bigint[])`);
      // Rework events as recordTransition derives them: active → earlier active status, or leaving done.
      await tx.unsafe(`
    insert into rework_events (case_id, binding_id, transition_id, kind, from_status, to_status, occurred_at,
                               actor_id, actor_name)
    select case_id, binding_id, id, case when from_type in ('done', 'closed') then 'reopen' else 'flow_back' end::rework_kind,
           from_status, to_status, occurred_at, actor_id, actor_name
    from status_transitions
    where binding_id = any (array[${bindingIds.join(",")}]::bigint[])
      and ((from_type in ('done', 'closed') and to_type not in ('done', 'closed'))
        or (from_orderindex > to_orderindex and from_status not in ('blocked', 'to do')
            and to_status not in ('blocked', 'to do') and to_type = 'custom'))`);
    }),
  );
  await sql.unsafe("analyze");
  const [rebuildMs] = await timed(() => sql`select flowbot_rebuild_project_flow_facts(${projectId}::bigint)`);
  await sql.unsafe("vacuum analyze");

  const [[counts]] = await Promise.all([
    sql<{ tasks: number; transitions: number; rework: number }[]>`
      select (select count(*)::int from flow_cases where project_id = ${projectId}) as tasks,
             (select count(*)::int from status_transitions
               where binding_id in (select id from bindings where project_id = ${projectId})) as transitions,
             (select count(*)::int from rework_events
               where binding_id in (select id from bindings where project_id = ${projectId})) as rework`,
  ]);
  const { tasks, transitions } = counts!;
  if (tasks < TASKS || transitions < TASKS * STEPS) {
    throw new Error(
      `built ${tasks} cases and ${transitions} transitions, expected ${TASKS} and ${TASKS * STEPS}`,
    );
  }

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

/** Upper bound of the random gap between two moves: up to 3 days. */
function tplGapSeconds() {
  return 3 * 86400;
}
