// The bench project of bench/flow.ts, shared by the benches that need one (bench/forecast.ts): a throwaway
// embedded Postgres (or DATABASE_URL), and one project of `taskCount` tracked cases with 10 status
// transitions each, generated in SQL with generate_series — 4 bindings (one unbound), cases created over
// three years (10% still in progress, created in the last 60 days), paths with flow-backs, blocked spells
// and reopens, their rework events, and task fields spread over 8 segments per dimension (8 task types, a
// tag group of 8 tags, a labels field of 8 options; a quarter of the cases carry two of the tags and
// labels). The flow facts are derived in one set-based call of the function the triggers use.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Sql } from "postgres";
import { connectDatabase, type Database } from "../src/db/connect-database.ts";
import { runMigrations } from "../src/db/run-migrations.ts";
import { startEmbeddedPostgres } from "../src/db/start-embedded-postgres.ts";
import type { Logger } from "../src/log/create-logger.ts";

/** Status transitions per case. */
export const STEPS = 10;
/** Values of each segment dimension the cases are spread over. */
export const SEGMENTS = 8;

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const value = await fn();
  return [performance.now() - t0, value];
}

/** A migrated database; what to undo is pushed on `cleanups` (run them last first). */
export async function openBenchDatabase(
  logger: Logger,
  cleanups: (() => Promise<unknown>)[],
  prefix = "flowbot-bench-flow-",
): Promise<Database> {
  let url = process.env.DATABASE_URL;
  if (!url) {
    const dir = await mkdtemp(path.join(tmpdir(), prefix));
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
  return database;
}

export type BenchProject = {
  projectId: number;
  bindingIds: number[];
  loadMs: number;
  rebuildMs: number;
  counts: { tasks: number; transitions: number; rework: number };
};

/** Loads the bench project as of `now` and derives its flow facts. */
export async function seedFlowProject(sql: Sql, taskCount: number, now: Date): Promise<BenchProject> {
  // --- one project, four bindings (the last unbound: its data still counts) ---------------------------
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
            from generate_series(1, ${taskCount}) as i) g
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
  if (tasks < taskCount || transitions < taskCount * STEPS) {
    throw new Error(
      `built ${tasks} cases and ${transitions} transitions, expected ${taskCount} and ${taskCount * STEPS}`,
    );
  }

  return { projectId, bindingIds, loadMs, rebuildMs, counts: counts! };
}

/** Upper bound of the random gap between two moves: up to 3 days. */
function tplGapSeconds() {
  return 3 * 86400;
}
