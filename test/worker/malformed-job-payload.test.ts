import type { JSONValue } from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Flowbot, startFlowbot } from "../../src/app/start-flowbot.ts";
import { enqueueFlowRebuild } from "../../src/flow/metrics/deferred-rebuild.ts";
import { JOB_NAMES, type JobName } from "../../src/worker/job-catalog.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { testConfig } from "../helpers/test-config.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

// A job whose payload no producer could have queued (queued by hand, by an older build, or edited in
// the database) meets the real worker on real Postgres: each task refuses it before doing anything,
// graphile-worker records why on the job, and the worker goes on with the next one.
let tdb: TestDatabase;
let flowbot: Flowbot;
const logs = captureLogs("warn");

/** For every task: a payload its schema refuses, and the field the message must name. */
const MALFORMED: Record<JobName, { payload: JSONValue; names: string }> = {
  "apply-deliveries": { payload: { connectionId: "12" }, names: "connectionId" },
  // A batch: the good item is applied (nothing is pending for it), only the bad one fails.
  "apply-task-deliveries": { payload: [{ taskId: "nothing-pending" }, { taskId: 7 }], names: "taskId" },
  "backfill-binding": { payload: { bindingId: 1.5 }, names: "bindingId" },
  "backfill-comments": { payload: { bindingId: 4, messageTs: 17 }, names: "messageTs" },
  "check-tracked-forecasts": { payload: { _cron: "tonight" }, names: "_cron" },
  "check-webhook-health": { payload: { _cron: "now" }, names: "_cron" },
  "check-wip-limits": { payload: { projectId: -2 }, names: "projectId" },
  "post-digest": { payload: { projectId: 1, dueAt: "tomorrow at nine" }, names: "dueAt" },
  "rebuild-flow-facts": { payload: 42, names: "payload" },
  "refresh-holidays": { payload: { _cron: "now" }, names: "_cron" },
  "reconcile-binding": { payload: { bindingId: 3, sweep: "yes" }, names: "sweep" },
  "reconcile-bindings": { payload: { _cron: { ts: 5, backfilled: false } }, names: "_cron.ts" },
  "schedule-digests": { payload: { _cron: { ts: "2026-03-02T09:00:00.000Z" } }, names: "_cron.backfilled" },
  "sync-people": { payload: { connectionId: "7" }, names: "connectionId" },
  "refresh-people": { payload: { _cron: "hourly" }, names: "_cron" },
};

beforeAll(async () => {
  tdb = await createTestDatabase();
  flowbot = await startFlowbot({
    config: testConfig({ DATABASE_URL: tdb.url, FLOWBOT_ROLE: "worker" }),
    logger: logs.logger,
    crontab: "",
    workerPollInterval: 50,
  });
});
afterAll(async () => {
  await flowbot?.stop();
  await tdb?.drop();
});

type Attempted = { task: string; attempts: number; lastError: string | null; payload: unknown };

describe("a job with a malformed payload", () => {
  it("fails with a message naming the task and the bad field, and the worker goes on", async () => {
    const sql = flowbot.database.sql;
    for (const name of JOB_NAMES) {
      await sql`select graphile_worker.add_job(${name}, ${sql.json(MALFORMED[name].payload)}::json)`;
    }
    const attempted = async () =>
      sql<Attempted[]>`
        select t.identifier as task, j.attempts, j.last_error as "lastError", j.payload::jsonb as payload
        from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
        where j.attempts > 0 and j.locked_at is null
        order by t.identifier`;
    const deadline = Date.now() + 15_000;
    while ((await attempted()).length < JOB_NAMES.length && Date.now() < deadline) await pause(100);

    const failed = await attempted();
    expect(failed.map((j) => j.task)).toEqual(JOB_NAMES);
    for (const job of failed) {
      const name = job.task as JobName;
      expect(job.attempts, name).toBe(1);
      expect(job.lastError, name).toContain(`${name} got a malformed payload (${MALFORMED[name].names}: `);
    }
    // Only the batch's bad item is kept for the retry; the good one was done.
    expect(failed.find((j) => j.task === "apply-task-deliveries")!.payload).toEqual([{ taskId: 7 }]);
    expect(logs.text()).toContain("got a malformed payload");

    // Still working: a well-formed job queued now runs (and so leaves the queue).
    expect(flowbot.worker!.isRunning()).toBe(true);
    await enqueueFlowRebuild(sql);
    const waiting = async () =>
      (await sql`select 1 from graphile_worker._private_jobs where key = 'rebuild-flow-facts'`).length;
    while ((await waiting()) > 0 && Date.now() < deadline + 10_000) await pause(100);
    expect(await waiting()).toBe(0);
    expect(flowbot.worker!.isRunning()).toBe(true);
  });
});

function pause(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
