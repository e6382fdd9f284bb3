import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PostDigestDeps } from "../../src/slack/digest/post-digest.ts";
import { createSlackUserDirectory } from "../../src/slack/digest/slack-user-directory.ts";
import { recordTransition } from "../../src/sync/timeline/index.ts";
import { webClientFor } from "../fakes/slack/index.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import {
  ADMIN,
  type App,
  addTask,
  CHANNEL,
  DAY,
  digestDeps,
  MEMBER,
  runDigest,
  STATUSES,
  seedFinishedHistory,
  seedProject,
  startApp,
} from "./digest-test-kit.ts";

// The alert ladder over a series of digests, with the clock moving forward: p70 (at risk) → p85 (the SLE,
// ageing) → p95 → twice the SLE; dedupe through alert_log; both snooze buttons clicked in Slack.
// Finished history gives p70 = 14, p85 = 17, p95 = 19 and 2×SLE = 34 days (see seedFinishedHistory).

const T0 = Date.UTC(2026, 10, 23, 9, 0);
let now = T0;
let db: TestDatabase;
let app: App;
let deps: PostDigestDeps;
let projectId: number;
let bindingId: number;
const tasks: Record<string, { caseId: number; url: string }> = {};

type Message = {
  ts: string;
  text?: string;
  blocks?: {
    type: string;
    block_id?: string;
    text?: { text: string };
    elements?: { action_id: string; value?: string; url?: string }[];
  }[];
};

beforeAll(async () => {
  db = await createTestDatabase();
  app = await startApp({ databaseUrl: db.url, now: () => now });
  deps = digestDeps(app, () => now);
  ({ projectId, bindingId } = await seedProject(app.sql, { signals: "over SLE only" }));
  await seedFinishedHistory(app.sql, bindingId, T0);
  const wip = async (
    key: string,
    ageDays: number,
    assignees: { id: number; username: string; email: string | null }[] = [],
  ) => {
    tasks[key] = await addTask(app.sql, bindingId, {
      name: `Task ${key}`,
      createdAt: new Date(T0 - 60 * DAY),
      path: [[STATUSES.doing, new Date(T0 - ageDays * DAY)]],
      assignees,
    });
  };
  await wip("A", 15, [
    { id: 1, username: "Ada", email: "ADA@example.com" },
    { id: 2, username: "Zed <ext>", email: "zed@elsewhere.example" },
  ]);
  await wip("B", 18, [{ id: 3, username: "Max", email: "max@example.com" }]);
  await wip("C", 20.5);
  await wip("D", 40);
  await wip("E", 5);
});
afterAll(async () => {
  await app?.flowbot.stop();
  await db?.drop();
});

const lastMessage = () => app.slack.messages(CHANNEL).at(-1) as Message;
const taskText = (m: Message, key: string) =>
  m.blocks!.find((b) => b.block_id === `task:${tasks[key]!.caseId}`)?.text?.text;
const alertedKeys = (m: Message) =>
  Object.keys(tasks)
    .filter((key) => taskText(m, key) !== undefined)
    .sort();

async function click(
  message: Message,
  key: string,
  actionId: "digest_snooze_3d" | "digest_snooze_moves",
  user = MEMBER,
) {
  const actions = message.blocks!.find((b) => b.block_id === `task_actions:${tasks[key]!.caseId}`)!;
  const button = actions.elements!.find((e) => e.action_id === actionId)!;
  const before = app.slack.ephemerals().length;
  const res = await app.interact(
    {
      type: "block_actions",
      trigger_id: app.slack.issueTriggerId({ userId: user }),
      channel: { id: CHANNEL, name: "project" },
      container: { type: "message", message_ts: message.ts, channel_id: CHANNEL },
      message: { ts: message.ts, text: message.text, blocks: message.blocks },
      actions: [
        {
          type: "button",
          action_id: actionId,
          block_id: actions.block_id,
          value: button.value,
          action_ts: "1",
        },
      ],
    },
    user,
  );
  expect(res.status).toBe(200);
  await expect.poll(() => app.slack.ephemerals().length).toBe(before + 1);
  return app.slack.ephemerals().at(-1)!;
}

