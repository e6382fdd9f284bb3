import type { JobHelpers } from "graphile-worker";
import type { Sql, TransactionSql } from "postgres";
import { describe, expect, it } from "vitest";
import rebuildFlowFactsJob from "../../jobs/rebuild-flow-facts.ts";
import reconcileBindingsJob from "../../jobs/reconcile-bindings.ts";
import { type Flowbot, startFlowbot } from "../../src/app/start-flowbot.ts";
import { createClickUpClient, createRateLimitRegistry } from "../../src/clickup/index.ts";
import { createSealer } from "../../src/crypto/sealer.ts";
import { connectDatabase, type Database } from "../../src/db/connect-database.ts";
import {
  computeFlowReport,
  deferFlowRebuild,
  hasDirtyCases,
  rebuildDirtyCases,
  rebuildProjectFlow,
} from "../../src/flow/metrics/index.ts";
import { backfillBinding } from "../../src/sync/backfill/index.ts";
import type { JobDeps } from "../../src/worker/job-deps.ts";
import { seededFake, TOKEN } from "../fakes/clickup/fixtures.ts";
import { createSlackFake } from "../fakes/slack/index.ts";
import { bindFakeList } from "../helpers/bind-fake-list.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { slashCommandRequest } from "../helpers/sign-slack-request.ts";
import { TEST_KEY_HEX, TEST_SIGNING_SECRET, testConfig } from "../helpers/test-config.ts";
import { createTestDatabase, useTestDatabase } from "../helpers/test-database.ts";
import { DAY, day, newProject, STATUSES, type StatusKey } from "./metrics-timeline.ts";

// Flow facts deferred by bulk writers (flowbot.defer_flow_rebuild, db/functions/deferred-rebuild.sql) and rebuilt by the
// rebuild-flow-facts job: stale and listed until then, afterwards identical to rebuilding at once.
const logs = captureLogs("warn");
const database = useTestDatabase();

const jobDeps = (extra: Partial<JobDeps> = {}): JobDeps => ({
  config: testConfig({ DATABASE_URL: database.url, CLICKUP_API_URL: "http://clickup.test/api" }),
  database,
  logger: logs.logger,
  now: Date.now,
  sealer: createSealer(Buffer.from(TEST_KEY_HEX, "hex")),
  clickup: () => {
    throw new Error("no ClickUp here");
  },
  ...extra,
});
const helpers = () => ({ abortSignal: new AbortController().signal }) as unknown as JobHelpers;

/** A project's flow facts keyed by task id, without surrogate keys: comparable across projects. */
async function factsOf(sql: Sql, projectId: number) {
  const cases = await sql`
    select tc.task_id, fc.created_at, fc.current_status, fc.current_type, fc.current_since, fc.current_stage,
           fc.started_at, fc.finished_at, fc.active_seconds, fc.blocked_seconds, fc.estimated, fc.cycle_days,
           fc.cycle_work_days, fc.cycle_calendar_days, fc.lead_days, fc.lead_work_days, fc.finished_week
    from flow_cases fc join tracked_cases tc on tc.id = fc.case_id
    where fc.project_id = ${projectId} order by tc.task_id`;
  const statuses = await sql`
    select tc.task_id, s.status_name, s.status_type, s.seconds, s.first_entered_at, s.last_exited_at,
           s.is_current, s.estimated, s.case_finished_at
    from flow_case_status s join tracked_cases tc on tc.id = s.case_id
    where s.project_id = ${projectId} order by tc.task_id, s.status_name`;
  return { cases: [...cases], statuses: [...statuses] };
}

const dirtyIds = async (sql: Sql) =>
  (await sql<{ id: number }[]>`select case_id::int as id from flow_dirty_cases order by 1`).map((r) => r.id);

const caseIds = async (sql: Sql, bindingId: number) =>
  (
    await sql<
      { id: number }[]
    >`select id::int as id from tracked_cases where binding_id = ${bindingId} order by 1`
  ).map((r) => r.id);

/** A small deterministic generator, so both projects get exactly the same data. */
function rng(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
}
const KEYS = Object.keys(STATUSES) as StatusKey[];

