import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Flowbot, startFlowbot } from "../../src/app/start-flowbot.ts";
import { CHART_ACTION_IDS } from "../../src/slack/report/chart-replies.ts";
import { createSlackFake, type SlackFake } from "../fakes/slack/index.ts";
import { pngInfo } from "../flow/png.ts";
import { DAY_MS, seedCase, seedFinishedTen, seedProject } from "../flow/report-fixtures.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import {
  appHomeOpenedEvent,
  eventCallbackBody,
  eventRequest,
  interactionRequest,
} from "../helpers/sign-slack-request.ts";
import { TEST_SIGNING_SECRET, testConfig } from "../helpers/test-config.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

// The App Home tab as users meet it: the app_home_opened event publishes the Flow page with the projects of
// channels the user is in (users.conversations), their headline numbers, and an Open report button.
const TEAM = "T0FAKETEAM";
const ALICE = "U0ALICE";
const BOB = "U0BOB";
const CAROL = "U0CAROL";
const NOW = new Date("2026-11-20T12:00:00Z");
/** Filler channels Alice is in, so her channel list spans two users.conversations pages. */
const FILLER = 1100;

type Block = {
  type: string;
  text?: { text: string };
  accessory?: { action_id: string; value: string };
  elements?: { action_id?: string; value?: string }[];
  slack_file?: { id: string };
};

let db: TestDatabase;
let slack: SlackFake;
let flowbot: Flowbot;
let url: string;
let alphaId: number;

beforeAll(async () => {
  db = await createTestDatabase();
  slack = createSlackFake({
    users: [{ id: ALICE }, { id: BOB }, { id: CAROL }],
    channels: [
      { id: "C0ALPHA", name: "alpha", members: [ALICE, BOB] },
      { id: "C0BETA", name: "beta", is_private: true, members: [ALICE] },
      { id: "C0GAMMA", name: "gamma", members: [BOB] },
      { id: "C0PLAIN", name: "plain", members: [ALICE] },
      { id: "C0OLD", name: "old", is_archived: true, members: [ALICE] },
      ...Array.from({ length: FILLER }, (_, i) => ({
        id: `C0FILL${i}`,
        name: `fill-${i}`,
        members: [ALICE],
      })),
      { id: "C0LAST", name: "zz-last", members: [ALICE] },
    ],
  });
  flowbot = await startFlowbot({
    config: testConfig({ DATABASE_URL: db.url }),
    logger: captureLogs().logger,
    slackFetch: slack.fetch,
    now: () => NOW.getTime(),
    crontab: "",
  });
  url = `${flowbot.url}/slack/events`;
  const sql = flowbot.database.sql;
  const ago = (days: number) => new Date(NOW.getTime() - days * DAY_MS);

  // alpha: ten finished five days ago (cycle times 1..10 d → SLE 9 d), three in progress aged 12, 8 and 2 days.
  const alpha = await seedProject(sql, { teamId: TEAM, channelId: "C0ALPHA", channelName: "alpha" });
  alphaId = alpha.projectId;
  await seedFinishedTen(sql, alpha.bindingId, NOW);
  for (const age of [12, 8, 2]) {
    await seedCase(sql, alpha.bindingId, {
      name: `WIP ${age}`,
      path: [
        ["todo", ago(age + 1)],
        ["progress", ago(age)],
      ],
    });
  }
  // beta: bound, no flow yet. gamma: Bob's only. old: archived. plain: no binding.
  await seedProject(sql, { teamId: TEAM, channelId: "C0BETA", channelName: "beta" });
  await seedProject(sql, { teamId: TEAM, channelId: "C0GAMMA", channelName: "gamma" });
  await seedProject(sql, { teamId: TEAM, channelId: "C0OLD", channelName: "old" });
  await seedProject(sql, { teamId: TEAM, channelId: "C0LAST", channelName: "zz-last" });
  // Another Slack workspace's project that happens to use the same channel id.
  await seedProject(sql, { teamId: "T0OTHER", channelId: "C0ALPHA", channelName: "alpha-elsewhere" });
}, 60_000);

afterAll(async () => {
  await flowbot?.stop();
  await db?.drop();
});

let events = 0;

