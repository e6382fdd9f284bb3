import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PostDigestDeps } from "../../src/slack/digest/post-digest.ts";
import { recordTransition } from "../../src/sync/timeline/index.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import {
  type App,
  addTask,
  CHANNEL,
  DAY,
  digestDeps,
  MEMBER,
  runDigest,
  STATUSES,
  type Status,
  seedProject,
  startApp,
} from "./digest-test-kit.ts";

// The three ageing signals in the digest, end to end (docs/flow-metrics.md §8.4–§8.5): posted through the
// Slack fake with their reasons, each alerted once — over SLE per rung, stuck per visit, stalled per quiet
// period — and silenced by a snooze. Zone UTC, calendar clock, now = Thu 19 Mar 2026 12:00.
//
// History (§8.4): seven tasks finished in the window with §4.8's cycle times 1.0, 2.5, 3.0, 4.0, 6.0, 8.2
// and 15.0 d (p70 6.0, SLE 8.2, p95 15.0, 2×SLE 16.4) and "review" times 0.25, 0.5, 1.0, 1.0, 1.5, 2.0, 4.0
// (review's stuck limit: 2.0 d); only three entered QA (its limit: the project's rule, the SLE, 8.2 d).

const QA: Status = { name: "QA", type: "custom", orderindex: 3 };
const { doing, review, blocked, done } = STATUSES;
const NOW = Date.parse("2026-03-19T12:00:00Z");
const HOUR = 3_600_000;
const at = (iso: string) => new Date(`${iso}Z`);

let now = NOW;
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
    elements?: { action_id: string; value?: string }[];
  }[];
};

beforeAll(async () => {
  db = await createTestDatabase();
  app = await startApp({ databaseUrl: db.url, now: () => now });
  deps = digestDeps(app, () => now);
  ({ projectId, bindingId } = await seedProject(app.sql));
  const start = Date.parse("2026-02-02T09:00:00Z");
  const history: [Status, number][][] = [
    [
      [doing, 0],
      [review, 0.75],
      [done, 1.0],
    ],
    [
      [doing, 0],
      [review, 2.0],
      [done, 2.5],
    ],
    [
      [doing, 0],
      [review, 0.5],
      [doing, 0.75],
      [review, 2.25],
      [done, 3.0],
    ],
    [
      [doing, 0],
      [review, 3.0],
      [done, 4.0],
    ],
    [
      [doing, 0],
      [review, 2.0],
      [QA, 3.5],
      [done, 6.0],
    ],
    [
      [doing, 0],
      [review, 1.0],
      [QA, 3.0],
      [done, 8.2],
    ],
    [
      [doing, 0],
      [review, 5.0],
      [QA, 9.0],
      [done, 15.0],
    ],
  ];
  for (const [i, path] of history.entries()) {
    const s = start + i * 2 * DAY;
    await addTask(app.sql, bindingId, {
      name: `Shipped ${i + 1}`,
      createdAt: new Date(s - DAY),
      path: path.map(([status, d]) => [status, new Date(s + d * DAY)]),
    });
  }
  const wip = async (key: string, created: string, path: [Status, string][]) => {
    tasks[key] = await addTask(app.sql, bindingId, {
      name: `Task ${key}`,
      createdAt: at(created),
      path: path.map(([status, when]) => [status, at(when)]),
    });
  };
  // W1: review 0.5 d, then review again since Tue 17 Mar 12:00: 2.5 d in review; aged 10.1 d.
  await wip("W1", "2026-03-09T08:00:00", [
    [review, "2026-03-09T09:00:00"],
    [doing, "2026-03-09T21:00:00"],
    [review, "2026-03-17T12:00:00"],
  ]);
  // W2: QA since Mon 16 Mar 12:00 (3.0 d, under the rule); aged 7.1 d: at risk only.
  await wip("W2", "2026-03-12T08:00:00", [
    [doing, "2026-03-12T09:00:00"],
    [QA, "2026-03-16T12:00:00"],
  ]);
  // W3: QA since Tue 10 Mar 00:00 — 9.5 d, over the rule; aged 10.1 d; quiet 7.5 working days: all three.
  await wip("W3", "2026-03-09T08:00:00", [
    [doing, "2026-03-09T09:00:00"],
    [QA, "2026-03-10T00:00:00"],
  ]);
  // S1: blocked since Wed 11 Mar 10:00 and nothing since: 6.083 working days quiet (stalled), aged 8.1 d
  // (at risk), 8.1 d in blocked (under the rule of 8.2 d: blocked has no history).
  await wip("S1", "2026-03-11T09:00:00", [[blocked, "2026-03-11T10:00:00"]]);
  // S2: blocked since Wed 11 Mar 16:00 (aged 7.8 d: at risk), with a comment on Thu 12 Mar 15:00: 4.875
  // working days quiet, stalled from Thu 19 Mar 15:00.
  await wip("S2", "2026-03-11T09:00:00", [[blocked, "2026-03-11T16:00:00"]]);
  await app.sql`update tracked_cases set last_activity_at = ${at("2026-03-12T15:00:00")} where id = ${tasks.S2!.caseId}`;
});
afterAll(async () => {
  await app?.flowbot.stop();
  await db?.drop();
});

