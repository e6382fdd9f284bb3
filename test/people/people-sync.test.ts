import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClickUpClient, createRateLimitRegistry, isClickUpError } from "../../src/clickup/index.ts";
import { loadSegmenter } from "../../src/flow/metrics/segments.ts";
import { readGoals } from "../../src/goals/read-goals.ts";
import { type EmailLookup, emailHash, refreshMembers } from "../../src/people/refresh-members.ts";
import { readTimeEntries } from "../../src/time-tracking/read-time-entries.ts";
import { trackedTime } from "../../src/time-tracking/tracked-time.ts";
import { createClickUpFake } from "../fakes/clickup/index.ts";
import { type App, addTask, DAY, STATUSES, seedProject, startApp, TEAM } from "../flow/digest-test-kit.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

// The reads of docs/clickup.md §17–§19 against the ClickUp fake, case by case, and docs/flow-metrics.md §15's
// worked example per segment.

const H = 3_600_000;
let now = Date.UTC(2026, 10, 20, 12);
let db: TestDatabase;
let app: App;
let projectId: number;
let bindingId: number;
let connection: { id: number; clickupTeamId: string; slackTeamId: string };

const clickup = createClickUpFake({ now: () => now });
const team = clickup.addWorkspace({ id: "9001", name: "Acme" });
// The token's owner is a plain member: ClickUp refuses it other users’ entries (§18.6).
const jane = clickup.addUser({
  username: "Jane",
  email: "jane@acme.example",
  token: "pk_jane",
  teamIds: [team.id],
});
const max = clickup.addUser({ username: "Max", email: "max@acme.example", teamIds: [team.id] });
const list = clickup.addList({ spaceId: clickup.addSpace({ teamId: team.id }).id, name: "Backlog" });
const client = createClickUpClient({
  baseUrl: "http://clickup.test/api",
  token: "pk_jane",
  fetch: clickup.fetch,
  rateLimits: createRateLimitRegistry(),
});

/** Looks up by a table the test edits, counting calls. */
const slackByEmail = new Map<string, string>([["jane@acme.example", "U0JANE"]]);
let lookups: string[] = [];
const slackUsers: EmailLookup = {
  async lookup(emails) {
    const found = new Map<string, string>();
    for (const e of emails) {
      lookups.push(e);
      const u = slackByEmail.get(e);
      if (u) found.set(e, u);
    }
    return found;
  },
};
const deps = () => ({ sql: app.sql, clickup: client, slackUsers, now: new Date(now) });

async function finished(name: string, cycleHours: number, priority: "high" | "low") {
  const task = clickup.addTask({ listId: list.id, name });
  const start = now - 10 * DAY;
  const { caseId } = await addTask(app.sql, bindingId, {
    name,
    createdAt: new Date(start - DAY),
    path: [
      [STATUSES.doing, new Date(start)],
      [STATUSES.done, new Date(start + cycleHours * H)],
    ],
  });
  await app.sql`update tracked_cases set task_id = ${task.id}, priority = ${priority} where id = ${caseId}`;
  return { task, start };
}

beforeAll(async () => {
  db = await createTestDatabase();
  app = await startApp({ databaseUrl: db.url, now: () => now });
  ({ projectId, bindingId } = await seedProject(app.sql));
  await app.sql`update bindings set container_id = ${list.id} where id = ${bindingId}`;
  const [row] = await app.sql<{ id: number }[]>`select id::int from connections`;
  connection = { id: row!.id, clickupTeamId: team.id, slackTeamId: TEAM };
});
afterAll(async () => {
  await app?.flowbot.stop();
  await db?.drop();
});

