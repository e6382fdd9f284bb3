import type { JobHelpers } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import checkTrackedForecastsJob from "../../jobs/check-tracked-forecasts.ts";
import { type Flowbot, startFlowbot } from "../../src/app/start-flowbot.ts";
import { createSlackFake, type SlackFake } from "../fakes/slack/index.ts";
import { seedProject } from "../flow/report-fixtures.ts";
import { seedFinishedPerDay, seedOpen } from "../forecast/forecast-fixtures.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { slashCommandRequest } from "../helpers/sign-slack-request.ts";
import { TEST_SIGNING_SECRET, testConfig } from "../helpers/test-config.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

// `/flow forecast` through the running app (docs/flow-metrics.md §12): signed slash commands in, the
// ephemeral answers and the histogram upload out through the Slack fake, and the nightly tracked-forecast
// job posting its drop to the channel.
const TEAM = "T0FAKETEAM";
const ADMIN = "U0ADMIN";
const ALICE = "U0ALICE";
const CHANNEL = "C0FORECAST";
const EMPTY = "C0NOPROJECT";
// Thu 19 Mar 2026, UTC project; the history is Thu 25 Dec 2025 – Wed 18 Mar 2026, two finished a day.
const NOW = new Date("2026-03-19T12:00:00Z");

type Post = {
  text?: string;
  blocks?: { type: string; text?: { text: string }; slack_file?: { id: string } }[];
};

let db: TestDatabase;
let slack: SlackFake;
let flowbot: Flowbot;
let bindingId: number;
let responses = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  slack = createSlackFake({
    users: [{ id: ADMIN, is_admin: true }, { id: ALICE }],
    channels: [
      { id: CHANNEL, name: "forecast", members: [ADMIN, ALICE] },
      { id: EMPTY, name: "empty", members: [ALICE] },
    ],
  });
  flowbot = await startFlowbot({
    config: testConfig({ DATABASE_URL: db.url }),
    logger: captureLogs().logger,
    slackFetch: slack.fetch,
    now: () => NOW.getTime(),
    crontab: "",
  });
  const sql = flowbot.database.sql;
  ({ bindingId } = await seedProject(sql, { teamId: TEAM, channelId: CHANNEL }));
  await seedFinishedPerDay(sql, bindingId, "2025-12-25", Array(84).fill(2));
  await seedOpen(sql, bindingId, 10, new Date("2026-03-16T09:00:00Z"), ["launch"]);
}, 60_000);

afterAll(async () => {
  await flowbot?.stop();
  await db?.drop();
});

/** Sends `/flow <text>`; the slash command's own HTTP answer and the response_url id. */
async function command(text: string, userId = ALICE, channelId = CHANNEL) {
  responses += 1;
  const responseId = `forecast-${responses}`;
  const res = await fetch(
    slashCommandRequest({
      url: `${flowbot.url}/slack/events`,
      signingSecret: TEST_SIGNING_SECRET,
      now: () => NOW.getTime(),
      text,
      team_id: TEAM,
      user_id: userId,
      channel_id: channelId,
      response_url: slack.responseUrl(responseId),
    }),
  );
  expect(res.status).toBe(200);
  const body = (await res.json()) as { response_type?: string; text?: string };
  return { body, responseId };
}

async function answerOf(responseId: string): Promise<Post> {
  await expect.poll(() => slack.responsePosts(responseId).length, { timeout: 20_000 }).toBeGreaterThan(0);
  return slack.responsePosts(responseId)[0]!.body as Post;
}

function expectChart(post: Post) {
  const image = post.blocks?.find((b) => b.type === "image");
  expect(image?.slack_file?.id).toMatch(/^F/);
  const upload = slack.upload(image!.slack_file!.id);
  expect(upload?.completed).toBe(true);
  const bytes = upload!.bytes!;
  // A PNG, well inside Slack's file limits.
  expect(Buffer.from(bytes.subarray(0, 8)).toString("hex")).toBe("89504e470d0a1a0a");
  expect(bytes.length).toBeGreaterThan(5_000);
  expect(bytes.length).toBeLessThan(1_000_000);
}

describe("/flow forecast answers", () => {
  it("when N: the date at each level, the sample window, sample days and trials, and the histogram", async () => {
    const { body, responseId } = await command("forecast when 10");
    expect(body).toMatchObject({ response_type: "ephemeral" });
    expect(body.text).toContain("Forecasting the whole project");
    const post = await answerOf(responseId);
    expect(post.text).toContain("*When will 10 more tasks be finished* — the whole project");
    expect(post.text).toContain("• 50% confident: by *Tue 24 Mar 2026* (5 days)");
    expect(post.text).toContain("• 95% confident: by *Tue 24 Mar 2026* (5 days)");
    expect(post.text).toContain(
      "From 10,000 trials over the throughput of Thu 25 Dec 2025 – Wed 18 Mar 2026: 84 sample days, 84 with a finished task (168 tasks finished).",
    );
    expectChart(post);
  });

  it("how-many by a date", async () => {
    const { responseId } = await command("forecast how-many by 2026-03-24");
    const post = await answerOf(responseId);
    expect(post.text).toContain(
      "*How many will finish by Tue 24 Mar 2026* — the whole project, 5 days from tomorrow",
    );
    expect(post.text).toContain("• 85% confident: *10* or more");
    expectChart(post);
  });

  it("a set: the open tasks of a tag, from the project's throughput when its own is too thin", async () => {
    const { responseId } = await command("forecast Launch");
    const post = await answerOf(responseId);
    expect(post.text).toContain("*When will the 10 open tasks of tag launch be done*");
    expect(post.text).toContain("by *Tue 24 Mar 2026*");
    expect(post.text).toContain(
      "From the whole project's throughput: tag launch alone has 0 days with a finished task",
    );
  });
});

