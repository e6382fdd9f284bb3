import type { WebClient } from "@slack/web-api";
import type { JobHelpers } from "graphile-worker";
import { beforeAll, describe, expect, it } from "vitest";
import checkWipLimitsJob from "../../jobs/check-wip-limits.ts";
import rebuildFlowFactsJob from "../../jobs/rebuild-flow-facts.ts";
import { createSealer } from "../../src/crypto/sealer.ts";
import { deferFlowRebuild } from "../../src/flow/metrics/deferred-rebuild.ts";
import { enqueueWipLimitChecks } from "../../src/flow/metrics/wip-limits-alert.ts";
import { saveWipLimits } from "../../src/flow/metrics/wip-limits-settings.ts";
import type { JobDeps } from "../../src/worker/job-deps.ts";
import { seedCase, seedProject } from "../flow/report-fixtures.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { TEST_KEY_HEX, testConfig } from "../helpers/test-config.ts";
import { useTestDatabase } from "../helpers/test-database.ts";

// Who gets a check-wip-limits job and what the job does (docs/flow-metrics.md §10.1), on real Postgres
// without a running worker: the jobs are read from graphile_worker.jobs and run by hand.
const database = useTestDatabase();
const logs = captureLogs();
const posts: { channel: string; text: string }[] = [];
const slack = {
  chat: {
    postMessage: async (m: { channel: string; text: string }) => {
      posts.push(m);
      return { ok: true };
    },
  },
} as unknown as WebClient;
const jobDeps = (): JobDeps => ({
  config: testConfig({ DATABASE_URL: database.url }),
  database,
  logger: logs.logger,
  now: Date.now,
  sealer: createSealer(Buffer.from(TEST_KEY_HEX, "hex")),
  clickup: () => {
    throw new Error("no ClickUp here");
  },
  slack,
});
const helpers = () => ({ abortSignal: new AbortController().signal }) as unknown as JobHelpers;
const BY = { userId: "U0ADMIN", at: new Date("2026-12-01T09:00:00Z") };
const T = new Date("2026-12-01T08:00:00Z");

const queued = async () =>
  (
    await database.sql<{ key: string }[]>`
      select key from graphile_worker.jobs where task_identifier = 'check-wip-limits' order by key`
  ).map((j) => j.key);

const p: Record<string, { projectId: number; bindingId: number }> = {};

beforeAll(async () => {
  for (const name of ["ON", "OFF", "NOLIMIT", "BACKFILLING"]) {
    p[name] = await seedProject(database.sql, { teamId: "T1", channelId: `C0${name}` });
    await seedCase(database.sql, p[name]!.bindingId, {
      name: `${name} task`,
      path: [
        ["todo", T],
        ["review", T],
      ],
    });
    const limits = name === "NOLIMIT" ? [] : [{ kind: "status" as const, key: "review", limit: 0 }];
    await saveWipLimits(database.sql, p[name]!.projectId, { limits, alertAtOnce: name !== "OFF" }, BY);
  }
  await database.sql`update bindings set backfill_checkpoint = '{"page": 3}' where id = ${p.BACKFILLING!.bindingId}`;
});

describe("check-wip-limits", () => {
  it("is queued once per project whose alert is on, that has a limit and is not backfilling", async () => {
    await enqueueWipLimitChecks(database.sql, "all");
    await enqueueWipLimitChecks(database.sql, "all");
    expect(await queued()).toEqual([`check-wip-limits:${p.ON!.projectId}`]);
    // The backfill ends: its last rebuild judges it.
    await database.sql`update bindings set backfill_checkpoint = null where id = ${p.BACKFILLING!.bindingId}`;
    await enqueueWipLimitChecks(database.sql, [p.BACKFILLING!.projectId, p.OFF!.projectId]);
    expect((await queued()).sort()).toEqual(
      [`check-wip-limits:${p.ON!.projectId}`, `check-wip-limits:${p.BACKFILLING!.projectId}`].sort(),
    );
    await database.sql`delete from graphile_worker._private_jobs`;
  });

  it("is queued by the flow facts rebuild once nothing is left to rebuild", async () => {
    // A bulk writer changes a case's status with the rebuild deferred, as a backfill page does: it is listed.
    await database.sql.begin(async (tx) => {
      await deferFlowRebuild(tx);
      await tx`update tracked_cases set date_created = date_created - interval '1 minute' where binding_id = ${p.ON!.bindingId}`;
      expect((await tx`select count(*)::int as n from flow_dirty_cases`)[0]).toEqual({ n: 1 });
    });
    expect(await queued()).toEqual([]);
    await rebuildFlowFactsJob(jobDeps())({}, helpers());
    expect(await queued()).toContain(`check-wip-limits:${p.ON!.projectId}`);
    await database.sql`delete from graphile_worker._private_jobs`;
  });

  it("posts to the project channel once, however many times it runs", async () => {
    const run = () => checkWipLimitsJob(jobDeps())({ projectId: p.ON!.projectId }, helpers());
    await Promise.all([run(), run()]);
    await run();
    expect(posts).toEqual([
      { channel: "C0ON", text: ":rotating_light: review is over its WIP limit: 1 / 0" },
    ]);
    // The project whose alert is off is not judged: its limit stays armed.
    await checkWipLimitsJob(jobDeps())({ projectId: p.OFF!.projectId }, helpers());
    const [off] = await database.sql`select fired from wip_limits where project_id = ${p.OFF!.projectId}`;
    expect(off).toEqual({ fired: false });
    expect(posts).toHaveLength(1);
  });
});
