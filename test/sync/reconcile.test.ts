import { and, asc, eq } from "drizzle-orm";
import type { JobHelpers } from "graphile-worker";
import { describe, expect, it } from "vitest";
import {
  bindings,
  reworkEvents,
  statusTransitions,
  syncErrors,
  trackedCases,
  webhookDeliveries,
} from "../../db/schema.ts";
import reconcileBindingJob from "../../jobs/reconcile-binding.ts";
import { createClickUpClient, createRateLimitRegistry } from "../../src/clickup/index.ts";
import { createSealer } from "../../src/crypto/sealer.ts";
import { backfillBinding } from "../../src/sync/backfill/backfill-binding.ts";
import { isDailySweep } from "../../src/sync/reconcile/enqueue-reconcile.ts";
import { RECONCILE_OVERLAP_MS, reconcileBinding } from "../../src/sync/reconcile/reconcile-binding.ts";
import type { JobDeps } from "../../src/worker/job-deps.ts";
import { seededFake, TOKEN } from "../fakes/clickup/fixtures.ts";
import { createSlackFake, webClientFor } from "../fakes/slack/index.ts";
import { bindFakeList } from "../helpers/bind-fake-list.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { TEST_KEY_HEX, testConfig } from "../helpers/test-config.ts";
import { useTestDatabase } from "../helpers/test-database.ts";

// Reconcile as the worker runs it: the reconcile-binding job against the ClickUp fake and real Postgres.
// Bindings are backfilled first with no PUBLIC_URL, so no webhook exists and every change made in the
// fake afterwards is exactly a delivery ClickUp never made (or dropped after its retries).
const sealer = createSealer(Buffer.from(TEST_KEY_HEX, "hex"));
const MINUTE = 60_000;
let teams = 0;

const database = useTestDatabase();

const helpers = () => ({ abortSignal: new AbortController().signal }) as unknown as JobHelpers;

/** A fake workspace bound (list "Sprint") to a project channel and backfilled; a job to reconcile it. */
async function setup(options: { tasks?: number } = {}) {
  const w = seededFake({ rateLimit: { limit: 10_000 } });
  const tasks = Array.from({ length: options.tasks ?? 2 }, (_, i) =>
    w.fake.addTask({ listId: w.list.id, name: `Task ${i + 1}`, emit: false }),
  );
  teams += 1;
  const slackTeamId = `TREC${teams}`;
  const channelId = `CREC${teams}`;
  const slackFake = createSlackFake({ channels: [{ id: channelId, name: "project" }] });
  const { bindingId } = await bindFakeList(database.db, sealer, w, { slackTeamId, channelId });
  const clickup = () =>
    createClickUpClient({
      baseUrl: "http://clickup.test/api",
      token: TOKEN,
      fetch: w.fake.fetch,
      rateLimits: createRateLimitRegistry(),
    });
  const logs = captureLogs("warn");
  await backfillBinding(
    { db: database.db, sql: database.sql, clickup: clickup(), logger: logs.logger, now: w.clock.now, sealer },
    bindingId,
  );
  const deps: JobDeps = {
    config: testConfig({ DATABASE_URL: database.url, CLICKUP_API_URL: "http://clickup.test/api" }),
    database,
    logger: logs.logger,
    now: w.clock.now,
    sealer,
    clickup: (token) =>
      createClickUpClient({
        baseUrl: "http://clickup.test/api",
        token,
        fetch: w.fake.fetch,
        rateLimits: createRateLimitRegistry(),
        retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 1 },
      }),
    slack: webClientFor(slackFake),
  };
  const job = reconcileBindingJob(deps);
  const reconcile = (sweep?: boolean) => job({ bindingId, ...(sweep ? { sweep } : {}) }, helpers());
  const caseOf = async (taskId: string) =>
    (
      await database.db
        .select()
        .from(trackedCases)
        .where(and(eq(trackedCases.bindingId, bindingId), eq(trackedCases.taskId, taskId)))
    )[0];
  const transitionsOf = async (taskId: string) => {
    const kase = await caseOf(taskId);
    return kase
      ? database.db
          .select()
          .from(statusTransitions)
          .where(eq(statusTransitions.caseId, kase.id))
          .orderBy(asc(statusTransitions.occurredAt), asc(statusTransitions.id))
      : [];
  };
  const bindingRow = async () =>
    (await database.db.select().from(bindings).where(eq(bindings.id, bindingId)))[0]!;
  return {
    ...w,
    tasks,
    bindingId,
    channelId,
    slackFake,
    deps,
    reconcile,
    caseOf,
    transitionsOf,
    bindingRow,
    clickup,
  };
}

