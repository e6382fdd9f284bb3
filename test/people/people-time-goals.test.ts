import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClickUpClient, createRateLimitRegistry } from "../../src/clickup/index.ts";
import { emailHash } from "../../src/people/refresh-members.ts";
import { syncPeople } from "../../src/people/sync-people.ts";
import { createSlackUserDirectory } from "../../src/slack/digest/slack-user-directory.ts";
import { createClickUpFake } from "../fakes/clickup/index.ts";
import { createSlackFake, webClientFor } from "../fakes/slack/index.ts";
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
  TEAM,
} from "../flow/digest-test-kit.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import {
  appHomeOpenedEvent,
  eventCallbackBody,
  eventRequest,
  slashCommandRequest,
} from "../helpers/sign-slack-request.ts";
import { TEST_SIGNING_SECRET } from "../helpers/test-config.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

// Issue 16 items 2–4 end to end: the ClickUp fake's members, time entries and goals are read by the people
// sync, then met through signed Slack requests — `/flow people` and its modal, a digest mentioning a member
// mapped by hand, the report's tracked-time and goals sections, and the App Home's goal line.

const H = 3_600_000;
const NOW = Date.UTC(2026, 10, 20, 12);
const CAROL_SLACK = "U0CAROL";
const OTHER_TEAM_USER = "U0OTHER";
const BOT = "U0BOT";

/** The app's clock: NOW, until the last test moves it on past the admin check's cache. */
let clock = NOW;
let db: TestDatabase;
let app: App;
let projectId: number;
let bindingId: number;
const clickup = createClickUpFake({ now: () => NOW });
const team = clickup.addWorkspace({ id: "9001", name: "Acme" });
const jane = clickup.addUser({
  username: "Jane",
  email: "ada@example.com",
  token: "pk_jane",
  teamIds: [team.id],
  role: 1,
});
const max = clickup.addUser({ username: "Max", email: "MAX@example.com", teamIds: [team.id], role: 3 });
const carol = clickup.addUser({ username: "Carol", email: "carol@gmail.com", teamIds: [team.id], role: 3 });
const space = clickup.addSpace({ teamId: team.id });
const list = clickup.addList({ spaceId: space.id, name: "Backlog" });

const slack = createSlackFake({
  now: () => NOW,
  users: [
    { id: ADMIN, is_admin: true, profile: { email: "ada@example.com" } },
    { id: MEMBER, profile: { email: "max@example.com" } },
    { id: CAROL_SLACK, profile: { email: "carol@corp.example" } },
    { id: OTHER_TEAM_USER, team_id: "T0ELSEWHERE", profile: { email: "o@else.example" } },
    { id: BOT, is_bot: true },
  ],
  channels: [{ id: CHANNEL, name: "project", is_member: true, members: [ADMIN, MEMBER] }],
});

async function sync() {
  const [connection] = await app.sql<
    { id: number }[]
  >`select id::int from connections where slack_team_id = ${TEAM}`;
  const client = createClickUpClient({
    baseUrl: "http://clickup.test/api",
    token: "pk_jane",
    fetch: clickup.fetch,
    rateLimits: createRateLimitRegistry(),
  });
  const web = webClientFor(slack);
  return syncPeople(
    {
      sql: app.sql,
      clickup: client,
      slackUsers: createSlackUserDirectory(web, captureLogs().logger, () => NOW),
      logger: captureLogs().logger,
      now: new Date(NOW),
    },
    { id: connection!.id, clickupTeamId: team.id, slackTeamId: TEAM },
  );
}

/** A tracked case whose task id is the fake's, so time entries and goal targets point at it. */
async function trackedTask(
  name: string,
  path: Parameters<typeof addTask>[2]["path"],
  assignees = [] as { id: number; username: string; email: string }[],
) {
  const task = clickup.addTask({ listId: list.id, name });
  const added = await addTask(app.sql, bindingId, {
    name,
    createdAt: new Date(NOW - 40 * DAY),
    path,
    assignees,
  });
  await app.sql`update tracked_cases set task_id = ${task.id}, home_list_id = ${list.id} where id = ${added.caseId}`;
  return task;
}

let b1: { id: string };
let b2: { id: string };

