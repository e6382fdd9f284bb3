import { afterAll, describe, expect, it } from "vitest";
import { type Flowbot, startFlowbot } from "../../src/app/start-flowbot.ts";
import { enqueueBackfill } from "../../src/sync/enqueue-backfill.ts";
import { openWorkerRegistry, WORKER_LOCK_SPACE } from "../../src/worker/worker-registry.ts";
import { seededFake } from "../fakes/clickup/fixtures.ts";
import { PAGE_SIZE } from "../fakes/clickup/index.ts";
import { bindFakeList } from "../helpers/bind-fake-list.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { testConfig } from "../helpers/test-config.ts";
import { useTestDatabase } from "../helpers/test-database.ts";
import { waitFor as waitUntil } from "../helpers/wait-for.ts";

// A live worker whose registry connection was down long enough for another worker to take it for gone
// and release its jobs: it must stop its runner (its running job is aborted) and go on under a new
// registration, which picks the job up again from its checkpoint. The real graphile-worker runs the
// real backfill job against the ClickUp fake in process; a team-task page held back keeps it running.
const database = useTestDatabase();
const logs = captureLogs("info");
const HELD = 3_600_000;
let flowbot: Flowbot | undefined;
afterAll(async () => {
  await flowbot?.stop();
});

const waitFor = <T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000) =>
  waitUntil(what, probe, timeoutMs, () => logs.text());

describe("a worker taken for gone while alive", () => {
  it("stops its runner and carries on under a new registration, the job resumed from its checkpoint", {
    timeout: 60_000,
  }, async () => {
    let open = () => {};
    const held = new Promise<void>((resolve) => (open = resolve));
    const w = seededFake({
      rateLimit: { limit: 100_000 },
      sleep: (ms) => (ms === HELD ? held : new Promise((r) => setTimeout(r, ms))),
    });
    const total = 2 * PAGE_SIZE + 20;
    for (let i = 0; i < total; i += 1) w.fake.addTask({ listId: w.list.id, emit: false });
    w.fake.faults.setLatency((req) =>
      req.path.endsWith(`/team/${w.team.id}/task`) && Number(req.url.searchParams.get("page")) >= 1
        ? HELD
        : 0,
    );

    flowbot = await startFlowbot({
      config: testConfig({
        DATABASE_URL: database.url,
        FLOWBOT_ROLE: "worker",
        CLICKUP_API_URL: "http://clickup.test/api",
      }),
      logger: logs.logger,
      clickupFetch: w.fake.fetch,
      workerPollInterval: 100,
      crontab: "",
    });
    const { bindingId } = await bindFakeList(database.db, flowbot.sealer, w, {
      slackTeamId: "TGONE",
      channelId: "C1",
    });
    await enqueueBackfill(database, bindingId);

    const [first] = await waitFor("page 0 committed by the running job", async () => {
      const rows = await database.sql<{ id: number; poolId: string }[]>`
        select p.id, p.pool_id as "poolId" from worker_processes p
        join graphile_worker.jobs j on j.locked_by = p.pool_id
        join bindings b on (b.backfill_checkpoint->>'page')::int = 0
        where j.task_identifier = 'backfill-binding'`;
      return rows.length === 1 && rows;
    });

    // What another worker does once the lock has been free past the grace: here the session is ended
    // and the sweep runs at once (no grace), before the worker's own check takes the lock back.
    const released = await waitFor("the registration released by another worker", async () => {
      await database.sql`
        select pg_terminate_backend(pid) from pg_locks
        where locktype = 'advisory' and classid = ${WORKER_LOCK_SPACE}::oid and objid = ${first!.id}::oid
          and objsubid = 2`;
      const other = await openWorkerRegistry(database.url, { ownsDatabase: false, goneAfterMs: 0 });
      await other.registry.close();
      return other.released.pools.includes(first!.poolId) && other.released;
    });
    expect(released.jobs).toBe(1);

    await waitFor("the worker to see it was taken for gone", async () =>
      logs.lines.some((l) => String(l.msg).startsWith("another worker took this one for gone")),
    );
    // Its running job is aborted once graphile-worker's shutdown grace has passed; the page held back
    // then answers, and the aborted run stores nothing more.
    // Meanwhile the old pool, whose lock went with its connection, takes no job: not the released one.
    const until = Date.now() + 5_500;
    while (Date.now() < until) {
      const retaken = await database.sql`
        select id from graphile_worker.jobs where locked_by = ${first!.poolId}`;
      expect(retaken).toEqual([]);
      await new Promise((r) => setTimeout(r, 50));
    }
    w.fake.faults.clear();
    open();

    const [second] = await waitFor("a new registration", async () => {
      const rows = await database.sql<{ id: number; poolId: string | null }[]>`
        select id, pool_id as "poolId" from worker_processes`;
      return rows.length === 1 && rows[0]!.id !== first!.id && rows[0]!.poolId !== null && rows;
    });
    expect(second!.poolId).not.toBe(first!.poolId);
    const done = await waitFor("the backfill to finish", async () => {
      const [row] = await database.sql<
        { status: string; cases: number; distinctTasks: number; jobs: number }[]
      >`
        select b.sync_status as status,
          (select count(*)::int from tracked_cases c where c.binding_id = b.id) as cases,
          (select count(distinct task_id)::int from tracked_cases c where c.binding_id = b.id) as "distinctTasks",
          (select count(*)::int from graphile_worker.jobs) as jobs
        from bindings b where b.id = ${bindingId}`;
      return row!.status === "synced" && row!.jobs === 0 && row;
    });
    expect(done).toEqual({ status: "synced", cases: total, distinctTasks: total, jobs: 0 });
    expect(logs.lines.some((l) => l.msg === "resuming backfill" && l.startPage === 1)).toBe(true);
    expect(flowbot.worker!.isRunning()).toBe(true);
  });
});