describe("tracked forecasts through the app", () => {
  it("refuses a non-admin, tracks for an admin, lists, alerts the channel once on a drop, untracks", async () => {
    const refused = await command("forecast track launch by 2026-03-25");
    expect(refused.body).toMatchObject({ response_type: "ephemeral" });
    expect(refused.body.text).toMatch(/^:lock: Only flowbot admins can track or untrack forecasts/);
    expect(await flowbot.database.sql`select * from tracked_forecasts`).toHaveLength(0);

    const tracked = await command("forecast track launch by 2026-03-25", ADMIN);
    expect(tracked.body.text).toContain(
      ":white_check_mark: Tracking tag launch by Wed 25 Mar 2026 (#1): 10 open tasks, a 100% chance of finishing by then (from the whole project's throughput).",
    );
    const listed = await command("forecast list");
    expect(listed.body.text).toContain("• #1 tag launch by Wed 25 Mar 2026 — 100% chance, 10 open tasks");

    // Four more launch tasks: 14 need 7 days at two a day, past the date.
    await seedOpen(flowbot.database.sql, bindingId, 4, new Date("2026-03-19T10:00:00Z"), ["launch"]);
    const deps = {
      config: flowbot.config,
      database: flowbot.database,
      logger: captureLogs().logger,
      now: () => NOW.getTime(),
      sealer: flowbot.sealer,
      clickup: () => {
        throw new Error("no ClickUp here");
      },
      slack: flowbot.slack!.client,
    };
    const helpers = { abortSignal: new AbortController().signal } as unknown as JobHelpers;
    await checkTrackedForecastsJob(deps)({}, helpers);
    await checkTrackedForecastsJob(deps)({}, helpers);
    const alerts = slack.messages(CHANNEL).filter((m) => m.text?.includes("The chance of finishing"));
    expect(alerts.map((m) => m.text)).toEqual([
      ":chart_with_downwards_trend: The chance of finishing tag launch by Wed 25 Mar 2026 is now 0% (−100 points since the last run, 100%): below 50%. `/flow forecast launch` shows the dates.",
    ]);

    const notAdmin = await command("forecast untrack 1");
    expect(notAdmin.body.text).toMatch(/^:lock: /);
    const untracked = await command("forecast untrack launch", ADMIN);
    expect(untracked.body.text).toBe(
      ":white_check_mark: Stopped tracking tag launch by Wed 25 Mar 2026 (#1).",
    );
    expect(await flowbot.database.sql`select * from tracked_forecasts`).toHaveLength(0);
  });
});

describe("hostile and mistyped forecasts get an ephemeral message naming what to fix", () => {
  it.each([
    ["forecast when 10", EMPTY, /^:link: <#C0NOPROJECT> has no ClickUp list, folder or space bound to it/],
    ["forecast when zero", CHANNEL, /`zero` is not a number of tasks: give a whole number from 1 to 100,000/],
    ["forecast when 0", CHANNEL, /`0` is not a number of tasks/],
    ["forecast how-many by 2026-02-30", CHANNEL, /`2026-02-30` is not a date: write it as `YYYY-MM-DD`/],
    ["forecast how-many by 2026-03-19", CHANNEL, /`2026-03-19` is not after today \(2026-03-19 in UTC\)/],
    ["forecast when 5 type:Nonsense", CHANNEL, /No task of this channel has `Nonsense` as its task type now/],
    [
      "forecast no-such-set",
      CHANNEL,
      /`no-such-set` is no list, folder, tag or segment value of this channel's tasks. Lists: `Sprint`/,
    ],
    ["forecast when 5 400w", CHANNEL, /`400w` is outside the history windows/],
    ["forecast", CHANNEL, /What should I forecast\?/],
  ])("%s in %s", async (text, channel, message) => {
    const before = slack.responsePosts().length;
    const { body } = await command(text, ALICE, channel);
    expect(body).toMatchObject({ response_type: "ephemeral" });
    expect(body.text).toMatch(message);
    // Answered in the command's own reply: nothing was computed or posted after it.
    expect(slack.responsePosts().length).toBe(before);
  });

  it("a project too thin to forecast says so, with no number", async () => {
    const { responseId } = await command("forecast when 5 1w");
    const post = await answerOf(responseId);
    expect(post.text).toMatch(
      /^:crystal_ball: Too little history to forecast the whole project: only 7 days of 7 sample days/,
    );
  });
});
