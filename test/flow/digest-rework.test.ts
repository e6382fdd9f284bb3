import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeFlowReport } from "../../src/flow/metrics/index.ts";
import type { PostDigestDeps } from "../../src/slack/digest/post-digest.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import {
  type App,
  addTask,
  CHANNEL,
  DAY,
  digestDeps,
  runDigest,
  STATUSES,
  seedProject,
  startApp,
} from "./digest-test-kit.ts";

// The digest's rework list follows the report's rule (docs/flow-metrics.md §4.7, §5): only cases that still
// count, and a first digest covers the project's window and says so.

const T0 = Date.UTC(2026, 10, 23, 9, 0);
let now = T0;
let db: TestDatabase;
let app: App;
let deps: PostDigestDeps;

beforeAll(async () => {
  db = await createTestDatabase();
  app = await startApp({ databaseUrl: db.url, now: () => now });
  deps = digestDeps(app, () => now);
});
afterAll(async () => {
  await app?.flowbot.stop();
  await db?.drop();
});

type Message = { blocks?: { text?: { text: string } }[] };
const lastText = () => JSON.stringify((app.slack.messages(CHANNEL).at(-1) as Message).blocks);

/** A task that flowed back (review → in progress) `daysAgo` days before T0. */
const flowedBack = (bindingId: number, name: string, daysAgo: number) =>
  addTask(app.sql, bindingId, {
    name,
    createdAt: new Date(T0 - (daysAgo + 3) * DAY),
    path: [
      [STATUSES.doing, new Date(T0 - (daysAgo + 2) * DAY)],
      [STATUSES.review, new Date(T0 - (daysAgo + 1) * DAY)],
      [STATUSES.doing, new Date(T0 - daysAgo * DAY), "Max"],
    ],
  });

describe("the digest's rework list", () => {
  it("a first digest covers the project's window (not 7 days), and says which period it covers", async () => {
    const { projectId, bindingId } = await seedProject(app.sql, { signals: "over SLE only" });
    await app.sql`update projects set window_days = 30 where id = ${projectId}`;
    await flowedBack(bindingId, "Recent", 2);
    await flowedBack(bindingId, "Twenty days ago", 20);
    await flowedBack(bindingId, "Forty days ago", 40);

    expect(await runDigest(deps, projectId, now)).toMatchObject({ outcome: "posted" });
    const text = lastText();
    expect(text).toContain("Rework in the last 30 days* (2)");
    expect(text).toContain("Recent>");
    expect(text).toContain("Twenty days ago>");
    expect(text).not.toContain("Forty days ago");

    // The next digest reports only what is new since this one, and says so.
    await flowedBack(bindingId, "After the first digest", -0.5);
    now = T0 + DAY;
    expect(await runDigest(deps, projectId, now)).toMatchObject({ outcome: "posted" });
    const next = lastText();
    expect(next).toContain("Rework since the last digest* (1)");
    expect(next).toContain("After the first digest>");
    expect(next).not.toContain("Twenty days ago");
  });

  it("leaves out tasks moved out of the bound containers or deleted, as the report does", async () => {
    now = T0;
    const { projectId, bindingId } = await seedProject(app.sql, {
      channelId: "C0DIGEST",
      signals: "over SLE only",
    });
    await flowedBack(bindingId, "Still here", 1);
    const moved = await flowedBack(bindingId, "Moved away", 1);
    const deleted = await flowedBack(bindingId, "Deleted", 1);
    await app.sql`update tracked_cases set tracked = false where id = ${moved.caseId}`;
    await app.sql`update tracked_cases set deleted_at = ${new Date(T0).toISOString()}::timestamptz where id = ${deleted.caseId}`;

    const report = await computeFlowReport(app.flowbot.database.sql, projectId, { now: new Date(now) });
    expect(report.rework.events.map((e) => e.taskName)).toEqual(["Still here"]);

    expect(await runDigest(deps, projectId, now)).toMatchObject({ outcome: "posted" });
    const text = JSON.stringify((app.slack.messages("C0DIGEST").at(-1) as Message).blocks);
    expect(text).toContain("* (1)");
    expect(text).toContain("Still here>");
    expect(text).not.toContain("Moved away");
    expect(text).not.toContain("Deleted");
  });
});
