import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bindings,
  connections,
  customFieldDefinitions,
  customTaskTypes,
  trackedCases,
} from "../../db/schema.ts";
import { type Flowbot, startFlowbot } from "../../src/app/start-flowbot.ts";
import { type ClickUpFake, createClickUpFake } from "../fakes/clickup/index.ts";
import { createSlackFake, type SlackFake } from "../fakes/slack/index.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { interactionRequest, slashCommandRequest } from "../helpers/sign-slack-request.ts";
import { modalKit } from "../helpers/slack-modals.ts";
import { TEST_SIGNING_SECRET, testConfig } from "../helpers/test-config.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

// The bind drill-down as an admin clicks through it: slash command, select changes (block_actions),
// external-select search (block_suggestion), Bind and Confirm bind (view_submission).
const TEAM = "T0FAKETEAM";
const ADMIN = "U0ADMIN";
const CHANNEL = "C0PROJECT";
const TOKEN = "pk_100_BINDTOKENBINDTOKENBINDTOKEN9999";

let db: TestDatabase;
let slack: SlackFake;
let clickup: ClickUpFake;
let flowbot: Flowbot;
let url: string;

type View = { id?: string; hash?: string; callback_id?: string; private_metadata: string; blocks: unknown[] };

beforeAll(async () => {
  db = await createTestDatabase();
  slack = createSlackFake({
    users: [{ id: ADMIN, is_admin: true }],
    channels: [{ id: CHANNEL, name: "project" }],
  });
  clickup = createClickUpFake({ rateLimit: { limit: 10_000, windowMs: 60_000 } });
  clickup.addWorkspace({ id: "9001", name: "Acme" });
  clickup.addUser({ id: 100, username: "Jane", token: TOKEN, teamIds: ["9001"] });
  clickup.addSpace({ teamId: "9001", id: "10", name: "Engineering" });
  clickup.addSpace({ teamId: "9001", id: "11", name: "Engineering" }); // same-named sibling
  clickup.addFolder({ spaceId: "10", id: "20", name: "Sprints" });
  clickup.addList({ folderId: "20", id: "30", name: "Sprint 1" });
  clickup.addList({ spaceId: "10", id: "31", name: "Inbox" });
  flowbot = await startFlowbot({
    config: testConfig({ DATABASE_URL: db.url, CLICKUP_API_URL: "http://clickup.fake/api" }),
    logger: captureLogs().logger,
    slackFetch: slack.fetch,
    clickupFetch: clickup.fetch,
  });
  url = `${flowbot.url}/slack/events`;
  await flowbot.database.db.insert(connections).values({
    slackTeamId: TEAM,
    clickupTeamId: "9001",
    clickupTeamName: "Acme",
    tokenSealed: flowbot.sealer.seal(TOKEN),
    tokenLast4: "9999",
    tokenOwnerId: 100,
    tokenOwnerName: "Jane",
    connectedBy: ADMIN,
  });
});
afterAll(async () => {
  await flowbot?.stop();
  await db?.drop();
});

const interact = (payload: object) =>
  fetch(
    interactionRequest({
      url,
      signingSecret: TEST_SIGNING_SECRET,
      payload: {
        team: { id: TEAM },
        user: { id: ADMIN, team_id: TEAM },
        api_app_id: "A0FAKEAPP",
        token: "x",
        ...payload,
      },
    }),
  );

const lastUpdate = () => slack.callsTo("views.update").at(-1)!.args as { view_id: string; view: View };
const modals = () => modalKit({ slack, url, sql: () => flowbot.database.sql });

type Step = { viewId: string; view: View };

async function openBind(): Promise<Step> {
  const updates = slack.callsTo("views.update").length;
  const viewId = await modals().open(() =>
    fetch(
      slashCommandRequest({
        url,
        signingSecret: TEST_SIGNING_SECRET,
        text: "bind",
        user_id: ADMIN,
        team_id: TEAM,
        channel_id: CHANNEL,
        trigger_id: slack.issueTriggerId({ userId: ADMIN }),
      }),
    ),
  );
  await expect.poll(() => slack.callsTo("views.update").length).toBe(updates + 1);
  expect(lastUpdate().view_id).toBe(viewId);
  return { viewId, view: slack.view(viewId) as View };
}