/**
 * The same mixed history for a binding, as four transactions (pages) to run in order: new cases, timings, transitions, upserts changing what the timeline reads (status without
 * transitions, tracked, deleted, created) and what it does not, re-seeded timings, removed and moved
 * transitions, deleted cases. `deferred` sets flowbot.defer_flow_rebuild in each transaction. The
 * generator is consumed as the pages run, so two histories run page by page get identical data.
 */
function history(sql: Sql, bindingId: number, deferred: boolean) {
  const rand = rng(42);
  const pick = () => KEYS[Math.floor(rand() * KEYS.length)]!;
  const n = 60;
  const tx = (fn: (t: TransactionSql) => Promise<unknown>) =>
    sql.begin(async (t) => {
      if (deferred) await deferFlowRebuild(t);
      await fn(t);
    });
  const caseRows = Array.from({ length: n }, (_, i) => {
    const s = STATUSES[pick()];
    return {
      t: `task-${i}`,
      s: s.name,
      y: s.type,
      o: s.orderindex,
      c: day(Math.floor(rand() * 5)).toISOString(),
    };
  });
  const idOf = (t: TransactionSql, task: string) =>
    t`(select id from tracked_cases where binding_id = ${bindingId} and task_id = ${task})`;

  // Page 1: cases, then time in status for half of them.
  const page1 = () =>
    tx(async (t) => {
      await t`
      insert into tracked_cases (binding_id, task_id, name, url, home_list_id, status_name, status_type,
                                 status_orderindex, date_created, date_updated)
      select ${bindingId}, x.t, x.t, 'https://app.clickup.com/t/' || x.t, 'L', x.s, x.y, x.o, x.c, x.c
      from jsonb_to_recordset(${t.json(caseRows)}) as x(t text, s text, y text, o int, c timestamptz)`;
      const timings = caseRows
        .filter((_, i) => i % 2 === 0)
        .flatMap((c, i) =>
          [pick(), pick(), pick()]
            .filter((k, j, all) => all.indexOf(k) === j)
            .map((k, j, all) => ({
              t: c.t,
              n: STATUSES[k].name,
              y: STATUSES[k].type,
              o: STATUSES[k].orderindex,
              m: 60 + Math.floor(rand() * 4000),
              s: new Date(day(6 + (i % 3)).getTime() + j * DAY).toISOString(),
              k: j === all.length - 1,
            })),
        );
      await t`
      insert into status_timings (case_id, status_name, status_type, status_orderindex, total_minutes, since, is_current)
      select tc.id, x.n, x.y, x.o, x.m, x.s, x.k
      from jsonb_to_recordset(${t.json(timings)}) as x(t text, n text, y text, o int, m int, s timestamptz, k boolean)
      join tracked_cases tc on tc.binding_id = ${bindingId} and tc.task_id = x.t`;
    });

  // Page 2: exact moves for every third case (some of them also have timings).
  const page2 = () =>
    tx(async (t) => {
      const moves = caseRows
        .filter((_, i) => i % 3 === 0)
        .flatMap((c, i) => {
          let prev = KEYS.find((k) => STATUSES[k].name === c.s)!;
          return [0, 1, 2].map((j) => {
            const to = pick();
            const row = {
              t: c.t,
              fs: STATUSES[prev].name,
              fy: STATUSES[prev].type,
              ts: STATUSES[to].name,
              ty: STATUSES[to].type,
              to: STATUSES[to].orderindex,
              at: new Date(day(8 + j * 2).getTime() + i * 3_600_000).toISOString(),
            };
            prev = to;
            return row;
          });
        });
      await t`
      insert into status_transitions (case_id, binding_id, from_status, from_type, to_status, to_type,
                                      to_orderindex, occurred_at, source, inferred)
      select tc.id, ${bindingId}, x.fs, x.fy, x.ts, x.ty, x.to, x.at, 'backfill', false
      from jsonb_to_recordset(${t.json(moves)}) as x(t text, fs text, fy text, ts text, ty text, "to" int, at timestamptz)
      join tracked_cases tc on tc.binding_id = ${bindingId} and tc.task_id = x.t`;
    });

  // Page 3: a re-backfill's upsert of 30 cases; only some change what the timeline reads.
  const page3 = () =>
    tx(async (t) => {
      const upserts = caseRows.slice(0, 30).map((c, i) => {
        const s = i % 4 === 0 ? STATUSES[pick()] : { name: c.s, type: c.y, orderindex: c.o };
        return {
          t: c.t,
          s: s.name,
          y: s.type,
          o: s.orderindex,
          c: i % 7 === 0 ? day(-2).toISOString() : c.c,
          tr: i % 9 !== 5,
          d: i % 11 === 3 ? day(12).toISOString() : null,
          nm: `renamed ${c.t}`,
        };
      });
      await t`
      insert into tracked_cases (binding_id, task_id, name, url, home_list_id, status_name, status_type,
                                 status_orderindex, date_created, date_updated, tracked, deleted_at)
      select ${bindingId}, x.t, x.nm, 'https://app.clickup.com/t/' || x.t, 'L', x.s, x.y, x.o, x.c, x.c, x.tr, x.d
      from jsonb_to_recordset(${t.json(upserts)}) as x(t text, nm text, s text, y text, o int,
        c timestamptz, tr boolean, d timestamptz)
      on conflict (binding_id, task_id) do update set name = excluded.name, status_name = excluded.status_name,
        status_type = excluded.status_type, status_orderindex = excluded.status_orderindex,
        date_created = excluded.date_created, tracked = excluded.tracked, deleted_at = excluded.deleted_at`;
    });

  // Page 4: timings re-seeded, a move removed, a move shifted, cases deleted (their timings cascade).
  const page4 = () =>
    tx(async (t) => {
      await t`delete from status_timings where case_id = ${idOf(t, "task-4")}`;
      await t`
      insert into status_timings (case_id, status_name, status_type, status_orderindex, total_minutes, since, is_current)
      values (${idOf(t, "task-4")}, 'in progress', 'custom', 1, 2880, ${day(2).toISOString()}, false),
             (${idOf(t, "task-4")}, 'complete', 'done', 4, 60, ${day(4).toISOString()}, true)`;
      await t`
      delete from status_transitions where id = (
        select max(id) from status_transitions where case_id = ${idOf(t, "task-33")})`;
      await t`
      update status_transitions set occurred_at = occurred_at - interval '1 day'
      where case_id = ${idOf(t, "task-39")}`;
      await t`delete from tracked_cases where binding_id = ${bindingId} and task_id in ('task-2', 'task-57')`;
    });
  return [page1, page2, page3, page4];
}

