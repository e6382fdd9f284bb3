import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHART_ACTION_IDS, REPORT_CHARTS } from "../../src/slack/report/chart-replies.ts";
import { createSlackFake, type SlackFake } from "../fakes/slack/index.ts";
import { type App, startApp, TEAM } from "../flow/digest-test-kit.ts";
import { pngInfo } from "../flow/png.ts";
import { DAY_MS, seedCase, seedProject } from "../flow/report-fixtures.ts";
import { slashCommandRequest } from "../helpers/sign-slack-request.ts";
import { TEST_SIGNING_SECRET } from "../helpers/test-config.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

// The flow charts through the running app (docs/flow-metrics.md §13): each `/flow report <chart>` from a
// signed slash command to its reply on the response_url with its uploaded PNG(s); the chart picker on the
// Flow view and on every chart reply; and picker buttons pressed with hostile values or by someone who
// is not in the channel, each refused with an ephemeral saying why and nothing drawn or uploaded.

const MEMBER = "U0MEMBER";
const STRANGER = "U0STRANGER";
const CHANNEL = "C0CHARTS";
const OTHER_CHANNEL = "C0OTHERPROJ";
const PLAIN_CHANNEL = "C0PLAIN";
const EMPTY_CHANNEL = "C0EMPTY";
const NOW = new Date("2026-11-20T12:00:00Z");
const ago = (days: number) => new Date(NOW.getTime() - days * DAY_MS);

type Block = {
  type: string;
  block_id?: string;
  text?: { text: string };
  slack_file?: { id: string };
  elements?: { action_id: string; value?: string }[];
};
type Reply = { text?: string; blocks?: Block[] };

let db: TestDatabase;
let slack: SlackFake;
let app: App;
const project = { ours: 0, theirs: 0 };

beforeAll(async () => {
  db = await createTestDatabase();
  slack = createSlackFake({
    now: () => NOW.getTime(),
    users: [{ id: MEMBER }, { id: STRANGER }],
    channels: [
      { id: CHANNEL, name: "charts", is_member: true, members: [MEMBER] },
      { id: OTHER_CHANNEL, name: "other", is_member: true, members: [MEMBER, STRANGER] },
      { id: PLAIN_CHANNEL, name: "plain", is_member: true, members: [MEMBER, STRANGER] },
      { id: EMPTY_CHANNEL, name: "empty", is_member: true, members: [MEMBER] },
    ],
  });
  app = await startApp({ databaseUrl: db.url, now: () => NOW.getTime(), slack });
  const ours = await seedProject(app.sql, { teamId: TEAM, channelId: CHANNEL, windowDays: 30 });
  const theirs = await seedProject(app.sql, { teamId: TEAM, channelId: OTHER_CHANNEL, windowDays: 30 });
  await seedProject(app.sql, { teamId: TEAM, channelId: EMPTY_CHANNEL, windowDays: 30 });
  project.ours = ours.projectId;
  project.theirs = theirs.projectId;
  // Finished, one with a flow-back and one reopened and finished again; two in progress.
  await seedCase(app.sql, ours.bindingId, {
    name: "F1",
    path: [
      ["todo", ago(20)],
      ["progress", ago(18)],
      ["review", ago(15)],
      ["progress", ago(14)],
      ["complete", ago(10)],
    ],
    rework: { at: 3, kind: "flow_back", actor: "Dana" },
  });
  await seedCase(app.sql, ours.bindingId, {
    name: "F2",
    path: [
      ["todo", ago(12)],
      ["progress", ago(11)],
      ["complete", ago(6)],
      ["progress", ago(5)],
      ["complete", ago(2)],
    ],
    rework: { at: 3, kind: "reopen", actor: "Dana" },
  });
  await seedCase(app.sql, ours.bindingId, {
    name: "W1",
    path: [
      ["todo", ago(9)],
      ["progress", ago(8)],
      ["review", ago(3)],
    ],
  });
  await seedCase(app.sql, ours.bindingId, {
    name: "W2",
    path: [
      ["todo", ago(4)],
      ["progress", ago(1)],
    ],
  });
  await seedCase(app.sql, theirs.bindingId, {
    name: "T1",
    path: [
      ["todo", ago(4)],
      ["progress", ago(1)],
    ],
  });
}, 60_000);

