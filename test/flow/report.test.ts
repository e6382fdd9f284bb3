import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Flowbot, startFlowbot } from "../../src/app/start-flowbot.ts";
import { createSlackFake, type SlackFake } from "../fakes/slack/index.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { interactionRequest, slashCommandRequest } from "../helpers/sign-slack-request.ts";
import { TEST_SIGNING_SECRET, testConfig } from "../helpers/test-config.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import { pngInfo } from "./png.ts";
import { DAY_MS, seedCase, seedFinishedTen, seedProject, seedWipBulk } from "./report-fixtures.ts";

// `/flow report` as a user meets it: a signed slash command into the running app, the ephemeral Flow view
// arriving on the response_url, the charts uploaded through Slack's external upload flow, and the
// Share to channel button posting the same view into the channel.
const TEAM = "T0FAKETEAM";
const ALICE = "U0ALICE";
const PROJECT = "C0PROJECT";
const EMPTY = "C0EMPTY";
const UNBOUND = "C0UNBOUND";
const BIG = "C0BIG";
const ESTIMATED = "C0EST";
const NOW = new Date("2026-11-20T12:00:00Z");

type Block = {
  type: string;
  text?: { text: string };
  fields?: { text: string }[];
  elements?: { text?: string; value?: string; action_id?: string }[];
  slack_file?: { id: string };
};
type Post = { text?: string; blocks?: Block[]; response_type?: string };

let db: TestDatabase;
let slack: SlackFake;
let flowbot: Flowbot;
let url: string;

