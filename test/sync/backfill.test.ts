import { and, asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  bindings,
  clickupWebhooks,
  connections,
  projects,
  statusTimings,
  syncErrors,
  trackedCases,
} from "../../db/schema.ts";
import { createClickUpClient } from "../../src/clickup/create-clickup-client.ts";
import { createRateLimitRegistry } from "../../src/clickup/rate-limit-registry.ts";
import { createSealer } from "../../src/crypto/sealer.ts";
import {
  type BackfillDeps,
  type BackfillProgress,
  backfillBinding,
  NO_PUBLIC_URL_WARNING,
  TIMINGS_OFF_WARNING,
} from "../../src/sync/backfill/index.ts";
import { storePage } from "../../src/sync/backfill/store-page.ts";
import {
  fieldLabel,
  loadFieldDefinitions,
  loadTaskTypes,
  saveFieldDefinitions,
  taskTypeName,
  UNKNOWN_FIELD,
} from "../../src/sync/task-fields/index.ts";
import { seededFake, TOKEN } from "../fakes/clickup/fixtures.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { TEST_KEY_HEX } from "../helpers/test-config.ts";
import { useTestDatabase } from "../helpers/test-database.ts";

// The backfill against the in-process ClickUp fake, with a rate limit high enough never to wait.
const PUBLIC_URL = "https://flowbot.example.com";
const sealer = createSealer(Buffer.from(TEST_KEY_HEX, "hex"));
const logs = captureLogs("warn");
let seq = 0;

const database = useTestDatabase();

type World = ReturnType<typeof seededFake>;
type Container = { type: "space" | "folder" | "list"; id: string };

/** A fresh fake workspace, and a connection + project + binding on `container` in the database. */
async function setup(pick: (w: World) => Container = (w) => ({ type: "space", id: w.space.id })) {
  const world = seededFake({ rateLimit: { limit: 10_000 } });
  seq += 1;
  const slackTeamId = `T${seq}`;
  const [connection] = await database.db
    .insert(connections)
    .values({
      slackTeamId,
      clickupTeamId: world.team.id,
      clickupTeamName: "Acme",
      tokenSealed: sealer.seal(TOKEN),
      tokenLast4: TOKEN.slice(-4),
      tokenOwnerId: world.jane.id,
      tokenOwnerName: "Jane Roe",
      connectedBy: "U0ADMIN",
    })
    .returning();
  const container = pick(world);
  const addBinding = async (channelId: string) => {
    const [project] = await database.db.insert(projects).values({ slackTeamId, channelId }).returning();
    const [binding] = await database.db
      .insert(bindings)
      .values({
        projectId: project!.id,
        containerType: container.type,
        containerId: container.id,
        containerName: "Engineering",
        containerPath: "Engineering",
        spaceId: world.space.id,
        createdBy: "U0ADMIN",
      })
      .returning();
    return binding!.id;
  };
  const bindingId = await addBinding("C1");
  const client = createClickUpClient({
    baseUrl: "http://clickup.test/api",
    token: TOKEN,
    fetch: world.fake.fetch,
    rateLimits: createRateLimitRegistry(),
  });
  const deps = (extra: Partial<BackfillDeps> = {}): BackfillDeps => ({
    db: database.db,
    sql: database.sql,
    clickup: client,
    logger: logs.logger,
    now: world.clock.now,
    publicUrl: PUBLIC_URL,
    sealer,
    ...extra,
  });
  const addTasks = (n: number, input: { listId?: string; archived?: boolean; status?: string } = {}) =>
    Array.from({ length: n }, (_, i) =>
      world.fake.addTask({
        listId: input.listId ?? world.list.id,
        name: `Task ${i}`,
        archived: input.archived,
        status: input.status,
        createdAt: world.clock.now() - (n - i) * 60_000,
        emit: false,
      }),
    );
  return { ...world, connection: connection!, bindingId, addBinding, deps, addTasks, client };
}

const bindingRow = async (id: number) =>
  (await database.db.select().from(bindings).where(eq(bindings.id, id)))[0]!;

