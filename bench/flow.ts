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
// Timings are medians of `--runs` warm runs after one warm-up. The last line is the JSON result.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { connectDatabase } from "../src/db/connect-database.ts";
import { runMigrations } from "../src/db/run-migrations.ts";
import { startEmbeddedPostgres } from "../src/db/start-embedded-postgres.ts";
import { ageingWip, computeFlowReport, computeHeadline } from "../src/flow/metrics/index.ts";
import { createLogger } from "../src/log/create-logger.ts";
import { intArg } from "./args.ts";

const TASKS = intArg("tasks", 100_000);
const RUNS = intArg("runs", 7);
const STEPS = 10;

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
                                 status_orderindex, date_created, date_updated, assignees)
      select ${`(array[${bindingIds.join(",")}])[1 + g.i % 4]`}, 'b' || g.i, 'Bench task ' || g.i,
             'https://app.clickup.com/t/b' || g.i, 'L', st.name, st.type, st.oi, g.created, g.created,
             jsonb_build_array(jsonb_build_object('id', g.i % 50, 'username', 'user' || (g.i % 50),
                                                  'email', 'user' || (g.i % 50) || '@example.com'))
      from (select i, case when i % 10 = 0 then 0 else 1 + i % 3 end as tpl,
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
    JSON.stringify({
      tasks,
      transitions,
      report_ms: round(report.median),
      scan_ms: round(scan.median),
      ratio_vs_scan: round(report.median / scan.median, 2),
      digest_ms: round(digest.median),
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