async function openHome(user: string): Promise<Block[]> {
  const publishes = slack.callsTo("views.publish").filter((c) => c.args.user_id === user).length;
  const res = await fetch(
    eventRequest({
      url,
      signingSecret: TEST_SIGNING_SECRET,
      now: () => NOW.getTime(),
      // Each event Slack sends has its own id (and so its own signature).
      body: eventCallbackBody({ event: appHomeOpenedEvent({ user }), event_id: `Ev0HOME${++events}` }),
    }),
  );
  expect(res.status).toBe(200);
  await expect
    .poll(() => slack.callsTo("views.publish").filter((c) => c.args.user_id === user).length, {
      timeout: 15_000,
    })
    .toBe(publishes + 1);
  const call = slack
    .callsTo("views.publish")
    .filter((c) => c.args.user_id === user)
    .at(-1)!;
  expect(call.status).toBe(200);
  return (slack.homeView(user) as { blocks: Block[] }).blocks;
}

const projectRows = (blocks: Block[]) =>
  blocks.filter((b) => b.accessory?.action_id === "flow_home_open_report").map((b) => b.text!.text);

describe("App Home: the Flow page", () => {
  it("lists only the user's projects, in this workspace, with their headline numbers", async () => {
    const blocks = await openHome(ALICE);
    const rows = projectRows(blocks);
    // alpha's signals (docs/flow-metrics.md §8): "in progress" took the ten finished 1..10 d, so its stuck
    // limit is 9 d and WIP 12 is stuck; WIP 12 and WIP 8 have been quiet 9.5 and 6 working days (Fri 20
    // Nov 12:00), at least 5: stalled.
    expect(rows).toEqual([
      "<#C0ALPHA>\nWIP *3* · finished last week *10* · SLE 85% ≤ 9 d · :warning: 1 ageing · :stopwatch: 1 stuck · :zzz: 2 stalled\n" +
        // §13.5: the ten finished in ISO week 46 (Sun 15 Nov), nothing else in 12 weeks.
        "throughput `▁▁▁▁▁▁▁▁▁▁█▁` (12 weeks) · last whole week 10 · this week so far 0",
      "<#C0BETA>\nWIP *0* · finished last week *0* · SLE not known yet · 0 ageing · 0 stuck · 0 stalled\n" +
        "throughput `▁▁▁▁▁▁▁▁▁▁▁▁` (12 weeks) · last whole week 0 · this week so far 0",
      "<#C0LAST>\nWIP *0* · finished last week *0* · SLE not known yet · 0 ageing · 0 stuck · 0 stalled\n" +
        "throughput `▁▁▁▁▁▁▁▁▁▁▁▁` (12 weeks) · last whole week 0 · this week so far 0",
    ]);
    expect(JSON.stringify(blocks)).toContain("*Your projects* (3)");
    // Her channel list came in pages (1100+ channels at 1000 per page).
    const pages = slack.callsTo("users.conversations").filter((c) => c.args.user === ALICE);
    expect(pages.length).toBe(2);
    expect(pages[0]!.args).toMatchObject({
      types: "public_channel,private_channel",
      exclude_archived: "true",
    });
    // The commands and how to start stay on the page.
    const text = JSON.stringify(blocks);
    expect(text).toContain("/flow report [30d|90d|12w]");
    expect(text).toContain("How to start");
  });

  it("counts only the signals the project has on", async () => {
    await flowbot.database.sql`
      insert into signal_settings (project_id, over_sle_on, stalled_on) values (${alphaId}, false, false)`;
    try {
      const [alpha] = projectRows(await openHome(ALICE));
      expect(alpha).toBe(
        "<#C0ALPHA>\nWIP *3* · finished last week *10* · SLE 85% ≤ 9 d · :stopwatch: 1 stuck\n" +
          "throughput `▁▁▁▁▁▁▁▁▁▁█▁` (12 weeks) · last whole week 10 · this week so far 0",
      );
    } finally {
      await flowbot.database.sql`delete from signal_settings`;
    }
  });

  it("shows Bob his own projects only", async () => {
    const rows = projectRows(await openHome(BOB));
    expect(rows.map((r) => r.split("\n")[0])).toEqual(["<#C0ALPHA>", "<#C0GAMMA>"]);
  });

  it("still explains how to start, with the command list, when the user has no project", async () => {
    const blocks = await openHome(CAROL);
    const text = JSON.stringify(blocks);
    expect(projectRows(blocks)).toEqual([]);
    expect(text).toContain("None yet");
    expect(text).toContain("How to start");
    expect(text).toContain("/flow bind");
    expect(text).toContain("/flow report [30d|90d|12w]");
  });

  it("names the missing scopes when Slack refuses the channel list, and still publishes the page", async () => {
    slack.failNext("users.conversations", "missing_scope");
    const text = JSON.stringify(await openHome(ALICE));
    expect(text).toContain("missing_scope");
    expect(text).toContain("`channels:read` and `groups:read`");
    expect(text).toContain("How to start");
  });

  it("Open report sends the project's Flow view, with its charts and a Share button, to the user", async () => {
    const res = await blockAction(ALICE, {
      container: { type: "view", view_id: "V1" },
      view: { id: "V1", type: "home" },
      actions: [
        {
          type: "button",
          action_id: "flow_home_open_report",
          block_id: "b",
          value: String(alphaId),
          action_ts: "1",
        },
      ],
    });
    expect(res.status).toBe(200);
    await expect.poll(() => slack.messages(ALICE).length, { timeout: 15_000 }).toBe(1);
    const blocks = slack.messages(ALICE)[0]!.blocks as Block[];
    expect(blocks[0]).toMatchObject({ type: "header", text: { text: "Flow report · last 90 days" } });
    expect(JSON.stringify(blocks)).toContain("<#C0ALPHA>");
    const images = blocks.filter((b) => b.type === "image").map((b) => b.slack_file!.id);
    expect(images).toHaveLength(2);
    for (const id of images) expect(pngInfo(slack.upload(id)!.bytes!).signatureOk).toBe(true);
    expect(blocks.flatMap((b) => b.elements ?? []).some((e) => e.action_id === "flow_report_share")).toBe(
      true,
    );
    // The chart picker comes along; pressed in the DM, it sends that chart to the same DM.
    const picker = blocks
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id === CHART_ACTION_IDS.throughput);
    expect(picker).toBeDefined();
    const chart = await pressInDm(ALICE, CHART_ACTION_IDS.throughput, picker!.value!);
    expect(chart.text).toContain("*Throughput*: 10 tasks finished");
    expect(chart.text).toContain("<#C0ALPHA>");
    const drawn = (chart.blocks as Block[]).filter((b) => b.type === "image");
    expect(drawn.map((b) => pngInfo(slack.upload(b.slack_file!.id)!.bytes!).signatureOk)).toEqual([true]);
  });

  it("the picker in a DM checks the project its value names, never the DM", async () => {
    const uploads = slack.uploads().length;
    const value = (p: number | string) => JSON.stringify({ p, d: 90 });
    // Carol is in none of alpha's channel: a value copied from Alice's DM draws nothing for her.
    expect((await pressInDm(CAROL, CHART_ACTION_IDS.cfd, value(alphaId))).text).toBe(
      ":lock: Only members of <#C0ALPHA> can draw this project's charts. Join the channel first.",
    );
    // A project id that is no project, or another Slack workspace's, or not a number at all.
    const [other] = await flowbot.database.sql<{ id: number }[]>`
      select id::int from projects where slack_team_id = 'T0OTHER'`;
    for (const forged of [value(987654), value(other!.id), value("1 or 1=1"), "not json"]) {
      expect((await pressInDm(ALICE, CHART_ACTION_IDS.ageing, forged)).text, forged).toContain(
        "That chart button names no flowbot project any more",
      );
    }
    expect(slack.uploads()).toHaveLength(uploads);
  });
});