beforeAll(async () => {
  db = await createTestDatabase();
  app = await startApp({ databaseUrl: db.url, now: () => clock, slack });
  ({ projectId, bindingId } = await seedProject(app.sql, { signals: "over SLE only" }));
  await app.sql`update bindings set container_id = ${list.id} where id = ${bindingId}`;
  await seedFinishedHistory(app.sql, bindingId, NOW);
  // docs/flow-metrics.md §15's example, the project alone: B1 48 h, B2 24 h, B3 72 h of cycle time.
  const start = NOW - 10 * DAY;
  b1 = await trackedTask("B1", [
    [STATUSES.doing, new Date(start)],
    [STATUSES.done, new Date(start + 48 * H)],
  ]);
  b2 = await trackedTask("B2", [
    [STATUSES.doing, new Date(start)],
    [STATUSES.done, new Date(start + 24 * H)],
  ]);
  await trackedTask("B3", [
    [STATUSES.doing, new Date(start)],
    [STATUSES.done, new Date(start + 72 * H)],
  ]);
  clickup.people.addTimeEntry({ userId: max.id, taskId: b1.id, start: start + H, durationMs: 3 * H });
  clickup.people.addTimeEntry({ userId: carol.id, taskId: b1.id, start: start + 5 * H, durationMs: 5 * H });
  clickup.people.addTimeEntry({ userId: jane.id, taskId: b2.id, start: start + 2 * H, durationMs: 6 * H });
  clickup.people.addTimeEntry({ userId: carol.id, taskId: b2.id, start: NOW - H, running: true });
  // Carol's old work: ageing past the SLE, so the digest names her.
  const old = await trackedTask(
    "Migrate billing",
    [[STATUSES.doing, new Date(NOW - 25 * DAY)]],
    [{ id: carol.id, username: "Carol", email: "carol@gmail.com" }],
  );
  clickup.people.addGoal({
    teamId: team.id,
    name: "Ship billing v2",
    dueDate: NOW + 30 * DAY,
    percent: 40,
    creatorId: jane.id,
    keyResults: [{ name: "Billing tasks", taskIds: [old.id], percent: 40 }],
  });
  clickup.people.addGoal({
    teamId: team.id,
    name: "Not ours",
    dueDate: NOW,
    creatorId: jane.id,
    keyResults: [{ listIds: ["777"] }],
  });
  clickup.people.addGoal({
    teamId: team.id,
    name: "Secret",
    dueDate: NOW,
    creatorId: max.id,
    private: true,
    memberIds: [max.id],
  });
});
afterAll(async () => {
  await app?.flowbot.stop();
  await db?.drop();
});

const members = () =>
  app.sql<{ id: string; username: string; slack: string | null; by: string | null; hash: string | null }[]>`
    select clickup_user_id::text as id, username, slack_user_id as slack, matched_by as by, email_hash as hash
    from clickup_members order by username`;

describe("members (docs/clickup.md §17)", () => {
  it("are read from the team endpoint and matched to Slack users by email, without keeping the address", async () => {
    const result = await sync();
    expect(result.members).toEqual({ members: 3, matched: 2, unmatched: 1, gone: 0 });
    expect((await members()).map((m) => [m.username, m.slack, m.by])).toEqual([
      ["Carol", null, null],
      ["Jane", ADMIN, "email"],
      ["Max", MEMBER, "email"],
    ]);
    expect((await members()).find((m) => m.username === "Max")!.hash).toBe(emailHash("max@example.com"));
    expect(JSON.stringify(await app.sql`select * from clickup_members`)).not.toContain("@");
  });

  it("`/flow people` is for admins only", async () => {
    const answer = await app.run("people", { user: MEMBER });
    expect(answer.text).toContain("Only flowbot admins can map ClickUp members to Slack users");
    expect(slack.callsTo("views.open")).toHaveLength(0);
  });
});

type Errors = { response_action: string; errors: Record<string, string> };
const values = (member: string | null, user: string | null) => ({
  people_member: {
    value: { type: "static_select", selected_option: member === null ? null : { value: member } },
  },
  people_slack_user: { value: { type: "users_select", selected_user: user } },
});