/** Case and timing contents without surrogate keys, for comparing runs. */
async function snapshot(bindingId: number) {
  const cases = await database.db
    .select()
    .from(trackedCases)
    .where(eq(trackedCases.bindingId, bindingId))
    .orderBy(asc(trackedCases.taskId));
  const timings = await database.db
    .select({ taskId: trackedCases.taskId, t: statusTimings })
    .from(statusTimings)
    .innerJoin(trackedCases, eq(trackedCases.id, statusTimings.caseId))
    .where(eq(trackedCases.bindingId, bindingId))
    .orderBy(asc(trackedCases.taskId), asc(statusTimings.statusName));
  return {
    cases: cases.map(({ id: _id, bindingId: _b, ...rest }) => rest),
    timings: timings.map(({ taskId, t: { caseId: _c, ...rest } }) => ({ taskId, ...rest })),
  };
}

const teamTaskRequests = (w: World) => w.fake.requests.count({ path: /\/v2\/team\/[^/]+\/task$/ });

describe("backfillBinding", () => {
  it.each([
    [0, 2],
    [100, 2], // the fake says last_page on a full page 0
    [101, 3],
  ])("stores all of %i tasks, with %i task-page requests over both passes", async (n, requests) => {
    const w = await setup();
    w.addTasks(n);
    const result = await backfillBinding(w.deps({ publicUrl: undefined }), w.bindingId);
    expect(result).toMatchObject({ status: "synced", tasks: n });
    const { cases, timings } = await snapshot(w.bindingId);
    expect(cases).toHaveLength(n);
    expect(new Set(timings.map((t) => t.taskId)).size).toBe(n);
    expect(teamTaskRequests(w)).toBe(requests);
    // Time in status is asked per page, ≤ 100 ids at a time.
    expect(w.fake.requests.count({ path: /bulk_time_in_status/ })).toBe(Math.ceil(n / 100));
    const b = await bindingRow(w.bindingId);
    expect(b.syncStatus).toBe("synced");
    expect(b.lastSyncedAt).not.toBeNull();
    expect(b.backfillCheckpoint).toBeNull();
    expect(b.highWaterMark?.getTime() ?? null).toBe(
      n === 0 ? null : Math.max(...cases.map((c) => c.dateUpdated.getTime())),
    );
  });

  it("includes closed tasks, subtasks and archived tasks, with their fields", async () => {
    const w = await setup();
    w.fake.addUser({ id: 77, username: "Max", email: "max@example.com", teamIds: [w.team.id] });
    const parent = w.fake.addTask({
      listId: w.list.id,
      name: "Parent",
      customId: "ENG-1",
      assignees: [77],
      history: [
        { status: "to do", at: w.clock.now() - 3 * 86_400_000 },
        { status: "in progress", at: w.clock.now() - 86_400_000 },
      ],
      emit: false,
    });
    const sub = w.fake.addTask({ listId: w.list.id, parent: parent.id, name: "Sub", emit: false });
    const closed = w.fake.addTask({ listId: w.inbox.id, status: "complete", emit: false });
    const done = w.fake.addTask({ listId: w.inbox.id, status: "done", emit: false });
    const archived = w.fake.addTask({ listId: w.inbox.id, archived: true, emit: false });

    await backfillBinding(w.deps(), w.bindingId);
    const { cases, timings } = await snapshot(w.bindingId);
    const byId = new Map(cases.map((c) => [c.taskId, c]));
    expect([...byId.keys()].sort()).toEqual([parent.id, sub.id, closed.id, done.id, archived.id].sort());
    expect(byId.get(sub.id)!.parentTaskId).toBe(parent.id);
    expect(byId.get(closed.id)!.statusType).toBe("closed");
    expect(byId.get(closed.id)!.dateClosed).not.toBeNull();
    expect(byId.get(done.id)!.dateDone).not.toBeNull();
    expect(byId.get(archived.id)!.archived).toBe(true);
    expect(byId.get(parent.id)).toMatchObject({
      customId: "ENG-1",
      name: "Parent",
      homeListId: w.list.id,
      statusName: "in progress",
      statusType: "custom",
      statusOrderindex: 1,
      url: expect.stringContaining(parent.id),
      // email stays null until the client's task schema keeps assignee emails (see report).
      assignees: [expect.objectContaining({ id: 77, username: "Max" })],
    });
    const parentTimings = timings.filter((t) => t.taskId === parent.id);
    expect(parentTimings.map((t) => [t.statusName, t.totalMinutes, t.isCurrent])).toEqual([
      ["in progress", 24 * 60, true],
      ["to do", 2 * 24 * 60, false],
    ]);
  });

  it("tracks a task in several lists once, under its home list", async () => {
    const w = await setup();
    const [task] = w.addTasks(1, { listId: w.list.id });
    w.fake.addTaskToList(task!.id, w.inbox.id);
    await backfillBinding(w.deps(), w.bindingId);
    const { cases } = await snapshot(w.bindingId);
    expect(cases).toHaveLength(1);
    expect(cases[0]!.homeListId).toBe(w.list.id);
  });

  it("filters by folder and by list", async () => {
    const folder = await setup((w) => ({ type: "folder", id: w.folder.id }));
    folder.addTasks(3, { listId: folder.list.id });
    folder.addTasks(2, { listId: folder.inbox.id });
    await backfillBinding(folder.deps(), folder.bindingId);
    expect((await snapshot(folder.bindingId)).cases).toHaveLength(3);

    const list = await setup((w) => ({ type: "list", id: w.inbox.id }));
    list.addTasks(3, { listId: list.list.id });
    list.addTasks(2, { listId: list.inbox.id });
    await backfillBinding(list.deps(), list.bindingId);
    expect((await snapshot(list.bindingId)).cases).toHaveLength(2);
  });

  it("succeeds without timings and warns when the time-in-status ClickApp is off, then clears it", async () => {
    const w = await setup();
    w.addTasks(150);
    w.fake.setTimeInStatusEnabled(w.team.id, false);
    const result = await backfillBinding(w.deps(), w.bindingId);
    expect(result).toMatchObject({ status: "synced", tasks: 150, warning: TIMINGS_OFF_WARNING });
    expect((await snapshot(w.bindingId)).cases).toHaveLength(150);
    expect((await snapshot(w.bindingId)).timings).toHaveLength(0);
    const b = await bindingRow(w.bindingId);
    expect(b.syncStatus).toBe("synced");
    expect(b.warning).toContain("Total time in Status");
    expect(b.warning).toContain("ClickUp › Settings › ClickApps");
    // Asked once, not once per page.
    expect(w.fake.requests.count({ path: /bulk_time_in_status/ })).toBe(1);

    w.fake.setTimeInStatusEnabled(w.team.id, true);
    await backfillBinding(w.deps(), w.bindingId);
    expect((await bindingRow(w.bindingId)).warning).toBeNull();
    expect((await snapshot(w.bindingId)).timings.length).toBeGreaterThanOrEqual(150);
  });

  it("stops with an actionable error when the token is revoked midway", async () => {
    const w = await setup();
    w.addTasks(1_000);
    const result = await backfillBinding(
      w.deps({
        onProgress: (p) => {
          if (p.pages === 1) w.fake.revokeToken(TOKEN);
        },
      }),
      w.bindingId,
    );
    expect(result).toMatchObject({ status: "error", code: "token_invalid" });
    const b = await bindingRow(w.bindingId);
    expect(b.syncStatus).toBe("error");
    expect(b.errorCode).toBe("token_invalid");
    expect(b.errorReason).toMatch(/reconnect with \/flow connect/);
    const errors = await database.db.select().from(syncErrors).where(eq(syncErrors.bindingId, w.bindingId));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.code).toBe("token_invalid");
    // Pages fetched before the revocation are stored (fetching overlaps storing); the checkpoint
    // names exactly the last committed page, so a retry resumes right after it.
    const stored = (await snapshot(w.bindingId)).cases.length;
    expect(stored % 100).toBe(0);
    expect(stored).toBeGreaterThanOrEqual(100);
    expect(stored).toBeLessThan(1_000);
    expect(b.backfillCheckpoint).toEqual({ pass: "active", page: stored / 100 - 1 });
  });

  it("puts the binding in error when the token's user cannot reach the workspace", async () => {
    const w = await setup();
    w.fake.addWorkspace({ id: "777", name: "Other" });
    await database.db
      .update(connections)
      .set({ clickupTeamId: "777" })
      .where(eq(connections.id, w.connection.id));
    const result = await backfillBinding(w.deps({ publicUrl: undefined }), w.bindingId);
    expect(result).toMatchObject({ status: "error", code: "not_authorized" });
    const b = await bindingRow(w.bindingId);
    expect(b).toMatchObject({ syncStatus: "error", errorCode: "not_authorized" });
    expect(b.errorReason).toMatch(/Give that user access/);
  });

  it("throws (so the job retries) when ClickUp is down", async () => {
    const w = await setup();
    w.addTasks(3);
    w.fake.setTimeInStatusEnabled(w.team.id, true);
    const client = createClickUpClient({
      baseUrl: "http://clickup.test/api",
      token: TOKEN,
      fetch: async () => new Response("{}", { status: 503 }),
      rateLimits: createRateLimitRegistry(),
      retry: { maxRetries: 0 },
    });
    await expect(backfillBinding(w.deps({ clickup: client }), w.bindingId)).rejects.toMatchObject({
      code: "clickup_down",
    });
    expect((await bindingRow(w.bindingId)).syncStatus).toBe("not_synced");
  });

  it("stops asking ClickUp soon after a later page's time in status fails, keeping the pages before it", async () => {
    const w = await setup();
    w.addTasks(2_000);
    // Time in status answers for the first four pages, then ClickUp is down for it.
    let timings = 0;
    w.fake.faults.failWhen((req) => req.path.includes("bulk_time_in_status") && ++timings > 4);
    const client = createClickUpClient({
      baseUrl: "http://clickup.test/api",
      token: TOKEN,
      fetch: w.fake.fetch,
      rateLimits: createRateLimitRegistry(),
      retry: { maxRetries: 0 },
    });
    const before = w.fake.requests.count();
    await expect(backfillBinding(w.deps({ clickup: client }), w.bindingId)).rejects.toMatchObject({
      code: "clickup_down",
    });
    w.fake.faults.clear();
    // Pages are asked ahead and stored behind, but never more than the pages that can be in flight
    // (two being stored, four waiting, two asked ahead) past the failed one: not all 20 of the list's.
    const taskPages = w.fake.requests.entries
      .slice(before)
      .filter((e) => /\/team\/[^/]+\/task$/.test(e.path));
    expect(taskPages.length).toBeLessThanOrEqual(4 + 6 + 2);
    // The pages before the failed one are committed, in order, and the checkpoint names the last of them.
    const stored = (await snapshot(w.bindingId)).cases.length;
    expect(stored).toBe(400);
    expect((await bindingRow(w.bindingId)).backfillCheckpoint).toEqual({ pass: "active", page: 3 });
  });

  it("resumes a killed run from the next page, without duplicates, ending identical to one clean run", async () => {
    const w = await setup();
    w.addTasks(250);
    w.addTasks(120, { listId: w.inbox.id, archived: true });
    const kill = new Error("killed");
    await expect(
      backfillBinding(
        w.deps({
          onProgress: (p) => {
            if (p.phase === "tasks" && p.pages === 2) throw kill;
          },
        }),
        w.bindingId,
      ),
    ).rejects.toBe(kill);
    expect((await bindingRow(w.bindingId)).backfillCheckpoint).toEqual({ pass: "active", page: 1 });
    expect((await snapshot(w.bindingId)).cases).toHaveLength(200);

    // Killed again in the archived pass, by the abort signal this time.
    const controller = new AbortController();
    await expect(
      backfillBinding(
        w.deps({
          signal: controller.signal,
          onProgress: (p) => {
            if (p.phase === "tasks" && p.pages === 2) controller.abort(new Error("shutdown"));
          },
        }),
        w.bindingId,
      ),
    ).rejects.toThrow("shutdown");
    expect((await bindingRow(w.bindingId)).backfillCheckpoint).toEqual({ pass: "archived", page: 0 });

    const pages: BackfillProgress[] = [];
    w.fake.requests.clear();
    const result = await backfillBinding(w.deps({ onProgress: (p) => pages.push(p) }), w.bindingId);
    expect(result).toMatchObject({ status: "synced", pages: 1, tasks: 20 });
    // Only archived page 1 was fetched (it is short, so it ends the pass).
    expect(
      w.fake.requests.entries.filter((e) => /\/team\/[^/]+\/task$/.test(e.path)).map((e) => e.query),
    ).toEqual([expect.objectContaining({ archived: ["true"], page: ["1"] })]);

    const resumed = await snapshot(w.bindingId);
    expect(resumed.cases).toHaveLength(370);
    expect(new Set(resumed.cases.map((c) => c.taskId)).size).toBe(370);
    const cleanId = await w.addBinding("C2");
    await backfillBinding(w.deps(), cleanId);
    expect(resumed).toEqual(await snapshot(cleanId));
  });

  it("stores a task that shows up on two pages once, when the pages shift between requests", async () => {
    const w = await setup();
    w.addTasks(250);
    let late: string | undefined;
    // A task created right after page 0 was served puts itself first, so page 1 starts with page 0's last.
    const client = createClickUpClient({
      baseUrl: "http://clickup.test/api",
      token: TOKEN,
      rateLimits: createRateLimitRegistry(),
      fetch: async (input, init) => {
        const res = await w.fake.fetch(input, init);
        if (!late && /\/team\/[^/]+\/task\?/.test(input) && input.includes("page=0"))
          late = w.fake.addTask({ listId: w.list.id, name: "Late", emit: false }).id;
        return res;
      },
    });
    const result = await backfillBinding(w.deps({ clickup: client, publicUrl: undefined }), w.bindingId);
    // Three pages of 100, 100 and 51 tasks, one of them twice: every task that was there from the start
    // is stored once; the late one, on page 0 after it was served, is for live sync to pick up.
    expect(result).toMatchObject({ status: "synced", pages: 3, tasks: 251 });
    const { cases, timings } = await snapshot(w.bindingId);
    expect(cases).toHaveLength(250);
    expect(cases.map((c) => c.taskId)).not.toContain(late);
    expect(new Set(timings.map((t) => t.taskId)).size).toBe(250);
  });

  it("is idempotent: a second backfill of an unchanged container leaves identical rows", async () => {
    const w = await setup();
    w.addTasks(130);
    w.addTasks(5, { listId: w.inbox.id, status: "complete" });
    await backfillBinding(w.deps(), w.bindingId);
    const first = await snapshot(w.bindingId);
    const firstIds = (
      await database.db
        .select({ id: trackedCases.id })
        .from(trackedCases)
        .where(eq(trackedCases.bindingId, w.bindingId))
    ).map((r) => r.id);
    await backfillBinding(w.deps(), w.bindingId);
    expect(await snapshot(w.bindingId)).toEqual(first);
    const secondIds = (
      await database.db
        .select({ id: trackedCases.id })
        .from(trackedCases)
        .where(eq(trackedCases.bindingId, w.bindingId))
    ).map((r) => r.id);
    expect(secondIds.sort()).toEqual(firstIds.sort());
  });

  it("re-backfilling replaces a case's timings with ClickUp's current aggregate, and keeps them without one", async () => {
    const w = await setup();
    const [kept, moved] = w.addTasks(2);
    await backfillBinding(w.deps({ publicUrl: undefined }), w.bindingId);
    const caseId = async (taskId: string) =>
      (
        await database.db
          .select({ id: trackedCases.id })
          .from(trackedCases)
          .where(eq(trackedCases.taskId, taskId))
      )[0]!.id;
    // A status ClickUp no longer reports for the task, and a stale total for one it does.
    const since = new Date(w.clock.now() - 86_400_000);
    const movedCase = await caseId(moved!.id);
    await database.db.insert(statusTimings).values({
      caseId: movedCase,
      statusName: "ghost",
      statusType: "custom",
      statusOrderindex: 9,
      totalMinutes: 5,
      since,
    });
    await database.db
      .update(statusTimings)
      .set({ totalMinutes: 1 })
      .where(eq(statusTimings.caseId, await caseId(kept!.id)));
    w.clock.advance(60 * 60_000);
    w.fake.setTaskStatus(moved!.id, "in progress");
    await backfillBinding(w.deps({ publicUrl: undefined }), w.bindingId);
    const { timings } = await snapshot(w.bindingId);
    expect(timings.filter((t) => t.taskId === moved!.id).map((t) => [t.statusName, t.isCurrent])).toEqual([
      ["in progress", true],
      ["to do", false],
    ]);
    const keptTimings = timings.filter((t) => t.taskId === kept!.id);
    expect(keptTimings).toEqual([expect.objectContaining({ statusName: "to do", isCurrent: true })]);
    expect(keptTimings[0]!.totalMinutes).toBeGreaterThanOrEqual(60);

    // Without time in status (ClickApp off), the timings stored earlier stay as they were.
    w.fake.setTimeInStatusEnabled(w.team.id, false);
    await backfillBinding(w.deps({ publicUrl: undefined }), w.bindingId);
    expect((await snapshot(w.bindingId)).timings).toEqual(timings);
  });

  it("creates one scoped webhook with a sealed secret and reuses it on the next backfill", async () => {
    const w = await setup((x) => ({ type: "folder", id: x.folder.id }));
    await backfillBinding(w.deps(), w.bindingId);
    const hooks = w.fake.webhooks.all();
    expect(hooks).toHaveLength(1);
    const hook = hooks[0]!;
    expect(hook).toMatchObject({
      endpoint: `${PUBLIC_URL}/clickup/webhook`,
      folderId: w.folder.id,
      spaceId: null,
      listId: null,
    });
    expect([...hook.events].sort()).toEqual(
      [
        "taskCreated",
        "taskUpdated",
        "taskDeleted",
        "taskStatusUpdated",
        "taskMoved",
        "taskAssigneeUpdated",
        "taskTagUpdated",
        "taskPriorityUpdated",
        "taskCommentPosted",
        "taskCommentUpdated",
      ].sort(),
    );
    const b = await bindingRow(w.bindingId);
    expect(b.webhookId).toBe(hook.id);
    expect(b.warning).toBeNull();
    const [row] = await database.db.select().from(clickupWebhooks).where(eq(clickupWebhooks.id, hook.id));
    expect(row!.secretSealed).not.toContain(hook.secret);
    expect(sealer.open(row!.secretSealed)).toBe(hook.secret);
    expect(row).toMatchObject({
      containerType: "folder",
      containerId: w.folder.id,
      connectionId: w.connection.id,
    });

    // Suspended by ClickUp meanwhile: the next backfill reactivates the same webhook.
    hook.health = { status: "suspended", fail_count: 100 };
    await backfillBinding(w.deps(), w.bindingId);
    expect(w.fake.webhooks.all()).toHaveLength(1);
    expect(w.fake.webhooks.get(hook.id)!.health.status).toBe("active");
    expect(w.fake.requests.count({ method: "POST", path: /webhook$/ })).toBe(1);
    expect((await bindingRow(w.bindingId)).webhookId).toBe(hook.id);

    // Registered before flowbot kept tags, priority and comments: the next backfill adds those events.
    hook.events = ["taskCreated", "taskUpdated", "taskDeleted", "taskStatusUpdated", "taskMoved"];
    await backfillBinding(w.deps(), w.bindingId);
    expect(w.fake.webhooks.get(hook.id)!.events).toEqual(
      expect.arrayContaining(["taskTagUpdated", "taskPriorityUpdated", "taskCommentPosted"]),
    );
    const [updated] = await database.db.select().from(clickupWebhooks).where(eq(clickupWebhooks.id, hook.id));
    expect(updated!.events).toContain("taskCommentUpdated");
    expect(w.fake.webhooks.all()).toHaveLength(1);
  });

  it("creates a new webhook when ClickUp no longer lists the binding's one", async () => {
    const w = await setup();
    await backfillBinding(w.deps(), w.bindingId);
    const first = (await bindingRow(w.bindingId)).webhookId!;
    w.fake.state.webhooks.delete(first);
    await backfillBinding(w.deps(), w.bindingId);
    const second = (await bindingRow(w.bindingId)).webhookId!;
    expect(second).not.toBe(first);
    expect(w.fake.webhooks.all().map((h) => h.id)).toEqual([second]);
  });

  it("without PUBLIC_URL registers no webhook and warns that live updates are off", async () => {
    const w = await setup();
    w.addTasks(3);
    const result = await backfillBinding(w.deps({ publicUrl: undefined }), w.bindingId);
    expect(result).toMatchObject({ status: "synced", warning: NO_PUBLIC_URL_WARNING });
    expect(w.fake.webhooks.all()).toHaveLength(0);
    const b = await bindingRow(w.bindingId);
    expect(b.webhookId).toBeNull();
    expect(b.warning).toMatch(/PUBLIC_URL/);
  });
});