/** The admin picks `value` in one of the drill-down's selects; the modal as Slack then shows it. */
async function choose(current: Step, actionId: string, value: string): Promise<Step> {
  const updates = slack.callsTo("views.update").length;
  const res = await modals().act(current.viewId, {
    type: "static_select",
    action_id: actionId,
    block_id: "levels",
    selected_option: { value, text: { type: "plain_text", text: value } },
  });
  expect(res.status).toBe(200);
  await expect.poll(() => slack.callsTo("views.update").length).toBe(updates + 1);
  expect(lastUpdate().view_id).toBe(current.viewId);
  return { viewId: current.viewId, view: slack.view(current.viewId) as View };
}

type Answer = { response_action: string; view: View };

/** Presses Bind on the drill-down; Slack pushes what the app answers. */
async function bind(step: Step): Promise<{ answer: Answer; top: string | undefined }> {
  const res = await modals().submit(step.viewId);
  expect(res.status).toBe(200);
  return { answer: res.body as Answer, top: res.top };
}

/** Presses Confirm bind on the pushed confirm view. */
async function confirm(viewId: string, edit?: (p: Record<string, unknown>) => Record<string, unknown>) {
  const res = await modals().submit(viewId, {}, edit);
  expect(res.status).toBe(200);
  return res.body as Answer;
}

/** The whole drill-down: each choice in turn, Bind, Confirm bind. */
async function bindThrough(...choices: [string, string][]): Promise<Answer> {
  let step = await openBind();
  for (const [actionId, value] of choices) step = await choose(step, actionId, value);
  const { answer, top } = await bind(step);
  expect(answer.view.callback_id).toBe("flow_bind_confirm");
  return confirm(top!);
}

/** A /flow subcommand from the admin in the project channel; the ephemeral answer. */
const run = async (text: string) =>
  (await (
    await fetch(
      slashCommandRequest({
        url,
        signingSecret: TEST_SIGNING_SECRET,
        text,
        user_id: ADMIN,
        team_id: TEAM,
        channel_id: CHANNEL,
        trigger_id: slack.issueTriggerId({ userId: ADMIN }),
      }),
    )
  ).json()) as { text: string; blocks?: unknown[] };