afterAll(async () => {
  await app?.flowbot.stop();
  await db?.drop();
});

let responses = 0;
/** Runs `/flow <text>` as MEMBER in `channel` and returns the first post to its response_url. */
async function command(text: string, channel = CHANNEL): Promise<Reply> {
  responses += 1;
  const id = `r-charts-${responses}`;
  const res = await fetch(
    slashCommandRequest({
      url: `${app.flowbot.url}/slack/events`,
      signingSecret: TEST_SIGNING_SECRET,
      now: () => NOW.getTime(),
      text,
      team_id: TEAM,
      user_id: MEMBER,
      channel_id: channel,
      response_url: slack.responseUrl(id),
    }),
  );
  expect(res.status).toBe(200);
  await expect.poll(() => slack.responsePosts(id).length, { timeout: 20_000 }).toBeGreaterThan(0);
  return slack.responsePosts(id)[0]!.body as Reply;
}

/** The PNGs a reply's image blocks show, as uploaded to the fake. */
function imagesOf(reply: Reply) {
  return (reply.blocks ?? [])
    .filter((b) => b.type === "image")
    .map((b) => {
      const upload = slack.upload(b.slack_file!.id);
      expect(upload?.completed).toBe(true);
      expect(upload?.channelId).toBeUndefined();
      return { upload: upload!, png: pngInfo(upload!.bytes!) };
    });
}

const pickerOf = (reply: Reply) =>
  (reply.blocks ?? []).filter((b) => b.type === "actions").flatMap((b) => b.elements ?? []);

describe("/flow report <chart>", () => {
  it.each([
    ["cfd", "*Cumulative flow* by stage: 4 tasks counted today", 1],
    ["cfd-status", "*Cumulative flow* by status: 4 tasks counted today", 1],
    // W43–W46 whole (0, 0, 0, 1: nearest-rank median 0), W47 so far holds F2.
    ["throughput", "*Throughput*: 2 tasks finished in 5 ISO weeks, median 0 a week", 1],
    ["ageing", "*Time in status* of 2 tasks in progress", 1],
    // Cycle times 8 and 9 d: rank ⌈1.7⌉ = 2.
    ["cycle", "*Cycle time* of 2 finished tasks: 85% within 9.0 days", 2],
  ])("%s answers with its chart uploaded as a valid PNG and the picker", async (chart, summary, images) => {
    const reply = await command(`report ${chart}`);
    expect(reply.text).toBe(`${summary} — <#${CHANNEL}>, last 30 days.`);
    const shown = imagesOf(reply);
    expect(shown).toHaveLength(images);
    for (const { upload, png } of shown) {
      expect(png).toEqual({ signatureOk: true, width: 1000, height: 560 });
      expect(upload.bytes!.length).toBe(upload.declaredLength);
      expect(upload.bytes!.length).toBeLessThan(1_000_000);
    }
    expect(pickerOf(reply).map((b) => b.action_id)).toEqual(REPORT_CHARTS.map((c) => CHART_ACTION_IDS[c]));
  });

  it("takes a window after the chart's name, and the picker carries it", async () => {
    const reply = await command("report cfd 2w");
    expect(reply.text).toBe(
      `*Cumulative flow* by stage: 4 tasks counted today — <#${CHANNEL}>, last 14 days.`,
    );
    expect(JSON.parse(pickerOf(reply)[0]!.value!)).toEqual({ p: project.ours, d: 14 });
  });

  it("keeps a two-year run chart's alt text within Slack's limit", async () => {
    const reply = await command("report throughput 104w");
    const image = reply.blocks!.find((b) => b.type === "image") as Block & { alt_text: string };
    expect(image.alt_text.length).toBeLessThanOrEqual(2000);
    expect(reply.text).toContain("in 105 ISO weeks");
  });

  it("draws one segment's chart, and the picker carries the filter as typed", async () => {
    const reply = await command("report throughput 30d type:task");
    expect(reply.text).toMatch(
      /^\*Throughput\*: 2 tasks finished in 5 ISO weeks, median 0 a week — <#C0CHARTS> \(.*Task.*\), last 30 days\.$/,
    );
    expect(JSON.parse(pickerOf(reply)[0]!.value!)).toEqual({ p: project.ours, d: 30, g: "type", v: "task" });
  });

  it("every chart renders for a project with one task and for one with none", async () => {
    for (const channel of [OTHER_CHANNEL, EMPTY_CHANNEL]) {
      for (const chart of REPORT_CHARTS) {
        const reply = await command(`report ${chart}`, channel);
        const shown = imagesOf(reply);
        expect(shown.length, `${chart} in ${channel}`).toBeGreaterThan(0);
        for (const { png } of shown) expect(png).toEqual({ signatureOk: true, width: 1000, height: 560 });
      }
    }
    expect((await command("report ageing", OTHER_CHANNEL)).text).toBe(
      `*Time in status* of 1 task in progress — <#${OTHER_CHANNEL}>, last 30 days.`,
    );
    expect((await command("report cfd", EMPTY_CHANNEL)).text).toBe(
      `*Cumulative flow* by stage: 0 tasks counted today — <#${EMPTY_CHANNEL}>, last 30 days.`,
    );
  });

  it("the Flow view carries the picker beside Share to channel", async () => {
    const reply = await command("report");
    expect(pickerOf(reply).map((b) => b.action_id)).toEqual([
      "flow_report_share",
      ...REPORT_CHARTS.map((c) => CHART_ACTION_IDS[c]),
    ]);
  });
});