/** A chart picker button pressed on a message in `user`'s DM with the app; resolves with what came back. */
async function pressInDm(user: string, actionId: string, value: string) {
  const dm = `D${user.slice(1)}`;
  const messages = slack.messages(user).length;
  const ephemerals = slack.ephemerals().length;
  const res = await blockAction(user, {
    channel: { id: dm, name: "directmessage" },
    container: { type: "message", message_ts: "1700000000.000200", channel_id: dm, is_ephemeral: false },
    actions: [{ type: "button", action_id: actionId, block_id: "flow_chart_picker", value, action_ts: "1" }],
  });
  expect(res.status).toBe(200);
  await expect
    .poll(() => slack.messages(user).length + slack.ephemerals().length, { timeout: 20_000 })
    .toBe(messages + ephemerals + 1);
  const reply =
    slack.messages(user).length > messages ? slack.messages(user).at(-1) : slack.ephemerals().at(-1);
  return reply as { text?: string; blocks?: unknown[] };
}

/** A signed block_actions request from `user` of this workspace, with the rest of its payload. */
function blockAction(user: string, fields: Record<string, unknown>) {
  return fetch(
    interactionRequest({
      url,
      signingSecret: TEST_SIGNING_SECRET,
      now: () => NOW.getTime(),
      payload: {
        type: "block_actions",
        team: { id: TEAM },
        user: { id: user, team_id: TEAM },
        api_app_id: "A0FAKEAPP",
        token: "x",
        trigger_id: slack.issueTriggerId({ userId: user }),
        ...fields,
      },
    }),
  );
}