describe("backfill: the task fields flowbot keeps", () => {
  /** A space binding whose tasks carry every kept field, defined at list, folder and space level. */
  async function fieldsWorld() {
    const w = await setup();
    const bug = w.fake.addCustomTaskType(w.team.id, { name: "Bug", id: 1002 });
    // On the list: the space's fields endpoint does not list it, the task payloads carry it.
    const kind = w.fake.defineCustomField({
      listId: w.list.id,
      type: "drop_down",
      name: "Kind",
      options: ["Bug", "Feature"],
    });
    const blocked = w.fake.defineCustomField({ folderId: w.folder.id, type: "checkbox", name: "Blocked" });
    const area = w.fake.defineCustomField({
      spaceId: w.space.id,
      type: "labels",
      name: "Area",
      options: ["api", "ui"],
    });
    const note = w.fake.defineCustomField({ spaceId: w.space.id, type: "short_text", name: "Note" });
    const [ui, api] = [area.options[1]!.id, area.options[0]!.id];
    const other = w.fake.addTask({ listId: w.inbox.id, name: "Other", emit: false });
    const task = w.fake.addTask({
      listId: w.list.id,
      name: "Fields",
      tags: ["Customer", "bug"],
      priority: "high",
      customItemId: bug.id,
      customFields: { [kind.id]: "Feature", [blocked.id]: true, [area.id]: ["ui", "api"], [note.id]: "x" },
      emit: false,
    });
    w.fake.addDependency(task.id, other.id, { at: w.clock.now() + 60_000 });
    return { ...w, task, other, kind, blocked, area, note, ui, api, bug };
  }

  const caseOf = async (bindingId: number, taskId: string) =>
    (
      await database.db
        .select()
        .from(trackedCases)
        .where(and(eq(trackedCases.bindingId, bindingId), eq(trackedCases.taskId, taskId)))
    )[0]!;

  it("stores tags, priority, type, drop-down, labels, checkbox, waiting-on and home list, and the definitions", async () => {
    const w = await fieldsWorld();
    const result = await backfillBinding(w.deps(), w.bindingId);
    expect(result).toMatchObject({ status: "synced", tasks: 2 });
    const kase = await caseOf(w.bindingId, w.task.id);
    expect(kase).toMatchObject({
      tags: ["bug", "customer"],
      priority: "high",
      taskTypeId: 1002,
      waitingOn: [w.other.id],
      homeListId: w.list.id,
    });
    // The text field is not kept; the rest by field id, options by id (never by position or name).
    expect(kase.fieldValues).toEqual(
      [
        { fieldId: w.kind.id, kind: "drop_down", optionIds: [w.kind.options[1]!.id] },
        { fieldId: w.blocked.id, kind: "checkbox", checked: true },
        { fieldId: w.area.id, kind: "labels", optionIds: [w.api, w.ui].sort() },
      ].sort((a, b) => (a.fieldId < b.fieldId ? -1 : 1)),
    );
    // Activity (docs/flow-metrics.md §8.3): the dependency moved date_updated, the last change recorded.
    expect(kase.lastActivityAt).toEqual(kase.dateUpdated);
    expect(kase.dateUpdated.getTime()).toBe(w.clock.now() + 60_000);
    expect(await caseOf(w.bindingId, w.other.id)).toMatchObject({
      tags: [],
      priority: null,
      taskTypeId: 0,
      fieldValues: [],
      waitingOn: [],
      homeListId: w.inbox.id,
    });

    // The space's endpoint lists Area (and Note); Kind and Blocked come from the task payloads.
    const definitions = await loadFieldDefinitions(database.db, w.bindingId);
    expect(definitions.map((d) => d.name).sort()).toEqual(["Area", "Blocked", "Kind"]);
    expect(definitions.find((d) => d.fieldId === w.kind.id)?.options.map((o) => o.name)).toEqual([
      "Bug",
      "Feature",
    ]);
    const types = await loadTaskTypes(database.db, w.connection.id);
    expect(types).toEqual([{ id: 1002, name: "Bug" }]);
    expect(taskTypeName(kase.taskTypeId, types)).toBe("Bug");
    // Two reads per run, whatever the number of tasks.
    expect(w.fake.requests.count({ path: /\/field$/ })).toBe(1);
    expect(w.fake.requests.count({ path: /\/custom_item$/ })).toBe(1);
  });

  it("refreshes the definitions on the next backfill: a renamed field follows, a deleted one degrades to (unknown field)", async () => {
    const w = await fieldsWorld();
    await backfillBinding(w.deps(), w.bindingId);
    w.fake.renameCustomField(w.area.id, "Component");
    w.fake.deleteCustomField(w.kind.id);
    w.clock.advance(60_000);
    expect(await backfillBinding(w.deps(), w.bindingId)).toMatchObject({ status: "synced" });
    const definitions = await loadFieldDefinitions(database.db, w.bindingId);
    expect(definitions.map((d) => d.name).sort()).toEqual(["Blocked", "Component"]);
    expect(fieldLabel(w.area.id, definitions)).toMatchObject({ name: "Component", known: true });
    expect(fieldLabel(w.kind.id, definitions)).toMatchObject({ name: UNKNOWN_FIELD, known: false });
    // ClickUp dropped the deleted field's values with it.
    const kase = await caseOf(w.bindingId, w.task.id);
    expect(kase.fieldValues.map((v) => v.fieldId)).not.toContain(w.kind.id);
  });

  it("backfills when the definitions or task types cannot be read, keeping the cached ones and saying so in the log", async () => {
    const w = await fieldsWorld();
    await saveFieldDefinitions(
      database.db,
      w.bindingId,
      [{ fieldId: "cached-field", name: "Cached", kind: "checkbox", options: [] }],
      new Date(w.clock.now()),
    );
    const before = logs.lines.length;
    w.fake.faults.failWhen((req) =>
      /\/field$|\/custom_item$/.test(req.path)
        ? { status: 401, body: { err: "no", ECODE: "OAUTH_027" } }
        : false,
    );
    const result = await backfillBinding(w.deps(), w.bindingId);
    w.fake.faults.clear();
    expect(result).toMatchObject({ status: "synced", tasks: 2 });
    expect((await caseOf(w.bindingId, w.task.id)).tags).toEqual(["bug", "customer"]);
    const warnings = logs.lines.slice(before).map((l) => l.msg);
    expect(warnings).toContain(
      "could not read the container's custom field definitions; the cached ones stay",
    );
    expect(warnings).toContain("could not read the workspace's custom task types; the cached ones stay");
    // Nothing said the cached field is gone; the payloads' definitions are added to it.
    const names = (await loadFieldDefinitions(database.db, w.bindingId)).map((d) => d.name).sort();
    expect(names).toEqual(["Area", "Blocked", "Cached", "Kind"]);
  });
});