const lastMessage = () => app.slack.messages(CHANNEL).at(-1) as Message;
const taskText = (m: Message, key: string) =>
  m.blocks!.find((b) => b.block_id === `task:${tasks[key]!.caseId}`)?.text?.text;
const shown = (m: Message) =>
  Object.keys(tasks)
    .filter((key) => taskText(m, key) !== undefined)
    .sort();
/** True when the message says nothing of ageing, stuck, stalled or at-risk tasks (a blocked list only). */
const onlyBlocked = (m: Message) =>
  ["Ageing past", "Stuck", "Stalled", "At risk"].every((title) => section(m, title).length === 0) &&
  !/\*(Stuck|Stalled):\*/.test(JSON.stringify(m.blocks)) &&
  /blocked for/.test(JSON.stringify(m.blocks));
/** The task keys listed under the section whose title starts with `title`. */
function section(m: Message, title: string): string[] {
  const blocks = m.blocks!;
  const start = blocks.findIndex((b) => b.type === "section" && !b.block_id && b.text?.text.includes(title));
  if (start < 0) return [];
  const keys: string[] = [];
  for (const b of blocks.slice(start + 1)) {
    if (b.type === "section" && !b.block_id) break;
    const key = Object.keys(tasks).find((k) => b.block_id === `task:${tasks[k]!.caseId}`);
    if (key) keys.push(key);
  }
  return keys.sort();
}
const alertsOf = async (key: string, kind: string) =>
  (
    await app.sql<{ threshold: string }[]>`
      select threshold from alert_log where case_id = ${tasks[key]!.caseId} and kind = ${kind} order by id`
  ).map((r) => r.threshold);

async function move(key: string, from: Status, to: Status, when: number, item: string) {
  await recordTransition(app.sql, {
    caseId: tasks[key]!.caseId,
    fromStatus: from.name,
    fromType: from.type,
    fromOrderindex: from.orderindex,
    toStatus: to.name,
    toType: to.type,
    toOrderindex: to.orderindex,
    occurredAt: new Date(when),
    actorId: 3,
    actorName: "Max",
    source: "webhook",
    historyItemId: item,
  });
}

async function snooze3Days(message: Message, key: string) {
  const actions = message.blocks!.find((b) => b.block_id === `task_actions:${tasks[key]!.caseId}`)!;
  const value = actions.elements!.find((e) => e.action_id === "digest_snooze_3d")!.value;
  const before = app.slack.ephemerals().length;
  const res = await app.interact(
    {
      type: "block_actions",
      trigger_id: app.slack.issueTriggerId({ userId: MEMBER }),
      channel: { id: CHANNEL, name: "project" },
      container: { type: "message", message_ts: message.ts, channel_id: CHANNEL },
      message: { ts: message.ts, text: message.text, blocks: message.blocks },
      actions: [
        { type: "button", action_id: "digest_snooze_3d", block_id: actions.block_id, value, action_ts: "1" },
      ],
    },
    MEMBER,
  );
  expect(res.status).toBe(200);
  await expect.poll(() => app.slack.ephemerals().length).toBe(before + 1);
  return app.slack.ephemerals().at(-1)!;
}

