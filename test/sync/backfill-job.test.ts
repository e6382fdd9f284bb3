import { eq } from "drizzle-orm";
import type { JobHelpers } from "graphile-worker";
import { describe, expect, it } from "vitest";
import { bindings, trackedCases } from "../../db/schema.ts";
import backfillBindingJob from "../../jobs/backfill-binding.ts";
import { createClickUpClient, createRateLimitRegistry } from "../../src/clickup/index.ts";
import { createSealer } from "../../src/crypto/sealer.ts";
import type { JobDeps } from "../../src/worker/job-deps.ts";
import { seededFake } from "../fakes/clickup/fixtures.ts";
import { bindFakeList } from "../helpers/bind-fake-list.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { TEST_KEY_HEX, testConfig } from "../helpers/test-config.ts";
import { useTestDatabase } from "../helpers/test-database.ts";

// The graphile-worker task: payload → binding → connection → sealed token → backfill.
const sealer = createSealer(Buffer.from(TEST_KEY_HEX, "hex"));

const database = useTestDatabase();

const helpers = () => ({ abortSignal: new AbortController().signal }) as unknown as JobHelpers;

describe("jobs/backfill-binding", () => {
  it("backfills the binding named in the payload with the connection's sealed token", async () => {
    const w = seededFake({ rateLimit: { limit: 10_000 } });
    for (let i = 0; i < 3; i += 1) w.fake.addTask({ listId: w.list.id, emit: false });
    const { bindingId } = await bindFakeList(database.db, sealer, w, {
      slackTeamId: "TJOB",
      channelId: "C1",
    });
    const deps: JobDeps = {
      config: testConfig({ DATABASE_URL: database.url, CLICKUP_API_URL: "http://clickup.test/api" }),
      database,
      logger: captureLogs("warn").logger,
      now: w.clock.now,
      sealer,
      clickup: (token) =>
        createClickUpClient({
          baseUrl: "http://clickup.test/api",
          token,
          fetch: w.fake.fetch,
          rateLimits: createRateLimitRegistry(),
        }),
    };

    const task = backfillBindingJob(deps);
    await task({ bindingId: bindingId }, helpers());
    const [row] = await database.db.select().from(bindings).where(eq(bindings.id, bindingId));
    expect(row!.syncStatus).toBe("synced");
    expect(await database.db.select().from(trackedCases)).toHaveLength(3);

    // @ts-expect-error a payload no producer can queue (only a hand-made job could carry it)
    await expect(task({}, helpers())).rejects.toThrow(/bindingId/);
    // A binding deleted meanwhile is nothing to do, not a failure.
    await expect(task({ bindingId: 987654 }, helpers())).resolves.toBeUndefined();
  });
});