describe("/flow bind", () => {
  it("drills down space → folder → list, showing names with ids and a ClickUp link", async () => {
    let step = await openBind();
    let text = JSON.stringify(step.view.blocks);
    expect(text).toContain("Engineering (10)");
    expect(text).toContain("Engineering (11)");

    step = await choose(step, "bind_space", "10");
    text = JSON.stringify(step.view.blocks);
    expect(text).toContain("Sprints (20)");
    expect(text).toContain("Inbox (31)"); // folderless list offered under its space
    expect(text).toContain("https://app.clickup.com/9001/v/s/10");

    step = await choose(step, "bind_folder", "20");
    expect(JSON.stringify(step.view.blocks)).toContain("Sprint 1 (30)");
    step = await choose(step, "bind_list", "30");
    text = JSON.stringify(step.view.blocks);
    expect(text).toContain("Engineering › Sprints › Sprint 1");
    expect(text).toContain("https://app.clickup.com/9001/v/li/30");

    const pushed = await bind(step);
    expect(pushed.answer.response_action).toBe("push");
    expect(pushed.answer.view.callback_id).toBe("flow_bind_confirm");
    expect(JSON.stringify(pushed.answer.view.blocks)).toContain(
      "live updates stay off until PUBLIC_URL is set",
    );

    const confirmed = await confirm(pushed.top!);
    expect(confirmed.response_action).toBe("clear");
    const rows = await flowbot.database.db.select().from(bindings);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      containerType: "list",
      containerId: "30",
      folderId: "20",
      spaceId: "10",
      syncStatus: "not_synced",
      createdBy: ADMIN,
    });
    await expect
      .poll(() => slack.ephemerals().at(-1)?.text ?? "")
      .toContain("Bound list Engineering › Sprints › Sprint 1 (30)");
  });

  it("“No folder” lists the space's folderless lists, asking ClickUp for no folder called none", async () => {
    let step = await openBind();
    step = await choose(step, "bind_space", "10");
    step = await choose(step, "bind_folder", "none");
    const text = JSON.stringify(step.view.blocks);
    expect(text).toContain("Inbox (31)");
    expect(text).not.toContain("Sprint 1 (30)");
    expect(clickup.requests.count({ path: /\/folder\/none/ })).toBe(0);
    step = await choose(step, "bind_list", "31");
    expect(JSON.stringify(step.view.blocks)).toContain("Selected list *Engineering › Inbox*");
  });

  it("refuses binding the same list again, and the space that would cover it", async () => {
    let step = await openBind();
    step = await choose(step, "bind_space", "10");
    const space = (await bind(step)).answer;
    expect(JSON.stringify(space.view.blocks)).toContain(
      "would cover this channel's existing binding of list Engineering › Sprints › Sprint 1 (30)",
    );
    step = await choose(step, "bind_folder", "20");
    step = await choose(step, "bind_list", "30");
    const again = (await bind(step)).answer;
    expect(JSON.stringify(again.view.blocks)).toContain("already binds list");
    expect(await flowbot.database.db.select().from(bindings)).toHaveLength(1);
  });

  it("refuses a container the token cannot see at confirm time", async () => {
    let step = await openBind();
    step = await choose(step, "bind_space", "11");
    const { answer, top } = await bind(step);
    expect(answer.view.callback_id).toBe("flow_bind_confirm");
    // A confirm view whose metadata names a list the connected token cannot see.
    const hidden = JSON.stringify({ container: { type: "list", id: "999" } });
    const res = await confirm(top!, (p) => ({
      ...p,
      view: { ...(p.view as object), private_metadata: hidden },
    }));
    expect(res.response_action).toBe("update");
    expect(JSON.stringify(res.view.blocks)).toContain("cannot see list 999");
    expect(await flowbot.database.db.select().from(bindings)).toHaveLength(1);
  });

  it("searches large levels by name or id through an external select", async () => {
    for (let i = 0; i < 120; i++)
      clickup.addSpace({ teamId: "9001", id: String(500 + i), name: `Team ${i}` });
    const step = await openBind();
    expect(JSON.stringify(step.view.blocks)).toContain('"external_select"');
    const byName = (
      await modals().suggest(step.viewId, { action_id: "bind_space", block_id: "levels", value: "team 11" })
    ).body as { options: { value: string }[] };
    expect(byName.options.map((o) => o.value).sort()).toEqual(
      ["511", "610", "611", "612", "613", "614", "615", "616", "617", "618", "619"]
        .filter((v) => v === "511" || v.startsWith("61"))
        .sort(),
    );
    const byId = (
      await modals().suggest(step.viewId, { action_id: "bind_space", block_id: "levels", value: "10" })
    ).body as { options: { value: string }[] };
    expect(byId.options.map((o) => o.value)).toContain("10");
  });
});