describe("/flow people", () => {
  const open = async () => app.modals.open(async () => expect(await app.run("people")).toEqual({}));

  it("lists the matched and the unmatched in a recorded modal", async () => {
    const id = await open();
    const view = slack.view(id) as { blocks: unknown[]; private_metadata: string };
    const text = JSON.stringify(view.blocks);
    expect(text).toContain(`Jane → <@${ADMIN}>`);
    expect(text).toContain("*Unmatched (1)*: Carol");
    expect((await app.sql`select kind, user_id from slack_views where view_id = ${id}`)[0]).toEqual({
      kind: "people",
      user_id: ADMIN,
    });
  });

  it("refuses forged members, another workspace's member, outside users and bots, changing nothing", async () => {
    // Another Slack workspace's connection, with a ClickUp member of its own.
    await app.sql`
      insert into connections (slack_team_id, clickup_team_id, clickup_team_name, token_sealed, token_last4,
        token_owner_id, token_owner_name, connected_by)
      values ('T0ELSEWHERE', '9002', 'Other', 'sealed', '1111', 5, 'Olga', 'U0OLGA')`;
    await app.sql`
      insert into clickup_members (connection_id, clickup_user_id, username, seen_at)
      select id, 555, 'Olga', now() from connections where slack_team_id = 'T0ELSEWHERE'`;
    const before = JSON.stringify(await members());
    const id = await open();
    const cases: [ReturnType<typeof values>, string, string][] = [
      [values("99999", CAROL_SLACK), "people_member", "not a member of the connected ClickUp workspace Acme"],
      [values("555", CAROL_SLACK), "people_member", "not a member of the connected ClickUp workspace Acme"],
      [values("1; drop table x", CAROL_SLACK), "people_member", "Choose a ClickUp member"],
      [
        values(String(carol.id), OTHER_TEAM_USER),
        "people_slack_user",
        "not a member of this Slack workspace",
      ],
      [values(String(carol.id), BOT), "people_slack_user", "bot or deactivated"],
      [values(String(carol.id), "not-a-user"), "people_slack_user", "not a Slack user"],
    ];
    for (const [state, block, message] of cases) {
      const res = await app.modals.submit(id, state);
      const body = res.body as unknown as Errors;
      expect(body.response_action, message).toBe("errors");
      expect(body.errors[block], message).toContain(message);
    }
    // A member forging a submission from the admin's modal, and forged metadata naming another connection.
    const forged = await app.modals.submit(id, values(String(carol.id), CAROL_SLACK), (p) => ({
      ...p,
      user: { id: MEMBER, team_id: TEAM },
    }));
    expect(JSON.stringify(forged.body)).toContain(
      "Only flowbot admins can map ClickUp members to Slack users",
    );
    const other = await app.modals.submit(id, values(String(carol.id), CAROL_SLACK), (p) => ({
      ...p,
      view: { ...(p.view as object), private_metadata: JSON.stringify({ connectionId: 424242 }) },
    }));
    expect(JSON.stringify(other.body)).toContain(
      "The ClickUp connection changed since this dialog was opened",
    );
    expect(JSON.stringify(await members())).toBe(before);
  });

  it("maps a member by hand; the mapping survives the next read", async () => {
    const id = await open();
    const res = await app.modals.submit(id, values(String(carol.id), CAROL_SLACK));
    expect(JSON.stringify(res.body)).toContain(`*Carol* is now mentioned as <@${CAROL_SLACK}>`);
    await sync();
    expect((await members()).find((m) => m.username === "Carol")).toMatchObject({
      slack: CAROL_SLACK,
      by: "manual",
    });
  });

  it("a digest mentions the mapped member", async () => {
    const result = await runDigest(
      digestDeps(app, () => NOW),
      projectId,
      NOW,
    );
    expect(result).toMatchObject({ outcome: "posted" });
    const text = JSON.stringify(slack.messages(CHANNEL).at(-1)!.blocks);
    expect(text).toContain("Migrate billing");
    expect(text).toContain(`<@${CAROL_SLACK}>`);
  });
});

let reports = 0;
const reportText = async () => {
  const responseId = `r-people-${++reports}`;
  const res = await fetch(
    slashCommandRequest({
      url: `${app.flowbot.url}/slack/events`,
      signingSecret: TEST_SIGNING_SECRET,
      now: () => NOW,
      text: "report 30d",
      team_id: TEAM,
      user_id: ADMIN,
      channel_id: CHANNEL,
      response_url: slack.responseUrl(responseId),
    }),
  );
  expect(res.status).toBe(200);
  await expect.poll(() => slack.responsePosts(responseId).length, { timeout: 15_000 }).toBeGreaterThan(0);
  return JSON.stringify(slack.responsePosts(responseId)[0]!.body);
};