describe("storePage", () => {
  it("never puts a case back to an older state than one already stored (a page read before a live update)", async () => {
    const w = await setup();
    const [task] = w.addTasks(1);
    const before = await w.client.getTask(task!.id);
    w.clock.advance(60_000);
    w.fake.setTaskStatus(task!.id, "in progress", { at: w.clock.now() });
    const after = await w.client.getTask(task!.id);
    expect(after.date_updated).toBeGreaterThan(before.date_updated);
    const page = (t: typeof before, page: number) => ({
      bindingId: w.bindingId,
      tasks: [t],
      timings: null,
      checkpoint: { pass: "active" as const, page },
    });
    // The newer state lands first (e.g. applied from a webhook), then the stale page.
    await storePage(database.sql, page(after, 0));
    await storePage(database.sql, page(before, 1));
    const [row] = await database.db
      .select()
      .from(trackedCases)
      .where(and(eq(trackedCases.bindingId, w.bindingId), eq(trackedCases.taskId, task!.id)));
    expect(row!.statusName).toBe("in progress");
    expect(row!.dateUpdated.getTime()).toBe(after.date_updated);
    // The checkpoint still moves on with the page.
    expect((await bindingRow(w.bindingId)).backfillCheckpoint).toEqual({ pass: "active", page: 1 });
  });
});