describe("deferred flow facts", () => {
  it("with deferral on, writes list their cases and leave the facts stale; the rebuild then matches rebuilding at once", async () => {
    const sql = database.sql;
    const now = await newProject(sql);
    const later = await newProject(sql);
    // The same mapping in both; one override changes while the deferred cases wait.
    for (const p of [now, later]) {
      await sql`insert into stage_overrides (project_id, status_key, status_name, stage)
                values (${p.projectId}, 'review', 'review', 'blocked')`;
    }

    // Page by page: after each, the deferred project's cases are listed and stale, and rebuilding them
    // gives what the immediate project's triggers gave (so each trigger's listing is checked on its own).
    const immediatePages = history(sql, now.bindingId, false);
    const deferredPages = history(sql, later.bindingId, true);
    for (const [i, page] of immediatePages.entries()) {
      await page();
      expect(await dirtyIds(sql)).toEqual([]);
      await deferredPages[i]!();
      const listed = await dirtyIds(sql);
      expect(listed.length).toBeGreaterThan(0);
      const immediateIds = await caseIds(sql, now.bindingId);
      expect(listed.some((id) => immediateIds.includes(id))).toBe(false);
      const expected = await factsOf(sql, now.projectId);
      expect(await factsOf(sql, later.projectId)).not.toEqual(expected);
      if (i === 0) {
        expect(listed).toEqual(await caseIds(sql, later.bindingId));
        expect((await factsOf(sql, later.projectId)).cases).toEqual([]); // nothing derived yet
      }
      if (i === immediatePages.length - 1) break; // the last page is rebuilt after a settings change
      expect(await rebuildDirtyCases(sql, { batch: 7 })).toBe(listed.length);
      expect(await factsOf(sql, later.projectId)).toEqual(expected);
    }
    const listed = await dirtyIds(sql);

    // Settings change while the last page's cases wait: the immediate re-derivations run in both.
    for (const p of [now, later]) {
      await sql`update stage_overrides set stage = 'active' where project_id = ${p.projectId}`;
      await sql`insert into stage_overrides (project_id, status_key, status_name, stage)
                values (${p.projectId}, 'blocked', 'blocked', 'not_started')`;
      await sql`update projects set time_zone = 'America/New_York' where id = ${p.projectId}`;
    }

    const rebuilt = await rebuildDirtyCases(sql, { batch: 7 });
    expect(rebuilt).toBe(listed.length);
    expect(await dirtyIds(sql)).toEqual([]);
    const immediate = await factsOf(sql, now.projectId);
    expect(immediate.cases.length).toBeGreaterThan(40);
    expect(await factsOf(sql, later.projectId)).toEqual(immediate);
    // And both equal a from-scratch rebuild of the project.
    await rebuildProjectFlow(sql, later.projectId);
    expect(await factsOf(sql, later.projectId)).toEqual(immediate);
    expect(await rebuildDirtyCases(sql)).toBe(0);
  });

  it("is local to its transaction: the next one on the same connection rebuilds at once", async () => {
    const { projectId, bindingId } = await newProject(database.sql);
    // A pool of one connection: the two transactions run on the same session.
    const one = connectDatabase(database.url, 1);
    try {
      const insert = (t: Sql | TransactionSql, task: string) => t`
        insert into tracked_cases (binding_id, task_id, name, url, home_list_id, status_name, status_type,
                                   status_orderindex, date_created, date_updated)
        values (${bindingId}, ${task}, ${task}, 'u', 'L', 'in progress', 'custom', 1,
                ${day(1).toISOString()}, ${day(1).toISOString()})`;
      await one.sql.begin(async (t) => {
        await deferFlowRebuild(t);
        await insert(t, "deferred");
      });
      await one.sql.begin((t) => insert(t, "immediate"));
      const facts = await factsOf(database.sql, projectId);
      expect(facts.cases.map((c) => c.task_id)).toEqual(["immediate"]);
      expect(facts.cases[0]).toMatchObject({ current_status: "in progress", current_stage: "active" });
    } finally {
      await one.close();
    }
    expect(await rebuildDirtyCases(database.sql)).toBe(1);
    expect((await factsOf(database.sql, projectId)).cases.map((c) => c.task_id)).toEqual([
      "deferred",
      "immediate",
    ]);
  });

  it("concurrent rebuilds never take the same case, and a case being rebuilt elsewhere is left listed, not waited for", async () => {
    const sql = database.sql;
    const { projectId, bindingId } = await newProject(sql);
    await sql.begin(async (t) => {
      await deferFlowRebuild(t);
      await t`
        insert into tracked_cases (binding_id, task_id, name, url, home_list_id, status_name, status_type,
                                   status_orderindex, date_created, date_updated)
        select ${bindingId}, 'c' || g, 'c', 'u', 'L', 'in progress', 'custom', 1,
               ${day(0).toISOString()}::timestamptz + g * interval '1 minute', ${day(0).toISOString()}
        from generate_series(1, 1500) g`;
      await t`
        insert into status_timings (case_id, status_name, status_type, status_orderindex, total_minutes, since, is_current)
        select id, 'to do', 'open', 0, 600, date_created, false from tracked_cases where binding_id = ${bindingId}
        union all
        select id, 'in progress', 'custom', 1, 0, date_created + interval '10 hours', true
        from tracked_cases where binding_id = ${bindingId}`;
    });
    const ids = await caseIds(sql, bindingId);
    expect(await dirtyIds(sql)).toEqual(ids);

    // Another transaction holds one case's rebuild lock (as an immediate rebuild of it would).
    const held = ids[700]!;
    const holder = await sql.reserve();
    await holder`begin`;
    await holder`select pg_advisory_xact_lock(7346, ${held}::integer)`;
    let counts: number[];
    try {
      // Three workers at once, each on its own connections.
      const workers = [
        connectDatabase(database.url, 2),
        connectDatabase(database.url, 2),
        connectDatabase(database.url, 2),
      ];
      try {
        counts = await Promise.all(workers.map((w) => rebuildDirtyCases(w.sql, { batch: 50 })));
      } finally {
        await Promise.all(workers.map((w) => w.close()));
      }
      expect(counts.reduce((a, b) => a + b, 0)).toBe(ids.length - 1);
      expect(await dirtyIds(sql)).toEqual([held]);
      // The job sees it left over and looks again shortly.
      await rebuildFlowFactsJob(jobDeps())({}, helpers());
      const [job] = await sql<{ delay: number }[]>`
        select extract(epoch from run_at - now())::float8 as delay from graphile_worker.jobs
        where task_identifier = 'rebuild-flow-facts'`;
      expect(job!.delay).toBeGreaterThan(0.5);
    } finally {
      await holder`commit`;
      holder.release();
    }
    expect(await rebuildDirtyCases(sql)).toBe(1);
    const facts = await factsOf(sql, projectId);
    expect(facts.cases).toHaveLength(ids.length);
    expect(facts.cases.every((c) => c.started_at !== null && c.estimated === true)).toBe(true);
    await sql`delete from graphile_worker._private_jobs`;
  });
});

