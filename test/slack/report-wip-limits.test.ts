import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Flowbot, startFlowbot } from "../../src/app/start-flowbot.ts";
import { saveWipLimits } from "../../src/flow/metrics/wip-limits-settings.ts";
import { createSlackFake, type SlackFake } from "../fakes/slack/index.ts";
import { DAY_MS, seedCase, seedProject } from "../flow/report-fixtures.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { slashCommandRequest } from "../helpers/sign-slack-request.ts";
import { TEST_SIGNING_SECRET, testConfig } from "../helpers/test-config.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

// `/flow report` through the running app shows WIP against the project's limits and arrivals against
// departures per ISO week (docs/flow-metrics.md §10), from a signed slash command to the response_url.
const TEAM = "T0FAKETEAM";
const ALICE = "U0ALICE";
const CHANNEL = "C0LIMITED";
// Friday 20 Nov 2026 (ISO week 47), UTC project.
const NOW = new Date("2026-11-20T12:00:00Z");
const ago = (days: number) => new Date(NOW.getTime() - days * DAY_MS);

type Post = { text?: string; blocks?: { type: string; text?: { text: string } }[] };

let db: TestDatabase;
let slack: SlackFake;
let flowbot: Flowbot;

beforeAll(async () => {
  db = await createTestDatabase();
  slack = createSlackFake({
    users: [{ id: ALICE, name: "alice" }],
    channels: [{ id: CHANNEL, name: "limited", members: [ALICE] }],
  });
  flowbot = await startFlowbot({
    config: testConfig({ DATABASE_URL: db.url }),
    logger: captureLogs().logger,
    slackFetch: slack.fetch,
    now: () => NOW.getTime(),
    crontab: "",
  });
  const sql = flowbot.database.sql;
  const { projectId, bindingId } = await seedProject(sql, {
    teamId: TEAM,
    channelId: CHANNEL,
    windowDays: 14,
  });
  // Three in review (started this week, Mon 16 Nov onwards), one in progress since last week, one that
  // started last week and finished this week.
  for (const name of ["R1", "R2", "R3"]) {
    await seedCase(sql, bindingId, {
      name,
      path: [
        ["todo", ago(4)],
        ["progress", ago(3)],
        ["review", ago(2)],
      ],
    });
  }
  await seedCase(sql, bindingId, {
    name: "P1",
    path: [
      ["todo", ago(9)],
      ["progress", ago(8)],
    ],
  });
  await seedCase(sql, bindingId, {
    name: "F1",
    path: [
      ["todo", ago(9)],
      ["progress", ago(8)],
      ["complete", ago(1)],
    ],
  });
  await saveWipLimits(
    sql,
    projectId,
    {
      limits: [
        { kind: "stage", stage: "active", limit: 4 },
        { kind: "status", key: "review", limit: 2 },
        { kind: "status", key: "in progress", limit: 1 },
      ],
      alertAtOnce: false,
    },
    { userId: "U0ADMIN", at: NOW },
  );
}, 60_000);

afterAll(async () => {
  await flowbot?.stop();
  await db?.drop();
});

describe("/flow report with WIP limits", () => {
  it("shows count / limit per limit, marks those over, and arrivals vs departures per ISO week", async () => {
    const responseId = "r-limits";
    const res = await fetch(
      slashCommandRequest({
        url: `${flowbot.url}/slack/events`,
        signingSecret: TEST_SIGNING_SECRET,
        now: () => NOW.getTime(),
        text: "report",
        team_id: TEAM,
        user_id: ALICE,
        channel_id: CHANNEL,
        response_url: slack.responseUrl(responseId),
      }),
    );
    expect(res.status).toBe(200);
    await expect.poll(() => slack.responsePosts(responseId).length, { timeout: 15_000 }).toBeGreaterThan(0);
    const post = slack.responsePosts(responseId)[0]!.body as Post;
    const sections = (post.blocks ?? []).flatMap((b) =>
      b.type === "section" && b.text ? [b.text.text] : [],
    );
    expect(sections.find((t) => t.startsWith("*WIP vs limit*"))).toBe(
      [
        "*WIP vs limit* (1 over)",
        // At the limit is not over (§10.1).
        "• Active (stage): 4 / 4",
        "• in progress: 1 / 1",
        "• :warning: *review: 3 / 2* — over",
      ].join("\n"),
    );
    // The 14-day window runs from Fri 6 Nov: ISO weeks 45, 46 and 47.
    expect(sections.find((t) => t.startsWith("*Arrivals vs departures*"))).toBe(
      [
        "*Arrivals vs departures* (per ISO week; 5 started, 1 finished)",
        "• 2026-W45: 0 arrived · 0 departed",
        "• 2026-W46: 2 arrived · 0 departed ↑",
        "• 2026-W47: 3 arrived · 1 departed ↑",
      ].join("\n"),
    );
  });
});