describe("members (§17)", () => {
  it("looks an email up again only when it changed, keeps none, and drops members who left", async () => {
    expect(await refreshMembers(deps(), connection)).toEqual({
      members: 2,
      matched: 1,
      unmatched: 1,
      gone: 0,
    });
    expect(lookups.sort()).toEqual(["jane@acme.example", "max@acme.example"]);
    // Nothing changed: only the unmatched member is asked about again.
    lookups = [];
    await refreshMembers(deps(), connection);
    expect(lookups).toEqual(["max@acme.example"]);
    // Jane's ClickUp address changes: her match is looked up again, and lost.
    lookups = [];
    clickup.state.users.get(jane.id)!.email = "jane.roe@acme.example";
    await refreshMembers(deps(), connection);
    expect(lookups.sort()).toEqual(["jane.roe@acme.example", "max@acme.example"]);
    const rows = await app.sql<{ id: string; slack: string | null; hash: string }[]>`
      select clickup_user_id::text as id, slack_user_id as slack, email_hash as hash from clickup_members order by 1`;
    expect(rows.find((r) => r.id === String(jane.id))).toEqual({
      id: String(jane.id),
      slack: null,
      hash: emailHash("Jane.Roe@acme.example"),
    });
    // Max leaves the workspace.
    const ws = clickup.state.workspaces.get(team.id)!;
    ws.members = ws.members.filter((m) => m.userId !== max.id);
    now += 1000;
    expect((await refreshMembers(deps(), connection)).gone).toBe(1);
    clickup.state.users.get(jane.id)!.email = "jane@acme.example";
    ws.members.push({ userId: max.id, role: 3, dateJoined: now });
    now += 1000;
    await refreshMembers(deps(), connection);
  });
});

describe("time entries (§18) and docs/flow-metrics.md §15", () => {
  it("reads without a request while nothing is tracked", async () => {
    const before = clickup.requests.count({ path: /time_entries/ });
    expect(await readTimeEntries(deps(), connection)).toEqual({
      entries: 0,
      running: 0,
      removed: 0,
      ownerOnly: false,
    });
    expect(clickup.requests.count({ path: /time_entries/ })).toBe(before);
  });

  it("computes §15's example per segment", async () => {
    await app.sql`insert into segment_settings (project_id, dimension, updated_by) values (${projectId}, 'priority', 'U0ADMIN')`;
    const b1 = await finished("B1", 48, "high");
    const b2 = await finished("B2", 24, "high");
    await finished("B3", 72, "high");
    const f1 = await finished("F1", 96, "low");
    // The token owner's entries only: a plain member may not ask for Max's.
    clickup.people.addTimeEntry({
      userId: jane.id,
      taskId: b1.task.id,
      start: b1.start + H,
      durationMs: 3 * H,
    });
    clickup.people.addTimeEntry({
      userId: jane.id,
      taskId: b1.task.id,
      start: b1.start + 9 * H,
      durationMs: 5 * H,
    });
    clickup.people.addTimeEntry({
      userId: jane.id,
      taskId: b2.task.id,
      start: b2.start + H,
      durationMs: 6 * H,
    });
    const timer = clickup.people.addTimeEntry({
      userId: jane.id,
      taskId: b2.task.id,
      start: now - H,
      running: true,
    });
    clickup.people.addTimeEntry({
      userId: jane.id,
      taskId: f1.task.id,
      start: f1.start + H,
      durationMs: 12 * H,
    });
    const hidden = clickup.people.addTimeEntry({
      userId: max.id,
      taskId: f1.task.id,
      start: f1.start,
      durationMs: H,
    });
    expect(await readTimeEntries(deps(), connection)).toEqual({
      entries: 5,
      running: 1,
      removed: 0,
      ownerOnly: true,
    });

    const window = { from: new Date(now - 30 * DAY), to: new Date(now) };
    const segmenter = await loadSegmenter(app.sql, projectId);
    const tracked = (await trackedTime(app.sql, projectId, window, { segmenter }))!;
    const share = (s: { share: number | null }) => Math.round(s.share! * 1000) / 10;
    expect(
      tracked.segments.map((s) => [s.segment, s.withTime, s.trackedHours, s.cycleHours, share(s), s.without]),
    ).toEqual([
      ["high", 2, 14, 72, 19.4, 1],
      ["low", 1, 12, 96, 12.5, 0],
    ]);
    expect(share(tracked.project)).toBe(15.5);
    expect(tracked.untracked.map((u) => u.name)).toEqual(["B3"]);

    // The timer stops at 1.5 h; the next read (from the cursor, back to the running timer's start) sees it.
    now += H;
    clickup.people.stopTimer(timer.id, timer.start + 1.5 * H);
    await readTimeEntries(deps(), connection);
    const again = (await trackedTime(app.sql, projectId, window, { segmenter }))!;
    expect(share(again.segments[0]!)).toBe(21.5);
    // Max's entry is not readable with a plain member's token.
    expect(await app.sql`select 1 from time_entries where entry_id = ${hidden.id}`).toHaveLength(0);
  });

  it("deletes an entry ClickUp no longer returns in the range read again", async () => {
    // The stopped timer started an hour before the last read: inside the overlap read again.
    const entry = clickup.people.store.timeEntries
      .filter((e) => e.userId === jane.id)
      .sort((a, b) => b.start - a.start)[0]!;
    clickup.people.deleteTimeEntry(entry.id);
    const maxRecent = clickup.people.addTimeEntry({
      userId: max.id,
      taskId: entry.taskId,
      start: now - 2 * H,
      durationMs: H,
    });
    // An owner-only read cannot tell a deleted entry from another user's: nothing is removed.
    now += H;
    expect(await readTimeEntries(deps(), connection)).toMatchObject({ removed: 0, ownerOnly: true });
    // Made an admin, the token reads everyone's entries: the deleted one goes, Max's recent one comes.
    clickup.state.workspaces.get(team.id)!.members.find((m) => m.userId === jane.id)!.role = 2;
    now += H;
    expect(await readTimeEntries(deps(), connection)).toMatchObject({ removed: 1, ownerOnly: false });
    expect(await app.sql`select 1 from time_entries where entry_id = ${entry.id}`).toHaveLength(0);
    expect(await app.sql`select 1 from time_entries where entry_id = ${maxRecent.id}`).toHaveLength(1);
  });
});