describe("backfill with deferred flow facts", () => {
  /** A fake workspace with `n` tasks in list Sprint, each through a few statuses, some finished. */
  function world(n: number) {
    const w = seededFake({ rateLimit: { limit: 100_000 } });
    const start = w.clock.now() - 60 * DAY;
    const flows = [
      ["to do", "in progress", "review", "done"],
      ["to do", "in progress"],
      ["to do", "in progress", "review", "in progress", "done"],
      ["to do"],
      ["in progress", "review"],
    ];
    for (let i = 0; i < n; i += 1) {
      const path = flows[i % flows.length]!;
      w.fake.addTask({
        listId: w.list.id,
        name: `Task ${i}`,
        history: path.map((status, j) => ({ status, at: start + i * 60_000 + j * ((i % 7) + 1) * DAY })),
        emit: false,
      });
    }
    return w;
  }

  const bind = (
    w: ReturnType<typeof seededFake>,
    db: Database["db"],
    sealer: JobDeps["sealer"],
    team: string,
  ) => bindFakeList(db, sealer, w, { slackTeamId: team, channelId: "C0FLOW" });

  it("a run killed after 11 pages leaves its cases listed (the job queued at page 10); the reconcile fan-out and the job then rebuild them", async () => {
    const w = world(1_250);
    const deps = jobDeps({ now: w.clock.now });
    const { projectId, bindingId } = await bind(w, database.db, deps.sealer, "T0KILL");
    const client = createClickUpClient({
      baseUrl: "http://clickup.test/api",
      token: TOKEN,
      fetch: w.fake.fetch,
      rateLimits: createRateLimitRegistry(),
    });
    const kill = new Error("killed");
    const queuedJobs = () =>
      database.sql<{ n: number }[]>`
        select count(*)::int as n from graphile_worker.jobs where task_identifier = 'rebuild-flow-facts'`.then(
        (r) => r[0]!.n,
      );
    let queuedAtPage5: Promise<number> | undefined;
    let queuedAtPage11: Promise<number> | undefined;
    await expect(
      backfillBinding(
        {
          db: database.db,
          sql: database.sql,
          clickup: client,
          logger: logs.logger,
          now: w.clock.now,
          sealer: deps.sealer,
          onProgress: (p) => {
            if (p.phase !== "tasks") return;
            if (p.pages === 5) queuedAtPage5 = queuedJobs();
            if (p.pages !== 11) return;
            queuedAtPage11 = queuedJobs();
            throw kill;
          },
        },
        bindingId,
      ),
    ).rejects.toBe(kill);
    expect(await queuedAtPage5).toBe(0);
    expect(await queuedAtPage11).toBe(1); // queued after page 10, before the run ended

    const stored = await caseIds(database.sql, bindingId);
    expect(stored).toHaveLength(1_100);
    expect(await dirtyIds(database.sql)).toEqual(stored);
    expect((await factsOf(database.sql, projectId)).cases).toEqual([]);

    // As if the process had died before queuing anything: only the listed cases are left.
    await database.sql`delete from graphile_worker._private_jobs`;
    await reconcileBindingsJob(deps)({}, helpers());
    const queued = await database.sql<{ task_identifier: string }[]>`
      select task_identifier from graphile_worker.jobs where task_identifier = 'rebuild-flow-facts'`;
    expect(queued).toHaveLength(1);
    await rebuildFlowFactsJob(deps)({}, helpers());
    expect(await hasDirtyCases(database.sql)).toBe(false);
    const facts = await factsOf(database.sql, projectId);
    expect(facts.cases).toHaveLength(1_100);
    await rebuildProjectFlow(database.sql, projectId);
    expect(await factsOf(database.sql, projectId)).toEqual(facts);
    // Nothing listed: the fan-out queues no rebuild.
    await database.sql`delete from graphile_worker._private_jobs`;
    await reconcileBindingsJob(deps)({}, helpers());
    expect(
      await database.sql`select 1 from graphile_worker.jobs where task_identifier = 'rebuild-flow-facts'`,
    ).toHaveLength(0);
    await database.sql`delete from graphile_worker._private_jobs`;
  });

  it("end to end: `/flow backfill` in the running app, then the worker's rebuild job, gives the report an immediate rebuild gives", async () => {
    const w = world(340);
    const own = await createTestDatabase();
    const slack = createSlackFake({
      teamId: "T0E2E",
      users: [{ id: "U0ADMIN", is_admin: true }],
      channels: [{ id: "C0FLOW", name: "flow" }],
    });
    const flowbot: Flowbot = await startFlowbot({
      config: testConfig({ DATABASE_URL: own.url, CLICKUP_API_URL: "http://clickup.test/api" }),
      logger: captureLogs("warn").logger,
      slackFetch: slack.fetch,
      clickupFetch: w.fake.fetch,
      crontab: "",
      workerPollInterval: 50,
    });
    try {
      const { projectId, bindingId } = await bind(w, flowbot.database.db, flowbot.sealer, "T0E2E");
      const res = await fetch(
        slashCommandRequest({
          url: `${flowbot.url}/slack/events`,
          signingSecret: TEST_SIGNING_SECRET,
          text: `backfill ${bindingId}`,
          user_id: "U0ADMIN",
          team_id: "T0E2E",
          channel_id: "C0FLOW",
          trigger_id: slack.issueTriggerId({ userId: "U0ADMIN" }),
        }),
      );
      expect(((await res.json()) as { text: string }).text).toContain("queued");
      const sql = flowbot.database.sql;
      await expect
        .poll(
          async () => {
            const [row] = await sql<{ synced: boolean; listed: boolean; jobs: number; facts: number }[]>`
              select (select sync_status = 'synced' from bindings where id = ${bindingId}) as synced,
                     exists (select 1 from flow_dirty_cases) as listed,
                     (select count(*)::int from graphile_worker.jobs) as jobs,
                     (select count(*)::int from flow_cases where project_id = ${projectId}) as facts`;
            return row;
          },
          { timeout: 15_000, interval: 100 },
        )
        .toEqual({ synced: true, listed: false, jobs: 0, facts: 340 });

      const now = new Date(w.clock.now());
      const deferred = await computeFlowReport(flowbot.database.sql, projectId, { now });
      expect(deferred.throughput.total).toBeGreaterThan(100);
      expect(deferred.wipNow).toBeGreaterThan(100);
      await rebuildProjectFlow(sql, projectId);
      expect(await computeFlowReport(flowbot.database.sql, projectId, { now })).toEqual(deferred);
    } finally {
      await flowbot.stop();
      await own.drop();
    }
  });
});