describe("digest alerts", () => {
  it("first digest: each task at its highest rung, with headline, mentions by email and buttons", async () => {
    const result = await runDigest(deps, projectId, now);
    expect(result).toMatchObject({ outcome: "posted", channelId: CHANNEL, alerts: 4 });
    const message = lastMessage();
    expect(alertedKeys(message)).toEqual(["A", "B", "C", "D"]);
    expect(taskText(message, "D")).toContain("past twice the SLE (34 d)");
    expect(taskText(message, "C")).toContain("past the 95th percentile (19 d)");
    expect(taskText(message, "B")).toContain("past the 85th percentile, the SLE (17 d)");
    expect(taskText(message, "A")).toContain("past the 70th percentile (14 d)");
    // Ageing list first (oldest first), then at risk.
    const order = message.blocks!.filter((b) => b.block_id?.startsWith("task:")).map((b) => b.block_id);
    expect(order).toEqual(["D", "C", "B", "A"].map((k) => `task:${tasks[k]!.caseId}`));
    const text = JSON.stringify(message.blocks);
    expect(text).toContain("Ageing past the threshold* (3)");
    expect(text).toContain("At risk* — past the 70th percentile (1)");
    expect(text).toContain("WIP 5 · throughput 2 in the last 7 days · SLE 85% within 17.0 d");
    // Shipped 19 and 20 finished 6 and 5 days ago. Ada's ClickUp email matches a Slack user (case-insensitively); Zed's does not, so by name, escaped.
    expect(taskText(message, "A")).toContain(`<@${ADMIN}>, Zed &lt;ext&gt;`);
    expect(taskText(message, "B")).toContain(`<@${MEMBER}>`);
    expect(taskText(message, "C")).toContain("_unassigned_");
    const buttons = message.blocks!.find((b) => b.block_id === `task_actions:${tasks.A!.caseId}`)!.elements!;
    expect(buttons.map((b) => b.action_id)).toEqual([
      "digest_open",
      "digest_snooze_3d",
      "digest_snooze_moves",
    ]);
    expect(buttons[0]!.url).toBe(tasks.A!.url);
    expect(await app.sql`select threshold from alert_log where kind = 'ageing' order by case_id`).toEqual(
      ["B", "C", "D", "A"]
        .map((k) => ({
          caseId: tasks[k]!.caseId,
          threshold: { A: "p70", B: "p85", C: "p95", D: "2xsle" }[k],
        }))
        .sort((a, b) => a.caseId - b.caseId)
        .map(({ threshold }) => ({ threshold })),
    );
  });

  it("does not alert the same rung twice: an immediate second digest has nothing to say and posts nothing", async () => {
    const before = app.slack.messages(CHANNEL).length;
    expect(await runDigest(deps, projectId, now + 60_000)).toEqual({ outcome: "quiet" });
    expect(app.slack.messages(CHANNEL)).toHaveLength(before);
  });

  it("alerts again when a task climbs to the next rung (B: p85 → p95), and reports new rework once", async () => {
    await addTask(app.sql, bindingId, {
      name: "Task F",
      createdAt: new Date(T0 - 5 * DAY),
      path: [
        [STATUSES.doing, new Date(T0 - 3 * DAY)],
        [STATUSES.review, new Date(T0 - 2 * DAY)],
        [STATUSES.doing, new Date(T0 + DAY), "Max"],
      ],
    });
    now = T0 + 1.5 * DAY;
    expect(await runDigest(deps, projectId, now)).toMatchObject({ outcome: "posted", alerts: 2 });
    const message = lastMessage();
    expect(alertedKeys(message)).toEqual(["B"]);
    expect(taskText(message, "B")).toContain("past the 95th percentile (19 d)");
    const text = JSON.stringify(message.blocks);
    expect(text).toContain("Rework since the last digest* (1)");
    expect(text).toMatch(/Task F> flowed back: review → in progress by Max, <!date\^\d+\^/);
    expect(await runDigest(deps, projectId, now + 60_000)).toEqual({ outcome: "quiet" });
  });

  it("“Snooze 3 days” silences a task until the snooze ends, then it alerts at its current rung", async () => {
    const first = app.slack.messages(CHANNEL)[0] as Message;
    const confirm = await click(first, "A", "digest_snooze_3d");
    expect(confirm).toMatchObject({ channel: CHANNEL, user: MEMBER });
    expect(confirm.text).toContain("Snoozed *Task A* for 3 days");
    const [snooze] = await app.sql`select until, until_status_changes_from, created_by from snoozes`;
    expect(snooze).toMatchObject({ until_status_changes_from: null, created_by: MEMBER });
    expect(Date.parse(String(snooze!.until))).toBe(now + 3 * DAY);

    now = T0 + 3 * DAY; // A is 18 days old: past p85, but snoozed until T0 + 4.5 days.
    expect(await runDigest(deps, projectId, now)).toEqual({ outcome: "quiet" });
    now = T0 + 5 * DAY; // A is 20 days old: past p95, and the snooze is over.
    expect(await runDigest(deps, projectId, now)).toMatchObject({ outcome: "posted" });
    expect(alertedKeys(lastMessage())).toEqual(["A"]);
    expect(taskText(lastMessage(), "A")).toContain("past the 95th percentile");
    expect(await app.sql`select count(*)::int as n from snoozes`).toEqual([{ n: 0 }]);
  });

  it("“Snooze until it moves” holds while the task stays in its status, and ends when it moves", async () => {
    const third = app.slack.messages(CHANNEL)[1] as Message;
    const confirm = await click(third, "B", "digest_snooze_moves");
    expect(confirm.text).toContain("Snoozed *Task B* until it moves");
    expect(confirm.text).toContain("in progress");

    now = T0 + 17 * DAY; // B 35 d (past 2×SLE) but snoozed; C 37.5 d → 2×SLE; E 22 d → p95 directly.
    expect(await runDigest(deps, projectId, now)).toMatchObject({ outcome: "posted" });
    expect(alertedKeys(lastMessage())).toEqual(["C", "E"]);
    expect(taskText(lastMessage(), "C")).toContain("twice the SLE");
    expect(taskText(lastMessage(), "E")).toContain("95th percentile");

    await recordTransition(app.sql, {
      caseId: tasks.B!.caseId,
      fromStatus: STATUSES.doing.name,
      fromType: STATUSES.doing.type,
      fromOrderindex: STATUSES.doing.orderindex,
      toStatus: STATUSES.review.name,
      toType: STATUSES.review.type,
      toOrderindex: STATUSES.review.orderindex,
      occurredAt: new Date(now + 60_000),
      actorId: 3,
      actorName: "Max",
      source: "webhook",
      historyItemId: "B-moves",
    });
    now += 2 * 60_000;
    expect(await runDigest(deps, projectId, now)).toMatchObject({ outcome: "posted" });
    expect(alertedKeys(lastMessage())).toEqual(["B"]);
    expect(taskText(lastMessage(), "B")).toContain("twice the SLE");
    expect(taskText(lastMessage(), "B")).toContain("review for 0.0 d");
  });

  it("looks an email up in Slack once per six hours, misses included", async () => {
    let clock = T0;
    const directory = createSlackUserDirectory(webClientFor(app.slack), captureLogs().logger, () => clock);
    const calls = () => app.slack.callsTo("users.lookupByEmail").length;
    const before = calls();
    const emails = ["Ada@Example.com", "nobody@elsewhere.example", "ada@example.com"];
    expect(await directory.lookup(emails)).toEqual(new Map([["ada@example.com", ADMIN]]));
    expect(calls()).toBe(before + 2);
    clock += 5 * 60 * 60 * 1000;
    expect(await directory.lookup(emails)).toEqual(new Map([["ada@example.com", ADMIN]]));
    expect(calls()).toBe(before + 2);
    clock += 2 * 60 * 60 * 1000;
    await directory.lookup(emails);
    expect(calls()).toBe(before + 4);
  });

  it("a snooze button for a task of another workspace or a forged value changes nothing", async () => {
    const message = app.slack.messages(CHANNEL)[0] as Message;
    const forged = structuredClone(message);
    const actions = forged.blocks!.find((b) => b.block_id === `task_actions:${tasks.D!.caseId}`)!;
    for (const e of actions.elements!)
      if (e.value) e.value = JSON.stringify({ p: projectId + 99, c: tasks.D!.caseId });
    const answer = await click(forged, "D", "digest_snooze_3d");
    expect(answer.text).toContain("no longer tracked");
    expect(await app.sql`select count(*)::int as n from snoozes where case_id = ${tasks.D!.caseId}`).toEqual([
      { n: 0 },
    ]);
  });
});