describe("goals (§19)", () => {
  it("keeps the goals linked to the binding, skips those the token cannot open, and drops an unlinked one", async () => {
    const [task] = await app.sql<{ task_id: string }[]>`select task_id from tracked_cases where name = 'F1'`;
    const byTask = clickup.people.addGoal({
      teamId: team.id,
      name: "By task",
      dueDate: now + 7 * DAY,
      percent: 25,
      creatorId: jane.id,
      keyResults: [{ name: "F1 done", taskIds: [task!.task_id] }],
    });
    clickup.people.addGoal({
      teamId: team.id,
      name: "By list",
      dueDate: now,
      creatorId: jane.id,
      keyResults: [{ listIds: [list.id] }],
    });
    clickup.people.addGoal({
      teamId: team.id,
      name: "Elsewhere",
      dueDate: now,
      creatorId: jane.id,
      keyResults: [{ listIds: ["1"] }],
    });
    clickup.people.addGoal({
      teamId: team.id,
      name: "Private",
      dueDate: now,
      creatorId: max.id,
      private: true,
      memberIds: [max.id],
    });
    clickup.people.addGoal({
      teamId: team.id,
      name: "Private 403",
      dueDate: now,
      creatorId: max.id,
      private: true,
      memberIds: [max.id],
      denial: 403,
    });
    expect(await readGoals(deps(), connection)).toEqual({ goals: 3, linked: 2, skipped: 2, opened: 5 });
    const names = async () =>
      (await app.sql<{ name: string }[]>`select name from binding_goals order by name`).map((r) => r.name);
    expect(await names()).toEqual(["By list", "By task"]);
    const [stored] = await app.sql<{ percent: number; key_results: unknown }[]>`
      select percent_completed as percent, key_results from binding_goals where goal_id = ${byTask.id}`;
    expect(stored).toMatchObject({
      percent: 25,
      key_results: [{ name: "F1 done", taskIds: [task!.task_id] }],
    });

    // Unchanged in the goal list: nothing is opened again (§19.5).
    const opened = () => clickup.requests.count({ path: /\/v2\/goal\// });
    const before = opened();
    expect(await readGoals(deps(), connection)).toEqual({ goals: 3, linked: 2, skipped: 2, opened: 0 });
    expect(opened()).toBe(before);
    // The target is unlinked in ClickUp, which moves the goal's date_updated: only that goal is opened.
    now += 1000;
    clickup.people.updateKeyResult(byTask.id, byTask.keyResults[0]!.id, { taskIds: [] });
    expect((await readGoals(deps(), connection)).opened).toBe(1);
    expect(await names()).toEqual(["By list"]);
    // A day on, every goal is opened again.
    now += 25 * H;
    expect((await readGoals(deps(), connection)).opened).toBe(5);
  });

  it("a revoked token fails the read instead of skipping goals", async () => {
    clickup.people.addGoal({ teamId: team.id, name: "Later", dueDate: now, creatorId: jane.id });
    clickup.revokeToken("pk_jane");
    const err = await readGoals(deps(), connection).catch((e: unknown) => e);
    expect(isClickUpError(err, "token_invalid")).toBe(true);
  });
});
