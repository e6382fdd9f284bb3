import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Flowbot, startFlowbot } from "../../src/app/start-flowbot.ts";
import { type JobName, jobKeyOf } from "../../src/worker/job-catalog.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { testConfig } from "../helpers/test-config.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

// The webhook route queues no apply run when one is waiting: it holds the waiting run FOR SHARE until
// its deliveries commit, counting on graphile-worker (FOR UPDATE SKIP LOCKED) not to start a run that
// is held. This drives the real worker against a run held the way the route holds it.
const DRAIN_TASK = "apply-deliveries" satisfies JobName;
let tdb: TestDatabase;
let worker: Flowbot | undefined;
const logs = captureLogs();
beforeAll(async () => {
  tdb = await createTestDatabase();
});
afterAll(async () => {
  await worker?.stop();
  await tdb?.drop();
});

describe("a waiting apply run held by a storing transaction", () => {
  it("is not started by the worker until that transaction commits", async () => {
    const sql = postgres(tdb.url, { max: 2, onnotice: () => {} });
    try {
      const [c] = await sql<{ id: number }[]>`
        insert into connections (slack_team_id, clickup_team_id, clickup_team_name, token_sealed, token_last4,
          token_owner_id, token_owner_name, connected_by)
        values ('THAND', '9100', 'Acme', 'sealed', 'XXXX', 1, 'Jane', 'U1') returning id::int as id`;
      const key = jobKeyOf("apply-deliveries", { connectionId: c!.id })!;
      // Due at once, as it is once its grouping delay has passed.
      await sql`
        select graphile_worker.add_job(${DRAIN_TASK}, json_build_object('connectionId', ${c!.id}::int),
          queue_name := ${key}, job_key := ${key}, job_key_mode := 'preserve_run_at')`;

      let release!: () => void;
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      let held!: () => void;
      const holding = new Promise<void>((resolve) => {
        held = resolve;
      });
      const storing = sql.begin(async (tx) => {
        await tx`
          select j.key from graphile_worker._private_jobs j
          where j.key = ${key} and j.locked_at is null and j.attempts = 0
          for share`;
        held();
        await released;
      });
      await holding;

      worker = await startFlowbot({
        config: testConfig({ DATABASE_URL: tdb.url, FLOWBOT_ROLE: "worker" }),
        logger: logs.logger,
        crontab: "",
        workerPollInterval: 50,
      });
      const job = () =>
        sql<{ attempts: number; locked: boolean }[]>`
          select attempts, locked_at is not null as locked from graphile_worker._private_jobs where key = ${key}`;
      // Many polls go by: the held run is skipped, not taken.
      await new Promise((r) => setTimeout(r, 1_500));
      expect(await job()).toEqual([{ attempts: 0, locked: false }]);

      release();
      await storing;
      // Committed: the worker starts the run (it finds nothing pending here) and it is done.
      const deadline = Date.now() + 10_000;
      while ((await job()).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(await job()).toEqual([]);
    } finally {
      await sql.end();
    }
  });
});
