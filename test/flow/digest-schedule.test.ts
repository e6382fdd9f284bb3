import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scheduleDueDigests } from "../../src/flow/digest/schedule-due-digests.ts";
import { createSlackFake, type SlackFake } from "../fakes/slack/index.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import {
  ADMIN,
  type App,
  addTask,
  CHANNEL,
  DAY,
  STATUSES,
  seedFinishedHistory,
  seedProject,
  startApp,
} from "./digest-test-kit.ts";

// Two flowbot processes (each with its own graphile-worker) on one database, as in a multi-process deploy.
// The clock is pinned to Monday 23 November 2026, 08:01 UTC = 09:01 in Berlin = 13:31 in Kolkata.

const NOW = Date.UTC(2026, 10, 23, 8, 1);
let db: TestDatabase;
let slack: SlackFake;
let one: App;
let two: App;

beforeAll(async () => {
  db = await createTestDatabase();
  // The fake keeps real time, so the gaps between posts can be measured.
  slack = createSlackFake({
    users: [{ id: ADMIN, is_admin: true }],
    channels: [
      { id: CHANNEL, name: "project", is_member: true },
      { id: "C0SECOND", name: "second", is_member: true },
      { id: "C0SHARED", name: "shared", is_member: true },
      { id: "C0OUTSIDE", name: "outside", is_member: false },
    ],
  });
  [one, two] = await Promise.all([
    startApp({ databaseUrl: db.url, now: () => NOW, slack }),
    startApp({ databaseUrl: db.url, now: () => NOW, slack }),
  ]);
});
afterAll(async () => {
  await Promise.all([one?.flowbot.stop(), two?.flowbot.stop()]);
  await db?.drop();
});

/** A project whose digest has something to say: one task 30 days in progress, against a 17-day SLE. */
async function projectWithAgeingTask(channelId: string, settings: Record<string, unknown>) {
  const { projectId, bindingId } = await seedProject(one.sql, { channelId, settings });
  await seedFinishedHistory(one.sql, bindingId, NOW);
  await addTask(one.sql, bindingId, {
    name: `Old task in ${channelId}`,
    createdAt: new Date(NOW - 40 * DAY),
    path: [[STATUSES.doing, new Date(NOW - 30 * DAY)]],
  });
  return projectId;
}

const postsTo = (channel: string) =>
  slack.callsTo("chat.postMessage").filter((c) => c.args.channel === channel && c.status === 200);
const pendingJobs = async () =>
  (await one.sql<{ n: number }[]>`select count(*)::int as n from graphile_worker.jobs`)[0]!.n;

describe("scheduled digests", () => {
  it("claims a due time once however many schedulers race, and posts it once (Berlin 09:00)", async () => {
    const projectId = await projectWithAgeingTask(CHANNEL, {
      time_zone: "Europe/Berlin",
      digest_time: "09:00",
    });
    const runs = await Promise.all(
      Array.from({ length: 6 }, (_, i) => scheduleDueDigests((i % 2 ? two : one).flowbot.database, NOW)),
    );
    expect(runs.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await one.sql`select project_id::int, due_at from digest_runs`).toEqual([
      { project_id: projectId, due_at: new Date("2026-11-23T08:00:00Z") },
    ]);
    await expect.poll(() => postsTo(CHANNEL).length, { timeout: 10_000 }).toBe(1);
    expect(JSON.stringify(postsTo(CHANNEL)[0]!.args.blocks)).toContain("Old task in C0PROJECT");
    await expect
      .poll(async () => (await one.sql`select posted_at from digest_runs`)[0]!.posted_at)
      .not.toBeNull();
  });

  it("runs the schedule-digests job on both workers at once and still posts each due time once (Kolkata 13:31)", async () => {
    await projectWithAgeingTask("C0SECOND", { time_zone: "Asia/Kolkata", digest_time: "13:31" });
    await Promise.all(
      Array.from(
        { length: 4 },
        (_, i) => (i % 2 ? two : one).sql`select graphile_worker.add_job('schedule-digests', '{}'::json)`,
      ),
    );
    await expect.poll(() => postsTo("C0SECOND").length, { timeout: 10_000 }).toBe(1);
    await expect.poll(pendingJobs, { timeout: 10_000 }).toBe(0);
    await sleep(500);
    expect(postsTo("C0SECOND")).toHaveLength(1);
    expect(postsTo(CHANNEL)).toHaveLength(1);
  });

  it("paces digests that share a channel to about one message per second", async () => {
    const settings = { time_zone: "UTC", digest_time: "08:00", digest_channel_id: "C0SHARED" };
    await projectWithAgeingTask("C0THIRD", settings);
    await projectWithAgeingTask("C0FOURTH", settings);
    expect(await scheduleDueDigests(two.flowbot.database, NOW)).toBe(2);
    await expect.poll(() => postsTo("C0SHARED").length, { timeout: 10_000 }).toBe(2);
    const [first, second] = postsTo("C0SHARED");
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(900);
  });

  it("records a sync error and does not retry when flowbot is not in the digest channel", async () => {
    await projectWithAgeingTask("C0FIFTH", {
      time_zone: "UTC",
      digest_time: "07:55",
      digest_channel_id: "C0OUTSIDE",
    });
    const attempts = () =>
      slack.callsTo("chat.postMessage").filter((c) => c.args.channel === "C0OUTSIDE").length;
    expect(await scheduleDueDigests(one.flowbot.database, NOW)).toBe(1);
    await expect.poll(attempts, { timeout: 10_000 }).toBe(1);
    await expect.poll(pendingJobs, { timeout: 10_000 }).toBe(0);
    const errors = await one.sql`select code, message from sync_errors`;
    expect(errors).toEqual([
      {
        code: "digest_not_in_channel",
        message: expect.stringContaining("could not be posted to <#C0OUTSIDE>: flowbot is not a member"),
      },
    ]);
    expect(errors[0]!.message).toContain("/invite @flowbot");
    await sleep(500);
    expect(attempts()).toBe(1);
  });

  it("skips projects whose digest is off, whose workspace turned the module off, or not due today", async () => {
    await projectWithAgeingTask("C0OFF", { time_zone: "UTC", digest_time: "08:00", digest_enabled: false });
    await projectWithAgeingTask("C0SUNDAY", { time_zone: "UTC", digest_time: "08:00", digest_days: [7] });
    // Created after its 08:00 due time: the first digest is tomorrow's, not a late one today.
    await seedProject(one.sql, {
      channelId: "C0NEW",
      createdAt: new Date(NOW - 30_000),
      settings: { time_zone: "UTC", digest_time: "08:00" },
    });
    expect(await scheduleDueDigests(one.flowbot.database, NOW)).toBe(0);
    await one.sql`update projects set digest_enabled = true where channel_id = 'C0OFF'`;
    await one.sql`update connections set module_enabled = false`;
    expect(await scheduleDueDigests(one.flowbot.database, NOW)).toBe(0);
    await one.sql`update connections set module_enabled = true`;
    expect(await scheduleDueDigests(one.flowbot.database, NOW)).toBe(1);
  });
});
