// The 90-day cumulative flow diagram (docs/flow-metrics.md §13.1) at bench scale, for `npm run
// bench:forecast`: `timeCfd` times computeCfd on a project the caller has seeded (as bench/flow.ts seeds
// one: 100,000 cases, 10 transitions each) and returns the median in milliseconds, to report as `cfd_ms`.
//
// Run alone, it seeds such a project itself in a throwaway embedded Postgres (or DATABASE_URL) and prints
// one JSON line:
//
//   node bench/forecast-cfd.ts [-- --tasks 100000 --runs 7]
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Sql } from "postgres";
import { connectDatabase } from "../src/db/connect-database.ts";
import { runMigrations } from "../src/db/run-migrations.ts";
import { startEmbeddedPostgres } from "../src/db/start-embedded-postgres.ts";
import { type CfdBy, computeCfd } from "../src/flow/metrics/cfd.ts";
import { loadMetricsSettings } from "../src/flow/metrics/window-settings.ts";
import { createLogger } from "../src/log/create-logger.ts";
import { intArg } from "./args.ts";

/**
 * Median milliseconds of `runs` warm runs (after one warm-up) of the project's CFD over `days` days up to
 * `now`, by stage (the default chart) unless `by` says otherwise.
 */
export async function timeCfd(
  sql: Sql,
  projectId: number,
  opts: { now: Date; days?: number; runs?: number; by?: CfdBy } = { now: new Date() },
): Promise<number> {
  const settings = await loadMetricsSettings(sql, projectId);
  const run = () =>
    computeCfd(sql, settings, { now: opts.now, days: opts.days ?? 90, by: opts.by ?? "stage" });
  await run();
  const times: number[] = [];
  for (let i = 0; i < (opts.runs ?? 7); i += 1) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const mid = times.length >> 1;
  return times.length % 2 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2;
}

/**
 * bench/flow.ts's project in brief: `tasks` cases over 4 bindings with 10 transitions each (every tenth
 * still in progress, created in the last 60 days; the rest created over three years and finished, with
 * flow-backs, blocked spells and reopens), loaded with triggers off and the flow facts derived in one call.
 */
export async function seedBenchProject(sql: Sql, tasks: number, now: Date): Promise<number> {
  const nowIso = now.toISOString();
  const [project] = await sql<{ id: number }[]>`
    insert into projects (slack_team_id, channel_id, time_zone)
    values ('TBENCH', ${`CCFD${Date.now()}`}, 'Europe/Berlin') returning id::int as id`;
  const projectId = project!.id;
  const bindingIds: number[] = [];
  for (let b = 0; b < 4; b += 1) {
    const [row] = await sql<{ id: number }[]>`
      insert into bindings (project_id, container_type, container_id, container_name, container_path, space_id,
                            created_by, sync_status)
      values (${projectId}, 'list', ${`L${b}-${Date.now()}`}, ${`List ${b}`}, ${`Eng › List ${b}`}, 'S1', 'U0BENCH',
              'synced')
      returning id::int as id`;
    bindingIds.push(row!.id);
  }
  const statuses = `(values ('to do','open',0), ('in progress','custom',1), ('review','custom',2),
    ('blocked','custom',3), ('qa','custom',4), ('complete','done',5), ('closed','closed',6)) as st(name, type, oi)`;
  const templates = `(values
    (0, array['to do','in progress','review','in progress','blocked','in progress','review','qa','review','in progress','review']),
    (1, array['to do','in progress','review','in progress','review','qa','blocked','qa','complete','in progress','complete']),
    (2, array['to do','in progress','blocked','in progress','review','in progress','review','qa','in progress','qa','complete']),
    (3, array['to do','in progress','blocked','in progress','blocked','in progress','review','qa','blocked','qa','complete'])
  ) as tp(id, path)`;
  await sql.begin(async (tx) => {
    await tx.unsafe("set local session_replication_role = replica");
    await tx.unsafe(`
      insert into tracked_cases (binding_id, task_id, name, url, home_list_id, status_name, status_type,
                                 status_orderindex, date_created, date_updated)
      select (array[${bindingIds.join(",")}])[1 + g.i % 4], 'b' || g.i, 'Bench task ' || g.i,
             'https://app.clickup.com/t/b' || g.i, 'L', st.name, st.type, st.oi, g.created, g.created
      from (select i, case when i % 10 = 0 then 0 else 1 + i % 3 end as tpl,
                   case when i % 10 = 0
                     then '${nowIso}'::timestamptz - make_interval(secs => (abs(hashint8(i)) % (60 * 86400)))
                     else '${nowIso}'::timestamptz - interval '1100 days'
                          + make_interval(secs => (abs(hashint8(i)) % (1080 * 86400))) end as created
            from generate_series(1, ${tasks}) as i) g
      join ${templates} on tp.id = g.tpl
      join ${statuses} on st.name = tp.path[11]`);
    await tx.unsafe(`
      insert into status_transitions (case_id, binding_id, from_status, from_type, from_orderindex,
                                      to_status, to_type, to_orderindex, occurred_at, source)
      select c.id, c.binding_id, fs.name, fs.type, fs.oi, ts.name, ts.type, ts.oi,
             c.date_created + make_interval(secs => k.k * 3600
               + sum(abs(hashint8(c.id * 16 + k.k)) % (3 * 86400)) over (partition by c.id order by k.k)),
             'webhook'
      from tracked_cases c
      join ${templates} on tp.id = case when substr(c.task_id, 2)::int % 10 = 0 then 0
                                        else 1 + substr(c.task_id, 2)::int % 3 end
      cross join generate_series(1, 10) as k(k)
      join (select * from ${statuses}) fs on fs.name = tp.path[k.k]
      join (select * from ${statuses}) ts on ts.name = tp.path[k.k + 1]
      where c.binding_id = any (array[${bindingIds.join(",")}]::bigint[])`);
  });
  await sql.unsafe("analyze");
  await sql`select flowbot_rebuild_project_flow_facts(${projectId}::bigint)`;
  await sql.unsafe("vacuum analyze");
  return projectId;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const tasks = intArg("tasks", 100_000);
  const runs = intArg("runs", 7);
  const logger = createLogger(process.env.LOG_LEVEL ?? "warn", process.stderr);
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    let url = process.env.DATABASE_URL;
    if (!url) {
      const dir = await mkdtemp(path.join(tmpdir(), "flowbot-bench-cfd-"));
      await chmod(dir, 0o755);
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
    const now = new Date();
    const projectId = await seedBenchProject(database.sql, tasks, now);
    const [{ transitions }] = await database.sql<{ transitions: number }[]>`
      select count(*)::int as transitions from status_transitions
      where binding_id in (select id from bindings where project_id = ${projectId})`;
    const cfdMs = await timeCfd(database.sql, projectId, { now, runs });
    const byStatusMs = await timeCfd(database.sql, projectId, { now, runs, by: "status" });
    console.log(
      JSON.stringify({
        tasks,
        transitions,
        days: 90,
        cfd_ms: Math.round(cfdMs * 10) / 10,
        cfd_by_status_ms: Math.round(byStatusMs * 10) / 10,
        timing: `median of ${runs} warm runs after one warm-up`,
      }),
    );
  } finally {
    for (const fn of cleanups.reverse()) await fn().catch((err) => logger.error({ err }, "cleanup failed"));
  }
}