beforeAll(async () => {
  db = await createTestDatabase();
  slack = createSlackFake({
    users: [{ id: ALICE, name: "alice" }],
    channels: [PROJECT, EMPTY, UNBOUND, BIG, ESTIMATED].map((id) => ({
      id,
      name: id.toLowerCase(),
      members: [ALICE],
    })),
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

  // PROJECT: ten tasks finished five days ago with cycle times 1..10 days, and three in progress.
  const { bindingId } = await seedProject(sql, { teamId: TEAM, channelId: PROJECT });
  await seedFinishedTen(sql, bindingId, NOW);
  const ago = (days: number) => new Date(NOW.getTime() - days * DAY_MS);
  await seedCase(sql, bindingId, {
    name: "Fix <login> & signup",
    path: [
      ["todo", ago(20)],
      ["progress", ago(12)],
      ["review", ago(6)],
      ["progress", ago(4)],
      ["review", ago(3)],
    ],
    assignees: [{ id: 7, username: "Jane Doe", email: "jane@example.com" }],
    rework: { at: 3, kind: "flow_back", actor: "Sam" },
  });
  await seedCase(sql, bindingId, {
    name: "Write docs",
    path: [
      ["todo", ago(9)],
      ["progress", ago(8)],
    ],
  });
  await seedCase(sql, bindingId, {
    name: "Small tweak",
    path: [
      ["todo", ago(3)],
      ["progress", ago(2)],
    ],
  });

  await seedProject(sql, { teamId: TEAM, channelId: EMPTY });
  const big = await seedProject(sql, { teamId: TEAM, channelId: BIG });
  await seedFinishedTen(sql, big.bindingId, NOW);
  await seedWipBulk(sql, big.bindingId, NOW, 500);

  // ESTIMATED: a task whose history predates the binding, known only from ClickUp's time-in-status totals.
  const est = await seedProject(sql, { teamId: TEAM, channelId: ESTIMATED });
  const [estCase] = await sql<{ id: number }[]>`
    insert into tracked_cases (binding_id, task_id, name, url, home_list_id, status_name, status_type,
                               status_orderindex, date_created, date_updated)
    values (${est.bindingId}, 'old1', 'Legacy task', 'https://app.clickup.com/t/old1', 'L1', 'in progress',
            'custom', 1, ${ago(7).toISOString()}, ${ago(6).toISOString()})
    returning id::int as id`;
  await sql`
    insert into status_timings (case_id, status_name, status_type, status_orderindex, total_minutes, since, is_current)
    values (${estCase!.id}, 'to do', 'open', 0, 1440, ${ago(7).toISOString()}, false),
           (${estCase!.id}, 'in progress', 'custom', 1, 8640, ${ago(6).toISOString()}, true)`;
}, 60_000);

afterAll(async () => {
  await flowbot?.stop();
  await db?.drop();
});

/** Runs `/flow <text>` as Alice in a channel; returns the immediate ack body and the response_url id. */
async function command(text: string, channel: string) {
  const responseId = `r-${channel}-${text.replace(/\W+/g, "_")}-${Math.random().toString(36).slice(2, 8)}`;
  const res = await fetch(
    slashCommandRequest({
      url,
      signingSecret: TEST_SIGNING_SECRET,
      now: () => NOW.getTime(),
      text,
      team_id: TEAM,
      user_id: ALICE,
      channel_id: channel,
      response_url: slack.responseUrl(responseId),
    }),
  );
  expect(res.status).toBe(200);
  return { ack: (await res.json()) as Post, responseId };
}

/** The Flow view that arrives on the response_url after the ack. */
async function reportView(responseId: string): Promise<Post> {
  await expect.poll(() => slack.responsePosts(responseId).length, { timeout: 15_000 }).toBeGreaterThan(0);
  const [post] = slack.responsePosts(responseId);
  expect(post!.status).toBe(200);
  return post!.body as Post;
}

const allText = (post: Post) => JSON.stringify(post.blocks ?? []);
const imageIds = (post: Post) =>
  (post.blocks ?? []).filter((b) => b.type === "image").map((b) => b.slack_file!.id);
const shareButton = (post: Post) =>
  (post.blocks ?? []).flatMap((b) => b.elements ?? []).find((e) => e.action_id === "flow_report_share");

function expectUploadedPng(fileId: string) {
  const upload = slack.upload(fileId);
  expect(upload?.completed).toBe(true);
  expect(upload?.channelId).toBeUndefined(); // uploaded privately; messages show it through image blocks
  expect(pngInfo(upload!.bytes!)).toEqual({ signatureOk: true, width: 1000, height: 560 });
  expect(upload!.bytes!.length).toBe(upload!.declaredLength);
}

describe("/flow report", () => {
  let view: Post;

  it("acks at once, then answers privately with the Flow view and both charts", async () => {
    const { ack, responseId } = await command("report", PROJECT);
    expect(ack.response_type).toBe("ephemeral");
    expect(ack.text).toContain("Building the Flow view");
    view = await reportView(responseId);
    expect(view.response_type).toBe("ephemeral");
    const text = allText(view);
    expect(view.blocks![0]).toMatchObject({ type: "header", text: { text: "Flow report · last 90 days" } });
    // Cycle times 1..10 days: nearest-rank 50/70/85/95th percentiles are the 5th, 7th, 9th and 10th values.
    expect(text).toContain("50% 5 d · 70% 7 d · 85% 9 d · 95% 10 d");
    expect(text).toContain("85% of tasks finish within *9 d*");
    expect(text).toContain("(10 finished)");
    expect(text).toContain("3 in progress · 1 ageing (over 9 d)");
    // The reworked task is still in progress, so no finished task has rework yet.
    expect(text).toContain("*Rework rate*\\n0% (0 of 10 finished)");
    // Rework event, with its task escaped for mrkdwn and linked to ClickUp.
    expect(text).toContain("Fix &lt;login&gt; &amp; signup");
    expect(text).toContain("moved back review → in progress");
    expect(text).toContain("by Sam");
    // Ageing list: oldest first, with age, status and time in it, pace and assignee.
    const ageing = text.slice(text.indexOf("Oldest work in progress"));
    expect(ageing.indexOf("Fix &lt;login&gt;")).toBeLessThan(ageing.indexOf("Write docs"));
    expect(ageing.indexOf("Write docs")).toBeLessThan(ageing.indexOf("Small tweak"));
    expect(ageing).toContain("*12 d* old · review for 3 d · past 95% · Jane Doe");
    expect(ageing).toContain("unassigned");
    expect(view.blocks!.length).toBeLessThanOrEqual(50);

    const images = imageIds(view);
    expect(images).toHaveLength(2);
    for (const id of images) expectUploadedPng(id);
    expect(slack.callsTo("files.getUploadURLExternal").length).toBe(2);
    expect(shareButton(view)).toBeDefined();
  });

  it("takes a window in days or weeks", async () => {
    const { responseId } = await command("report 2w", PROJECT);
    const post = await reportView(responseId);
    expect(post.blocks![0]).toMatchObject({ text: { text: "Flow report · last 14 days" } });
    const { responseId: r2 } = await command("report 3d", PROJECT);
    // The ten tasks finished five days ago are outside a three-day window.
    expect(allText(await reportView(r2))).toContain("*Cycle time* (0 tasks)");
  });

  it("answers a wrong window with the accepted forms, privately, and computes nothing", async () => {
    const uploads = slack.uploads().length;
    for (const bad of ["3x", "0d", "9999d", "last month"]) {
      const { ack, responseId } = await command(`report ${bad}`, PROJECT);
      expect(ack.response_type).toBe("ephemeral");
      expect(ack.text).toMatch(/`30d`|`\/flow report 90d`/);
      await new Promise((r) => setTimeout(r, 50));
      expect(slack.responsePosts(responseId)).toHaveLength(0);
    }
    expect((await command("report 3x", PROJECT)).ack.text).toContain("e.g. `30d`, `90d` or `12w`");
    expect((await command("report 9999d", PROJECT)).ack.text).toContain("from 1 day to 730 days");
    expect(slack.uploads().length).toBe(uploads);
  });

  it("tells an unbound channel to /flow bind first", async () => {
    const { ack, responseId } = await command("report", UNBOUND);
    expect(ack.response_type).toBe("ephemeral");
    expect(ack.text).toContain("Run `/flow bind` here first");
    await new Promise((r) => setTimeout(r, 50));
    expect(slack.responsePosts(responseId)).toHaveLength(0);
  });

  it("explains what to do when a project has no flow data yet", async () => {
    const { responseId } = await command("report", EMPTY);
    const post = await reportView(responseId);
    expect(post.text).toContain("No flow data");
    expect(post.text).toContain("/flow backfill");
    expect(imageIds(post)).toHaveLength(0);
  });

  it("Share to channel posts the same view, with the same images and no button, into the channel", async () => {
    const value = shareButton(view)!.value!;
    const responseId = "share-1";
    const uploadsBefore = slack.callsTo("files.getUploadURLExternal").length;
    const res = await fetch(
      interactionRequest({
        url,
        signingSecret: TEST_SIGNING_SECRET,
        now: () => NOW.getTime(),
        payload: {
          type: "block_actions",
          team: { id: TEAM },
          user: { id: ALICE, team_id: TEAM },
          api_app_id: "A0FAKEAPP",
          token: "x",
          channel: { id: PROJECT },
          container: { type: "message", is_ephemeral: true },
          response_url: slack.responseUrl(responseId),
          trigger_id: slack.issueTriggerId({ userId: ALICE }),
          actions: [{ type: "button", action_id: "flow_report_share", block_id: "b", value, action_ts: "1" }],
        },
      }),
    );
    expect(res.status).toBe(200);
    await expect.poll(() => slack.messages(PROJECT).length, { timeout: 15_000 }).toBe(1);
    const shared = slack.messages(PROJECT)[0]! as Post;
    expect(imageIds(shared)).toEqual(imageIds(view));
    expect(shareButton(shared)).toBeUndefined();
    expect(allText(shared)).toContain(`shared by <@${ALICE}>`);
    // Everything but the sharing line and the button is the view Alice saw.
    const strip = (post: Post) =>
      (post.blocks ?? [])
        .filter((b) => b.type !== "actions")
        .map((b) => JSON.stringify(b).replace(/ · shared by <@\w+>/, ""));
    expect(strip(shared)).toEqual(strip(view));
    await expect.poll(() => slack.responsePosts(responseId).length).toBe(1);
    expect(JSON.stringify(slack.responsePosts(responseId)[0]!.body)).toContain(
      `Shared the Flow view to <#${PROJECT}>`,
    );
    // No second upload: the shared message shows the files already uploaded.
    expect(slack.callsTo("files.getUploadURLExternal").length).toBe(uploadsBefore);
  });

  it("says how to fix a share into a channel the bot is not in", async () => {
    const value = shareButton(view)!.value!;
    slack.state.channels.get(PROJECT)!.is_member = false;
    try {
      const res = await fetch(
        interactionRequest({
          url,
          signingSecret: TEST_SIGNING_SECRET,
          now: () => NOW.getTime(),
          payload: {
            type: "block_actions",
            team: { id: TEAM },
            user: { id: ALICE, team_id: TEAM },
            api_app_id: "A0FAKEAPP",
            token: "x",
            channel: { id: PROJECT },
            response_url: slack.responseUrl("share-2"),
            trigger_id: slack.issueTriggerId({ userId: ALICE }),
            actions: [
              { type: "button", action_id: "flow_report_share", block_id: "b", value, action_ts: "1" },
            ],
          },
        }),
      );
      expect(res.status).toBe(200);
      await expect.poll(() => slack.responsePosts("share-2").length, { timeout: 15_000 }).toBe(1);
      expect(JSON.stringify(slack.responsePosts("share-2")[0]!.body)).toContain("/invite @flowbot");
    } finally {
      slack.state.channels.get(PROJECT)!.is_member = true;
    }
  });

  it("marks values that rest on ClickUp's time-in-status estimates", async () => {
    const { responseId } = await command("report", ESTIMATED);
    const text = allText(await reportView(responseId));
    expect(text).toContain("Estimated from ClickUp's time in status");
    expect(text).toContain("1 task age");
    expect(text).toMatch(/Legacy task>[^\n]*\*6 d ≈\* old/);
  });

  it("stays within Block Kit limits with 500 ageing tasks, listing the oldest and counting the rest", async () => {
    const { responseId } = await command("report", BIG);
    const post = await reportView(responseId); // the fake rejects oversize messages with a non-200
    expect(post.blocks!.length).toBeLessThanOrEqual(50);
    const text = allText(post);
    expect(text).toContain("500 in progress");
    expect(text).toContain("…and 485 more tasks in progress");
    // The oldest task (500 days) leads the list.
    const ageing = text.slice(text.indexOf("Oldest work in progress"));
    expect(ageing).toMatch(/Bulk task number 499 .*\*500 d\* old/);
    const images = imageIds(post);
    expect(images).toHaveLength(2);
    for (const id of images) expectUploadedPng(id);
    dumpCharts("big", post);
    dumpCharts("small", view);
  });
});

/** `DUMP_CHARTS=/some/dir vitest run test/flow/report.test.ts` writes the uploaded PNGs and blocks there, to look at. */
function dumpCharts(name: string, post: Post) {
  const dir = process.env.DUMP_CHARTS;
  if (!dir) return;
  for (const [i, id] of imageIds(post).entries())
    writeFileSync(`${dir}/${name}-${i}.png`, slack.upload(id)!.bytes!);
  writeFileSync(`${dir}/${name}.json`, JSON.stringify(post.blocks, null, 1));
}
