import type { JobHelpers } from "graphile-worker";
import { describe, expect, it } from "vitest";
import checkWipLimitsJob from "../../jobs/check-wip-limits.ts";
import reconcileBindingJob from "../../jobs/reconcile-binding.ts";
import { createClickUpClient, createRateLimitRegistry } from "../../src/clickup/index.ts";
import { createSealer } from "../../src/crypto/sealer.ts";
import { saveWipLimits } from "../../src/flow/metrics/wip-limits-settings.ts";
import { backfillBinding } from "../../src/sync/backfill/backfill-binding.ts";
import type { JobDeps } from "../../src/worker/job-deps.ts";
import { seededFake, TOKEN } from "../fakes/clickup/fixtures.ts";
import { createSlackFake, webClientFor } from "../fakes/slack/index.ts";
import { bindFakeList } from "../helpers/bind-fake-list.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { TEST_KEY_HEX, testConfig } from "../helpers/test-config.ts";
import { useTestDatabase } from "../helpers/test-database.ts";

// A reconcile run is a change the WIP limits are judged after (docs/flow-metrics.md §10.1): a status
// change no webhook delivered, repaired by reconcile, puts "in progress" over its limit and the channel
// hears it once — through the ClickUp fake, the reconcile-binding job and the check-wip-limits job.
const sealer = createSealer(Buffer.from(TEST_KEY_HEX, "hex"));
const database = useTestDatabase();
const helpers = () => ({ abortSignal: new AbortController().signal }) as unknown as JobHelpers;

describe("reconcile and the immediate alert", () => {
  it("queues the project's check, which posts once", async () => {
    const w = seededFake({ rateLimit: { limit: 10_000 } });
    const [task] = [w.fake.addTask({ listId: w.list.id, name: "Task 1", emit: false })];
    const slackFake = createSlackFake({ channels: [{ id: "C0RECWIP", name: "project" }] });
    const { bindingId } = await bindFakeList(database.db, sealer, w, {
      slackTeamId: "T0RECWIP",
      channelId: "C0RECWIP",
    });
    const clickup = (token: string) =>
      createClickUpClient({
        baseUrl: "http://clickup.test/api",
        token,
        fetch: w.fake.fetch,
        rateLimits: createRateLimitRegistry(),
        retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 1 },
      });
    const logs = captureLogs("warn");
    await backfillBinding(
      {
        db: database.db,
        sql: database.sql,
        clickup: clickup(TOKEN),
        logger: logs.logger,
        now: w.clock.now,
        sealer,
      },
      bindingId,
    );
    const [binding] = await database.sql<{ projectId: number }[]>`
      select project_id::int as "projectId" from bindings where id = ${bindingId}`;
    const projectId = binding!.projectId;
    await saveWipLimits(
      database.sql,
      projectId,
      { limits: [{ kind: "status", key: "in progress", limit: 0 }], alertAtOnce: true },
      { userId: "U0ADMIN", at: new Date(w.clock.now()) },
    );
    await database.sql`delete from graphile_worker._private_jobs`;

    w.clock.advance(30 * 60_000);
    w.fake.setTaskStatus(task!.id, "in progress"); // no webhook: the delivery never arrives
    w.clock.advance(5 * 60_000);
    const deps: JobDeps = {
      config: testConfig({ DATABASE_URL: database.url, CLICKUP_API_URL: "http://clickup.test/api" }),
      database,
      logger: logs.logger,
      now: w.clock.now,
      sealer,
      clickup,
      slack: webClientFor(slackFake),
    };
    await reconcileBindingJob(deps)({ bindingId }, helpers());

    const jobs = await database.sql<{ key: string }[]>`
      select key from graphile_worker.jobs where task_identifier = 'check-wip-limits'`;
    expect(jobs.map((j) => j.key)).toEqual([`check-wip-limits:${projectId}`]);
    await checkWipLimitsJob(deps)({ projectId }, helpers());
    await checkWipLimitsJob(deps)({ projectId }, helpers());
    expect(slackFake.messages("C0RECWIP").map((m) => m.text)).toEqual([
      ":rotating_light: in progress is over its WIP limit: 1 / 0",
    ]);
  });
});