describe("the digest's ageing signals", () => {
  it("names every signal a task newly carries, each with its reason (§8.5)", async () => {
    expect(await runDigest(deps, projectId, now)).toMatchObject({ outcome: "posted" });
    const m = lastMessage();
    expect(shown(m)).toEqual(["S1", "S2", "W1", "W2", "W3"]);
    // Each task once, under its first signal: ageing, stuck, stalled, at risk.
    expect(section(m, "Ageing past the threshold")).toEqual(["W1", "W3"]);
    expect(section(m, "Stuck in a status")).toEqual([]);
    expect(section(m, "Stalled")).toEqual(["S1"]);
    expect(section(m, "At risk")).toEqual(["S2", "W2"]);
    expect(JSON.stringify(m.blocks)).toContain("*Stalled* — no activity for 5 working days or more");

    const w1 = taskText(m, "W1")!;
    expect(w1).toContain("Age *10.1 d*, past the 85th percentile, the SLE (8.2 d) · review for 2.0 d");
    expect(w1).toContain(
      ":stopwatch: *Stuck:* 2.5 d in review (2 visits), over review's 85th percentile of 2.0 d",
    );
    expect(w1).not.toContain("Stalled");
    const w3 = taskText(m, "W3")!;
    expect(w3).toContain("past the 85th percentile, the SLE (8.2 d) · QA for 9.5 d");
    expect(w3).toContain("*Stuck:* 9.5 d in QA, over the project's rule of 8.2 d");
    expect(w3).toContain(":zzz: *Stalled:* no activity for 7.5 working days, since <!date^");
    const s1 = taskText(m, "S1")!;
    expect(s1).toContain("Age *8.1 d*, past the 70th percentile (6 d) · blocked for 8.1 d");
    expect(s1).toContain("*Stalled:* no activity for 6.1 working days");
    expect(s1).not.toContain("Stuck");
    expect(taskText(m, "W2")).not.toMatch(/Stuck|Stalled/);
    expect(taskText(m, "S2")).not.toMatch(/Stuck|Stalled/);
    expect(m.text).toMatch(/^Flow digest: 2 ageing, 1 stalled, 2 at risk, \d+ rework, 2 blocked\./);

    // What was alerted, per kind: the rung, the visit (status key and its start), the quiet period.
    expect(await alertsOf("W1", "ageing")).toEqual(["p85"]);
    expect(await alertsOf("W1", "stuck")).toEqual(["review@2026-03-17T12:00:00.000Z"]);
    expect(await alertsOf("W3", "stuck")).toEqual(["qa@2026-03-10T00:00:00.000Z"]);
    expect(await alertsOf("W3", "stalled")).toEqual(["2026-03-10T00:00:00.000Z"]);
    expect(await alertsOf("S1", "stalled")).toEqual(["2026-03-11T10:00:00.000Z"]);
    expect(await alertsOf("S2", "stalled")).toEqual([]);
  });

  it("alerts a stalled task once its quiet time reaches N, and nothing twice", async () => {
    now = NOW + 3 * HOUR; // Thu 19 Mar 15:00: S2 has been quiet exactly five working days.
    expect(await runDigest(deps, projectId, now)).toMatchObject({ outcome: "posted", alerts: 3 });
    const m = lastMessage();
    // S1 has just passed the SLE, and 8.2 d in blocked: it alerts for those, not again as stalled.
    expect(section(m, "Ageing past the threshold")).toEqual(["S1"]);
    expect(taskText(m, "S1")).toContain("*Stuck:* 8.2 d in blocked, over the project's rule of 8.2 d");
    expect(taskText(m, "S1")).not.toContain("Stalled");
    expect(section(m, "Stalled")).toEqual(["S2"]);
    expect(taskText(m, "S2")).toContain("*Stalled:* no activity for 5.0 working days");
    expect(taskText(m, "S2")).not.toContain("past the");
    expect(await alertsOf("S2", "stalled")).toEqual(["2026-03-12T15:00:00.000Z"]);
    now += 60_000;
    // Nothing alerts again; the digest still lists what is blocked now (§9.4), and only that.
    expect(await runDigest(deps, projectId, now)).toMatchObject({ outcome: "posted", alerts: 0 });
    expect(onlyBlocked(lastMessage())).toBe(true);
  });

  it("a snoozed task carries no signal; after the snooze a new visit to its status alerts again", async () => {
    const first = app.slack.messages(CHANNEL)[0] as Message;
    expect((await snooze3Days(first, "W1")).text).toContain("no digest alerts for it");
    const snoozedAt = now;
    // W1 leaves review and comes back: a new visit, already past review's limit (2.58 d before it).
    await move("W1", review, doing, now + 60 * 60_000, "w1-out");
    await move("W1", doing, review, now + 90 * 60_000, "w1-back");
    // S1 gets a comment: its quiet period ends.
    await app.sql`update tracked_cases set last_activity_at = ${new Date(now + 30 * 60_000)} where id = ${tasks.S1!.caseId}`;
    now = Date.parse("2026-03-20T12:00:00Z");
    expect(await runDigest(deps, projectId, now)).toMatchObject({ outcome: "posted" });
    // S2 has passed the SLE, and 8.2 d in blocked; W1, snoozed, says nothing.
    expect(shown(lastMessage())).toEqual(["S2"]);
    expect(taskText(lastMessage(), "S2")).toContain(
      "*Stuck:* 8.8 d in blocked, over the project's rule of 8.2 d",
    );

    // The snooze ends (3 days after it was set); W1 alerts for the new visit — and, as after any
    // snooze, at its current rung again.
    now = snoozedAt + 3 * DAY + HOUR;
    expect(await runDigest(deps, projectId, now)).toMatchObject({ outcome: "posted" });
    const w1 = taskText(lastMessage(), "W1")!;
    expect(w1).toContain("past the 85th percentile, the SLE (8.2 d)");
    expect(w1).toMatch(
      /\*Stuck:\* \d+\.\d d in review \(3 visits\), over review's 85th percentile of 2\.0 d/,
    );
    expect(await alertsOf("W1", "stuck")).toEqual([
      "review@2026-03-17T12:00:00.000Z",
      `review@${new Date(snoozedAt + 90 * 60_000).toISOString()}`,
    ]);
    expect(taskText(lastMessage(), "S1")).toBeUndefined();
  });

  it("any activity starts a new quiet period, which alerts again once it reaches N", async () => {
    // S1's comment was on Thu 19 Mar 15:31; five working days later is Thu 26 Mar 15:31.
    now = Date.parse("2026-03-26T15:00:00Z");
    await runDigest(deps, projectId, now);
    expect(taskText(lastMessage(), "S1") ?? "").not.toContain("Stalled");
    now = Date.parse("2026-03-26T16:00:00Z");
    expect(await runDigest(deps, projectId, now)).toMatchObject({ outcome: "posted" });
    expect(taskText(lastMessage(), "S1")).toContain("*Stalled:* no activity for 5.0 working days");
    expect(await alertsOf("S1", "stalled")).toEqual(["2026-03-11T10:00:00.000Z", "2026-03-19T15:31:00.000Z"]);
  });

  it("a signal switched off in settings says nothing", async () => {
    await app.sql`
      insert into signal_settings (project_id, over_sle_on, stuck_on, stalled_on)
      values (${projectId}, false, false, false)`;
    await app.sql`delete from alert_log`;
    now += 60_000;
    // Every alert is forgotten, yet no signal speaks: the digest lists only what is blocked now (§9.4).
    expect(await runDigest(deps, projectId, now)).toMatchObject({ outcome: "posted", alerts: 0 });
    expect(onlyBlocked(lastMessage())).toBe(true);
  });
});