/** Presses a picker button as `user` in `channel`; returns the ephemeral Slack showed them. */
async function press(user: string, channel: string, actionId: string, value: string) {
  const before = slack.ephemerals().length;
  const res = await app.interact(
    {
      type: "block_actions",
      trigger_id: slack.issueTriggerId({ userId: user }),
      channel: { id: channel, name: "x" },
      container: {
        type: "message",
        message_ts: "1700000000.000100",
        channel_id: channel,
        is_ephemeral: true,
      },
      actions: [
        { type: "button", action_id: actionId, block_id: "flow_chart_picker", value, action_ts: "1" },
      ],
    },
    user,
  );
  expect(res.status).toBe(200);
  await expect.poll(() => slack.ephemerals().length, { timeout: 20_000 }).toBe(before + 1);
  return slack.ephemerals().at(-1)!;
}

describe("the chart picker's buttons", () => {
  const ours = () => JSON.stringify({ p: project.ours, d: 30 });

  it("draw the chart for a member of the project channel", async () => {
    const shown = await press(MEMBER, CHANNEL, CHART_ACTION_IDS.throughput, ours());
    expect(shown.user).toBe(MEMBER);
    expect(shown.channel).toBe(CHANNEL);
    expect(shown.text).toContain("*Throughput*: 2 tasks finished");
    const images = imagesOf(shown as Reply);
    expect(images.map((i) => i.png.signatureOk)).toEqual([true]);
  });

  it("refuse another channel's project named in the value", async () => {
    const uploads = slack.uploads().length;
    const crafted = JSON.stringify({ p: project.theirs, d: 30 });
    expect((await press(MEMBER, CHANNEL, CHART_ACTION_IDS.cfd, crafted)).text).toBe(
      ":warning: That chart button belongs to another channel's project (or is not flowbot's), so no chart was drawn. Run `/flow report cfd` here for this channel's.",
    );
    expect((await press(MEMBER, CHANNEL, CHART_ACTION_IDS.cycle, '{"p":"1 or 1=1","d":30}')).text).toContain(
      "belongs to another channel's project",
    );
    expect(
      (await press(MEMBER, CHANNEL, CHART_ACTION_IDS.cycle, JSON.stringify({ p: project.ours, d: 99999 })))
        .text,
    ).toContain("belongs to another channel's project");
    expect(slack.uploads()).toHaveLength(uploads);
  });

  it("refuse a user who is not in the channel, and a channel that is no project", async () => {
    const uploads = slack.uploads().length;
    expect((await press(STRANGER, CHANNEL, CHART_ACTION_IDS.ageing, ours())).text).toBe(
      `:lock: Only members of <#${CHANNEL}> can draw this project's charts. Join the channel first.`,
    );
    expect((await press(STRANGER, PLAIN_CHANNEL, CHART_ACTION_IDS.ageing, ours())).text).toContain(
      "This channel is not a flowbot project",
    );
    expect(slack.uploads()).toHaveLength(uploads);
  });
});