describe("tracked time (docs/flow-metrics.md §15) and goals (docs/clickup.md §19) in the report", () => {
  it("reads the stopped entries and holds the running timer without a duration", async () => {
    const rows = await app.sql<{ task: string; ms: number | null }[]>`
      select tc.name as task, te.duration_ms::float8 as ms from time_entries te
      join tracked_cases tc on tc.id = te.case_id order by tc.name, te.started_at`;
    expect(rows).toEqual([
      { task: "B1", ms: 3 * H },
      { task: "B1", ms: 5 * H },
      { task: "B2", ms: 6 * H },
      { task: "B2", ms: null },
    ]);
  });

  it("shows tracked vs cycle time and names the finished task without entries", async () => {
    const text = await reportText();
    // (8 + 6) ÷ (48 + 24) = 19.4%; B2's running timer counts nothing. B3 and the 20 "Shipped" tasks have no
    // entries: out of the share, counted apart, the five oldest named.
    expect(text).toContain(
      "*19%* of cycle time tracked (14 h of 72 h, 2 tasks) · 21 finished tasks without tracked time",
    );
    expect(text).toMatch(/No time tracked: <[^|]+\|Shipped 1>, .* and 16 more/);
  });

  it("shows the linked goal's progress and due date, and notes the goal the token cannot see", async () => {
    const text = await reportText();
    expect(text).toContain("Ship billing v2");
    expect(text).toContain("*40%* · due 20 Dec 2026 · 1 linked task open");
    // The forecast line (docs/flow-metrics.md §12.8): the project's throughput finishes one task well
    // within the 30 days to the due date.
    expect(text).toContain(
      ":crystal_ball: *100%* chance that its open linked task finishes by the due date (30 days from tomorrow); 85% by Fri 27 Nov 2026",
    );
    expect(text).not.toContain("Not ours");
    expect(text).toContain("1 goal skipped: the connected ClickUp user cannot see it");
  });

  it("a stopped timer counts at the next read", async () => {
    const running = clickup.people.store.timeEntries.find((e) => e.end === null)!;
    clickup.people.stopTimer(running.id, running.start + 1.5 * H);
    await sync();
    // (8 + 7.5) ÷ 72 = 21.5%.
    expect(await reportText()).toContain("*22%* of cycle time tracked (15.5 h of 72 h, 2 tasks)");
  });

  it("the App Home shows the goal line", async () => {
    const before = slack.callsTo("views.publish").length;
    const res = await fetch(
      eventRequest({
        url: `${app.flowbot.url}/slack/events`,
        signingSecret: TEST_SIGNING_SECRET,
        now: () => NOW,
        body: eventCallbackBody({ event: appHomeOpenedEvent({ user: ADMIN }), event_id: "Ev0PEOPLEHOME" }),
      }),
    );
    expect(res.status).toBe(200);
    await expect.poll(() => slack.callsTo("views.publish").length, { timeout: 15_000 }).toBe(before + 1);
    const home = JSON.stringify(slack.homeView(ADMIN));
    expect(home).toContain(":dart: Ship billing v2 *40%* due 20 Dec 2026");
  });
});

describe("a workspace that does not track time", () => {
  it("gets no tracked-time section", async () => {
    await app.sql`delete from time_entries`;
    const text = await reportText();
    expect(text).not.toContain("Tracked time");
    expect(text).toContain("Ship billing v2");
  });
});

describe("an admin who loses the rights while the modal is open", () => {
  it("is refused on submit once Slack says so, and nothing changes", async () => {
    const id = await app.modals.open(async () => expect(await app.run("people")).toEqual({}));
    const before = JSON.stringify(await members());
    slack.addUser({ id: ADMIN, is_admin: false, profile: { email: "ada@example.com" } });
    // Past the admin check's five-minute trust in users.info.
    clock = NOW + 6 * 60_000;
    // Carol is mapped to CAROL_SLACK by now (above); the submission would move her to MEMBER.
    const res = await app.modals.submit(id, values(String(carol.id), MEMBER));
    expect(JSON.stringify(res.body)).toContain("Only flowbot admins can map ClickUp members to Slack users");
    expect(JSON.stringify(await members())).toBe(before);
    expect((await members()).find((m) => m.username === "Carol")!.slack).toBe(CAROL_SLACK);
  });
});