describe("reconcile-binding", () => {
  it("repairs a dropped status change with an inferred transition timed at date_updated, once", async () => {
    const s = await setup();
    const [first, second] = s.tasks;
    const backfilledMark = (await s.bindingRow()).highWaterMark!;
    s.clock.advance(30 * MINUTE);
    s.fake.setTaskStatus(first!.id, "in progress"); // no webhook: the delivery never arrives
    const changedAt = s.fake.state.tasks.get(first!.id)!.dateUpdated;
    s.clock.advance(5 * MINUTE);
    s.fake.requests.clear();

    await s.reconcile();

    // Only what changed since the mark (minus the overlap) is pulled: active and archived passes.
    const pulls = s.fake.requests.entries.filter((r) => /\/v2\/team\/[^/]+\/task$/.test(r.path));
    expect(pulls).toHaveLength(2);
    for (const p of pulls) {
      expect(p.query.date_updated_gt).toEqual([String(backfilledMark.getTime() - RECONCILE_OVERLAP_MS)]);
      expect(p.query["list_ids[]"]).toEqual([s.list.id]);
      expect(p.query.include_closed).toEqual(["true"]);
      expect(p.query.subtasks).toEqual(["true"]);
    }
    expect(await s.transitionsOf(first!.id)).toMatchObject([
      {
        fromStatus: "to do",
        fromType: "open",
        toStatus: "in progress",
        toType: "custom",
        occurredAt: new Date(changedAt),
        source: "reconcile",
        inferred: true,
        historyItemId: null,
      },
    ]);
    expect(await s.caseOf(first!.id)).toMatchObject({
      statusName: "in progress",
      dateUpdated: new Date(changedAt),
    });
    expect(await s.transitionsOf(second!.id)).toEqual([]);
    const row = await s.bindingRow();
    expect(row.highWaterMark).toEqual(new Date(changedAt));
    expect(row.lastSyncedAt).toEqual(new Date(s.clock.now()));

    // In sync now: a second run records nothing and changes no case.
    const before = await database.db
      .select()
      .from(trackedCases)
      .where(eq(trackedCases.bindingId, s.bindingId));
    s.clock.advance(15 * MINUTE);
    const again = await reconcileBinding({ ...s.deps, clickup: s.clickup() }, s.bindingId);
    expect(again).toMatchObject({
      status: "done",
      counts: { seen: 1, unchanged: 1, inferred: 0, started: 0 },
    });
    expect(await s.transitionsOf(first!.id)).toHaveLength(1);
    expect(
      await database.db.select().from(trackedCases).where(eq(trackedCases.bindingId, s.bindingId)),
    ).toEqual(before);
  });

  it("re-reads the kept fields when date_updated moved: a dependency and a task type no webhook brings", async () => {
    const s = await setup();
    const [waiting, blocking] = s.tasks;
    const before = (await s.caseOf(waiting!.id))!;
    expect(before).toMatchObject({ waitingOn: [], taskTypeId: 0, tags: [] });
    expect(before.lastActivityAt).toEqual(before.dateUpdated);
    const bug = s.fake.addCustomTaskType(s.team.id, { name: "Bug" });
    s.clock.advance(20 * MINUTE);
    s.fake.addDependency(waiting!.id, blocking!.id);
    const dependedAt = s.clock.now();
    s.clock.advance(10 * MINUTE);
    s.fake.setTaskType(waiting!.id, bug.id);
    s.fake.addTag(waiting!.id, "Blocked");
    const changedAt = s.clock.now();
    s.clock.advance(5 * MINUTE);

    await s.reconcile();

    expect(await s.caseOf(waiting!.id)).toMatchObject({
      waitingOn: [blocking!.id],
      taskTypeId: bug.id,
      tags: ["blocked"],
      statusName: "to do",
      dateUpdated: new Date(changedAt),
      // The date_updated move is activity at the new date_updated (docs/flow-metrics.md §8.3).
      lastActivityAt: new Date(changedAt),
    });
    // The blocking side shows the record too, but does not wait; its date_updated moved all the same.
    expect(await s.caseOf(blocking!.id)).toMatchObject({
      waitingOn: [],
      lastActivityAt: new Date(dependedAt),
    });
    expect(await s.transitionsOf(waiting!.id)).toEqual([]);

    // Removed while nothing listens, and a live status change after it brought the case's date_updated
    // to ClickUp's (as record-transition does): the fields differ, so the next run finds it all the same.
    s.clock.advance(10 * MINUTE);
    s.fake.removeDependency(waiting!.id, blocking!.id);
    const removedAt = s.clock.now();
    await database.sql`update tracked_cases set date_updated = ${new Date(removedAt)}
      where binding_id = ${s.bindingId} and task_id = ${waiting!.id}`;
    s.clock.advance(5 * MINUTE);
    await s.reconcile();
    expect(await s.caseOf(waiting!.id)).toMatchObject({ waitingOn: [], tags: ["blocked"] });

    // The dependency back while nothing listens: the next run finds that too.
    s.clock.advance(10 * MINUTE);
    s.fake.addDependency(waiting!.id, blocking!.id);
    s.clock.advance(5 * MINUTE);
    await s.reconcile();
    expect((await s.caseOf(waiting!.id))!.waitingOn).toEqual([blocking!.id]);
  });

  it("derives rework from inferred transitions (a flow-back)", async () => {
    const s = await setup({ tasks: 1 });
    const task = s.tasks[0]!;
    for (const status of ["in progress", "review", "in progress"]) {
      s.clock.advance(20 * MINUTE);
      s.fake.setTaskStatus(task.id, status);
      s.clock.advance(MINUTE);
      await s.reconcile();
    }
    const transitions = await s.transitionsOf(task.id);
    expect(transitions.map((t) => `${t.fromStatus}→${t.toStatus}`)).toEqual([
      "to do→in progress",
      "in progress→review",
      "review→in progress",
    ]);
    const rework = await database.db
      .select()
      .from(reworkEvents)
      .where(eq(reworkEvents.bindingId, s.bindingId));
    expect(rework).toMatchObject([{ kind: "flow_back", fromStatus: "review", toStatus: "in progress" }]);
    expect(rework[0]!.transitionId).toBe(transitions[2]!.id);
  });

  it("starts tracking a task created while no webhook arrived, from the time it entered its status", async () => {
    const s = await setup({ tasks: 1 });
    s.clock.advance(10 * MINUTE);
    const createdAt = s.clock.now();
    const startedAt = createdAt + 3 * MINUTE;
    const created = s.fake.addTask({
      listId: s.list.id,
      name: "Made while offline",
      history: [
        { status: "to do", at: createdAt },
        { status: "in progress", at: startedAt },
      ],
    });
    s.clock.advance(10 * MINUTE);

    await s.reconcile();

    expect(await s.caseOf(created.id)).toMatchObject({
      name: "Made while offline",
      statusName: "in progress",
      tracked: true,
      deletedAt: null,
      dateCreated: new Date(createdAt),
    });
    expect(await s.transitionsOf(created.id)).toMatchObject([
      {
        fromStatus: null,
        toStatus: "in progress",
        occurredAt: new Date(startedAt),
        inferred: true,
        source: "reconcile",
      },
    ]);
    s.clock.advance(15 * MINUTE);
    await s.reconcile();
    expect(await s.transitionsOf(created.id)).toHaveLength(1);
  });

  it("marks a task deleted in ClickUp: found by the next run when it changed since the mark, else by the sweep", async () => {
    const s = await setup({ tasks: 3 });
    const [recent, old, kept] = s.tasks;
    s.clock.advance(10 * MINUTE);
    s.fake.setTaskStatus(recent!.id, "in progress");
    s.clock.advance(MINUTE);
    await s.reconcile(); // records the change, so the case is known to have moved since the mark
    s.clock.advance(MINUTE);
    s.fake.deleteTask(recent!.id); // the taskDeleted delivery is lost
    s.fake.deleteTask(old!.id);
    s.clock.advance(MINUTE);

    await s.reconcile();
    expect((await s.caseOf(recent!.id))!.deletedAt).toEqual(new Date(s.clock.now()));
    // An untouched task's deletion leaves no trace in a pull since the mark...
    expect((await s.caseOf(old!.id))!.deletedAt).toBeNull();
    // ...the sweep (daily, and after resume / module on) pulls everything and settles it.
    s.clock.advance(MINUTE);
    await s.reconcile(true);
    expect((await s.caseOf(old!.id))!.deletedAt).toEqual(new Date(s.clock.now()));
    expect(await s.caseOf(kept!.id)).toMatchObject({ deletedAt: null, tracked: true });
    // History stays.
    expect(await s.transitionsOf(recent!.id)).toHaveLength(1);
  });

  it("stops tracking a task moved out of the binding's list, and tracks it again when it comes back", async () => {
    const s = await setup({ tasks: 2 });
    const task = s.tasks[0]!;
    s.clock.advance(10 * MINUTE);
    s.fake.moveTask(task.id, s.inbox.id);
    s.clock.advance(MINUTE);

    await s.reconcile(true);
    expect(await s.caseOf(task.id)).toMatchObject({
      tracked: false,
      homeListId: s.inbox.id,
      deletedAt: null,
    });
    expect(await s.caseOf(s.tasks[1]!.id)).toMatchObject({ tracked: true });

    s.clock.advance(10 * MINUTE);
    s.fake.moveTask(task.id, s.list.id, { status: "review" });
    s.clock.advance(MINUTE);
    await s.reconcile();
    expect(await s.caseOf(task.id)).toMatchObject({
      tracked: true,
      homeListId: s.list.id,
      statusName: "review",
    });
    expect((await s.transitionsOf(task.id)).map((t) => t.toStatus)).toEqual(["review"]);
  });

  it("a revoked token puts the binding in error with what to do, and tells the channel once", async () => {
    const s = await setup({ tasks: 1 });
    s.fake.revokeToken(TOKEN);
    s.clock.advance(15 * MINUTE);

    await s.reconcile();
    const row = await s.bindingRow();
    expect(row.syncStatus).toBe("error");
    expect(row.errorCode).toBe("token_invalid");
    expect(row.errorReason).toContain("/flow connect");
    const told = s.slackFake.messages(s.channelId);
    expect(told).toHaveLength(1);
    expect(told[0]!.text).toContain("stopped syncing");
    expect(told[0]!.text).toContain("/flow connect");
    expect(told[0]!.text).toContain(`/flow backfill ${s.bindingId}`);

    await s.reconcile(); // the binding is in error now: skipped, nobody told again
    expect(s.slackFake.messages(s.channelId)).toHaveLength(1);
    expect(
      await database.db.select().from(syncErrors).where(eq(syncErrors.bindingId, s.bindingId)),
    ).toHaveLength(1);
  });

  it("leaves a change whose webhook delivery is stored but not applied yet to that delivery", async () => {
    const s = await setup({ tasks: 1 });
    const task = s.tasks[0]!;
    const markBefore = (await s.bindingRow()).highWaterMark!;
    s.clock.advance(10 * MINUTE);
    s.fake.setTaskStatus(task.id, "in progress");
    const changedAt = s.fake.state.tasks.get(task.id)!.dateUpdated;
    // The receiver stored the delivery; its apply job has not run yet.
    const [delivery] = await database.db
      .insert(webhookDeliveries)
      .values({
        idempotencyKey: `hook-1:item-${task.id}`,
        webhookId: "hook-1",
        event: "taskStatusUpdated",
        taskId: task.id,
        body: { event: "taskStatusUpdated", task_id: task.id },
      })
      .returning();
    s.clock.advance(MINUTE);

    await s.reconcile();
    expect(await s.transitionsOf(task.id)).toEqual([]);
    expect((await s.caseOf(task.id))!.statusName).toBe("to do");
    // The mark stays before the deferred change, so a later run still sees it.
    expect((await s.bindingRow()).highWaterMark!.getTime()).toBeLessThanOrEqual(changedAt);
    expect((await s.bindingRow()).highWaterMark!.getTime()).toBeGreaterThanOrEqual(markBefore.getTime());

    // The delivery turned out to change nothing (e.g. ignored); the next run infers the change.
    await database.db
      .update(webhookDeliveries)
      .set({ outcome: "ignored" })
      .where(eq(webhookDeliveries.id, delivery!.id));
    s.clock.advance(15 * MINUTE);
    await s.reconcile();
    expect((await s.transitionsOf(task.id)).map((t) => t.toStatus)).toEqual(["in progress"]);
  });

  it("fails for a retry when ClickUp is down mid-pull; the mark stays and the retry records nothing twice", async () => {
    const s = await setup({ tasks: 2 });
    const markBefore = (await s.bindingRow()).highWaterMark;
    s.clock.advance(10 * MINUTE);
    s.fake.setTaskStatus(s.tasks[0]!.id, "in progress");
    s.clock.advance(MINUTE);
    // The live-task pass works; the archived pass gets 503s.
    s.fake.faults.failWhen((req) => req.url.searchParams.get("archived") === "true" && { status: 503 });

    await expect(s.reconcile()).rejects.toThrow(/ClickUp did not answer/);
    expect((await s.bindingRow()).highWaterMark).toEqual(markBefore);
    expect((await s.bindingRow()).syncStatus).toBe("synced");
    expect(s.slackFake.messages(s.channelId)).toHaveLength(0);

    s.fake.faults.clear();
    await s.reconcile(); // graphile-worker's retry
    expect((await s.transitionsOf(s.tasks[0]!.id)).map((t) => t.toStatus)).toEqual(["in progress"]);
    expect((await s.bindingRow()).highWaterMark!.getTime()).toBeGreaterThan(markBefore!.getTime());
  });

  it("sweeps on the first scheduled run of each UTC day", () => {
    expect(isDailySweep(Date.UTC(2025, 0, 6, 0, 0, 4), 15)).toBe(true);
    expect(isDailySweep(Date.UTC(2025, 0, 6, 0, 15, 4), 15)).toBe(false);
    expect(isDailySweep(Date.UTC(2025, 0, 6, 13, 0, 4), 15)).toBe(false);
    expect(isDailySweep(Date.UTC(2025, 0, 6, 0, 0, 4), 1440)).toBe(true);
  });

  it("skips paused bindings and leaves their data alone", async () => {
    const s = await setup({ tasks: 1 });
    await database.db.update(bindings).set({ syncStatus: "paused" }).where(eq(bindings.id, s.bindingId));
    s.clock.advance(10 * MINUTE);
    s.fake.setTaskStatus(s.tasks[0]!.id, "review");
    s.fake.requests.clear();
    await s.reconcile();
    expect(s.fake.requests.entries).toHaveLength(0);
    expect((await s.caseOf(s.tasks[0]!.id))!.statusName).toBe("to do");
  });
});