describe("/flow bindings, pause and resume", () => {
  it("lists the channel's bindings with path, id, link, status, counts and actions", async () => {
    const body = await run("bindings");
    const blocks = JSON.stringify(body.blocks);
    expect(blocks).toContain("Engineering › Sprints › Sprint 1");
    expect(blocks).toContain("`30`");
    expect(blocks).toContain("https://app.clickup.com/9001/v/li/30");
    expect(blocks).toContain("Status: *not synced*");
    expect(blocks).toContain("0 task(s) tracked");
    expect(blocks).toContain('"action_id":"binding_pause"');
  });

  it("pauses and resumes by id, ClickUp id or name, and explains a wrong name", async () => {
    expect((await run("pause nope")).text).toMatch(/No binding `nope` in this channel.*#\d+ Sprint 1 \(30\)/);
    expect((await run("pause")).text).toContain("Say which binding");
    expect((await run("pause 30")).text).toContain("Paused #");
    expect((await flowbot.database.db.select().from(bindings))[0]!.syncStatus).toBe("paused");
    expect((await run("pause sprint 1")).text).toContain("already paused");
    expect((await run("resume Sprint 1")).text).toContain("Resumed #");
    expect((await flowbot.database.db.select().from(bindings))[0]!.syncStatus).toBe("not_synced");
  });

  it("pauses from the table's button, for admins", async () => {
    const [row] = await flowbot.database.db.select().from(bindings);
    const responseUrl = slack.responseUrl();
    const res = await interact({
      type: "block_actions",
      trigger_id: slack.issueTriggerId({ userId: ADMIN }),
      channel: { id: CHANNEL },
      response_url: responseUrl,
      container: { type: "message", is_ephemeral: true },
      actions: [
        {
          type: "button",
          action_id: "binding_pause",
          block_id: `binding_${row!.id}`,
          value: String(row!.id),
          action_ts: "1",
        },
      ],
    });
    expect(res.status).toBe(200);
    await expect
      .poll(async () => (await flowbot.database.db.select().from(bindings))[0]!.syncStatus)
      .toBe("paused");
    await expect.poll(() => JSON.stringify(slack.responsePosts())).toContain("Paused #");
  });
});

describe("backfill, unbind and unbind & delete data", () => {
  const click = (actionId: string, value: string) =>
    interact({
      type: "block_actions",
      trigger_id: slack.issueTriggerId({ userId: ADMIN }),
      channel: { id: CHANNEL },
      response_url: slack.responseUrl(),
      container: { type: "message", is_ephemeral: true },
      actions: [{ type: "button", action_id: actionId, block_id: "b", value, action_ts: "1" }],
    });
  const byContainer = async (containerId: string) =>
    (await flowbot.database.db.select().from(bindings)).find((b) => b.containerId === containerId);
  const casesOf = async (bindingId: number) =>
    (await flowbot.database.db.select().from(trackedCases).where(eq(trackedCases.bindingId, bindingId))).sort(
      (a, b) => a.taskId.localeCompare(b.taskId),
    );
  const waitSynced = (containerId: string) =>
    expect.poll(async () => (await byContainer(containerId))?.syncStatus, { timeout: 15_000 }).toBe("synced");

  /** The binding's comment scores (docs/flow-metrics.md §14), without what a re-read changes. */
  const scoresOf = (bindingId: number) =>
    flowbot.database.sql<
      { caseId: number; commentId: string; score: number; label: string; authorId: number }[]
    >`
      select s.case_id::int as "caseId", s.comment_id as "commentId", s.score, s.label,
        s.author_id::int as "authorId"
      from comment_sentiment s join tracked_cases c on c.id = s.case_id
      where c.binding_id = ${bindingId} order by s.comment_id`;

  const definitionsOf = async (bindingId: number) =>
    (
      await flowbot.database.db
        .select()
        .from(customFieldDefinitions)
        .where(eq(customFieldDefinitions.bindingId, bindingId))
    ).map((d) => d.name);

  /** The binding's time entries (through its cases) and linked goals. */
  const peopleDataOf = async (bindingId: number) => {
    const [row] = await flowbot.database.sql<{ entries: number; goals: number }[]>`
      select (select count(*)::int from time_entries te join tracked_cases tc on tc.id = te.case_id
              where tc.binding_id = ${bindingId}) as entries,
             (select count(*)::int from binding_goals where binding_id = ${bindingId}) as goals`;
    return row;
  };

  // Two backfills, the comments pass and the people sync run as jobs before its checks: 60 s, not 20, under
  // a loaded suite.
  it("backfills on request, and deleting one binding's data leaves its neighbour untouched", async () => {
    // The task fields flowbot keeps, and their definitions, go with the binding's data too.
    const kind = clickup.defineCustomField({
      folderId: "20",
      type: "drop_down",
      name: "Kind",
      options: ["Bug"],
    });
    clickup.defineCustomField({ spaceId: "10", type: "checkbox", name: "Blocked" });
    const bug = clickup.addCustomTaskType("9001", { name: "Bug" });
    const sprintTasks = Array.from({ length: 3 }, (_, i) =>
      clickup.addTask({
        listId: "30",
        name: `Sprint task ${i}`,
        // One in progress: its comments are read for sentiment after the backfill (docs/flow-metrics.md §14.4).
        ...(i === 0 ? { status: "in progress" } : {}),
        tags: ["bug"],
        priority: "high",
        customItemId: bug.id,
        customFields: { [kind.id]: "Bug" },
      }),
    );
    const inboxTasks = Array.from({ length: 2 }, (_, i) =>
      clickup.addTask({ listId: "31", name: `Inbox task ${i}` }),
    );
    // Time entries and a goal on both lists: read after the backfill (docs/clickup.md §18, §19), and gone
    // with the binding's data.
    for (const task of [sprintTasks[0]!, inboxTasks[0]!])
      clickup.people.addTimeEntry({
        userId: 100,
        taskId: task.id,
        start: Date.now() - 3_600_000,
        durationMs: 1_800_000,
      });
    clickup.people.addGoal({
      teamId: "9001",
      name: "Q4",
      dueDate: Date.now() + 86_400_000,
      creatorId: 100,
      keyResults: [{ listIds: ["30", "31"] }],
    });
    // Two comments and a reply, no later than the task's last update (so its last activity stays that).
    const commented = sprintTasks[0]!;
    const comment = clickup.addComment({
      taskId: commented.id,
      text: "Blocked on QA again",
      at: commented.dateCreated,
      emit: false,
    });
    clickup.addComment({ taskId: commented.id, text: "LGTM", at: commented.dateCreated, emit: false });
    clickup.addComment({
      taskId: commented.id,
      text: "Still broken",
      parentId: comment.id,
      at: commented.dateCreated,
      emit: false,
    });
    expect((await run("resume 30")).text).toContain("Resumed");
    expect((await bindThrough(["bind_space", "10"], ["bind_list", "31"])).response_action).toBe("clear");

    expect((await run("backfill 30")).text).toContain("queued");
    expect((await run("backfill Inbox")).text).toContain("queued");
    expect((await run("backfill nope")).text).toContain("No binding `nope`");
    await waitSynced("30");
    await waitSynced("31");
    await expect
      .poll(() => JSON.stringify(slack.messages(CHANNEL)))
      .toContain("Backfill of *Engineering › Sprints › Sprint 1* done: 3 task(s)");
    const sprint = (await byContainer("30"))!;
    const neighbour = (await byContainer("31"))!;
    // The comments pass runs after the status backfill: its scores arrive a moment later.
    await expect.poll(() => scoresOf(sprint.id), { timeout: 15_000 }).toHaveLength(3);
    const sprintScores = await scoresOf(sprint.id);
    const sprintCases = await casesOf(sprint.id);
    expect(sprintCases.map((c) => c.name).sort()).toEqual([
      "Sprint task 0",
      "Sprint task 1",
      "Sprint task 2",
    ]);
    expect(sprintCases.map((c) => [c.tags, c.priority, c.taskTypeId, c.fieldValues.length])).toEqual(
      Array.from({ length: 3 }, () => [["bug"], "high", bug.id, 1]),
    );
    expect(sprintCases.every((c) => c.lastActivityAt?.getTime() === c.dateUpdated.getTime())).toBe(true);
    expect((await definitionsOf(sprint.id)).sort()).toEqual(["Blocked", "Kind"]);
    expect(await definitionsOf(neighbour.id)).toEqual(["Blocked"]);
    await expect.poll(() => peopleDataOf(sprint.id), { timeout: 30_000 }).toEqual({ entries: 1, goals: 1 });
    await expect
      .poll(() => peopleDataOf(neighbour.id), { timeout: 30_000 })
      .toEqual({ entries: 1, goals: 1 });
    const neighbourBefore = JSON.stringify(await casesOf(neighbour.id));

    // The table offers the destructive action behind a confirm dialog naming the counts.
    const table = JSON.stringify((await run("bindings")).blocks);
    expect(table).toContain("permanently delete 3 tracked task(s)");
    expect(table).toContain("and 3 comment sentiment score(s)");

    expect((await click("binding_unbind_delete", String(sprint.id))).status).toBe(200);
    await expect.poll(async () => await byContainer("30")).toBeUndefined();
    expect(await casesOf(sprint.id)).toHaveLength(0);
    expect(await definitionsOf(sprint.id)).toEqual([]);
    // The comment scores go with the cases.
    expect(await scoresOf(sprint.id)).toEqual([]);
    const [leftScores] = await flowbot.database.sql<{ n: number }[]>`
      select count(*)::int as n from comment_sentiment
      where case_id = any(${sprintCases.map((c) => c.id)}::bigint[])`;
    expect(leftScores!.n).toBe(0);
    expect(JSON.stringify(await casesOf(neighbour.id))).toBe(neighbourBefore);
    expect(await definitionsOf(neighbour.id)).toEqual(["Blocked"]);
    expect(await peopleDataOf(sprint.id)).toEqual({ entries: 0, goals: 0 });
    expect(await peopleDataOf(neighbour.id)).toEqual({ entries: 1, goals: 1 });
    // Task types belong to the connection, which stays (they go with `/flow disconnect`).
    expect((await flowbot.database.db.select().from(customTaskTypes)).map((t) => t.name)).toEqual(["Bug"]);
    await expect.poll(() => JSON.stringify(slack.responsePosts())).toContain("deleted 3 tracked task(s)");
    expect(JSON.stringify(slack.responsePosts())).toContain("and 3 comment sentiment score(s)");

    // Binding again and backfilling rebuilds the same data (ClickUp was untouched).
    expect(
      (await bindThrough(["bind_space", "10"], ["bind_folder", "20"], ["bind_list", "30"])).response_action,
    ).toBe("clear");
    await run("backfill 30");
    await waitSynced("30");
    const rebuilt = await casesOf((await byContainer("30"))!.id);
    const strip = (rows: typeof rebuilt) => rows.map(({ id: _id, bindingId: _b, ...rest }) => rest);
    expect(strip(rebuilt)).toEqual(strip(sprintCases));
    // ... the comment scores too, once the comments pass has run again.
    const rebound = (await byContainer("30"))!.id;
    await expect.poll(() => scoresOf(rebound), { timeout: 15_000 }).toHaveLength(3);
    const stripScores = (rows: typeof sprintScores) => rows.map(({ caseId: _c, ...rest }) => rest);
    expect(stripScores(await scoresOf(rebound))).toEqual(stripScores(sprintScores));
    expect((await definitionsOf((await byContainer("30"))!.id)).sort()).toEqual(["Blocked", "Kind"]);
  }, 60_000);

  it("unbind keeps the flow data but stops listing the binding", async () => {
    const inbox = (await byContainer("31"))!;
    const prompt = await run("unbind Inbox");
    expect(JSON.stringify(prompt.blocks)).toContain("2 tracked task(s) and their flow history stay");
    await click("binding_unbind", String(inbox.id));
    await expect.poll(async () => (await byContainer("31"))?.unboundAt).toBeInstanceOf(Date);
    expect(await casesOf(inbox.id)).toHaveLength(2);
    expect(JSON.stringify((await run("bindings")).blocks)).not.toContain("Inbox");
  });

  it("a failing backfill puts the binding in error and tells the admin once", async () => {
    clickup.revokeToken(TOKEN);
    await run("backfill 30");
    await expect.poll(async () => (await byContainer("30"))?.syncStatus, { timeout: 15_000 }).toBe("error");
    const binding = (await byContainer("30"))!;
    expect(binding.errorReason).toMatch(/token|reconnect/i);
    await expect.poll(() => JSON.stringify(slack.messages(CHANNEL))).toContain("stopped:");
    await expect
      .poll(() => slack.ephemerals().filter((e) => e.text?.startsWith("Backfill of")).length)
      .toBe(1);
    expect(JSON.stringify((await run("bindings")).blocks)).toContain("Status: *error*");
  });
});
