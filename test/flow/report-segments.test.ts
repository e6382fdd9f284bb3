import type { Sql } from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Flowbot, startFlowbot } from "../../src/app/start-flowbot.ts";
import { createSlackFake, type SlackFake } from "../fakes/slack/index.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { interactionRequest, slashCommandRequest } from "../helpers/sign-slack-request.ts";
import { TEST_SIGNING_SECRET, testConfig } from "../helpers/test-config.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import { DAY_MS, seedCase, seedProject } from "./report-fixtures.ts";

// `/flow report [window] [dimension:]value` through the running app (docs/flow-metrics.md §7): signed slash
// commands in, the ephemeral Flow view out on the response_url. The project segments by task type and
// holds §7's worked example: Bug 0.5, 1.0, 1.5, 3.0, 4.5 d; Feature 6.0, 9.0, 14.0 d and one that skipped
// the workflow; a bug in progress for 5 days and a feature for 8.
const TEAM = "T0FAKETEAM";
const ALICE = "U0ALICE";
const PROJECT = "C0SEGMENTED";
const PLAIN = "C0PLAIN";
const NOW = new Date("2026-11-20T12:00:00Z");
const ago = (days: number) => new Date(NOW.getTime() - days * DAY_MS);

type Block = { type: string; text?: { text: string }; elements?: { value?: string; action_id?: string }[] };
type Post = { text?: string; blocks?: Block[]; response_type?: string };

let db: TestDatabase;
let slack: SlackFake;
let flowbot: Flowbot;
let url: string;

/** A case of type `typeId` started `start` days ago that finished `cycle` days later (or is in progress). */
async function typed(
  sql: Sql,
  bindingId: number,
  name: string,
  typeId: number,
  start: number,
  cycle: number | null,
  priority: string | null = null,
) {
  const path: Parameters<typeof seedCase>[2]["path"] = [
    ["todo", ago(start + 1)],
    ["progress", ago(start)],
  ];
  if (cycle !== null) path.push(["complete", ago(start - cycle)]);
  const id = await seedCase(sql, bindingId, { name, path });
  await sql`update tracked_cases set task_type_id = ${typeId}, priority = ${priority}::task_priority where id = ${id}`;
}

beforeAll(async () => {
  db = await createTestDatabase();
  slack = createSlackFake({
    users: [{ id: ALICE, name: "alice" }],
    channels: [PROJECT, PLAIN].map((id) => ({ id, name: id.toLowerCase(), members: [ALICE] })),
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
  const [connection] = await sql<{ id: number }[]>`
    insert into connections (slack_team_id, clickup_team_id, clickup_team_name, token_sealed, token_last4,
                             token_owner_id, token_owner_name, connected_by)
    values (${TEAM}, '9001', 'Acme', 'sealed', '9999', 1, 'Jane', 'U0ADMIN') returning id::int`;
  await sql`insert into custom_task_types (connection_id, type_id, name, fetched_at)
            values (${connection!.id}, 1002, 'Bug', ${NOW}), (${connection!.id}, 1003, 'Feature', ${NOW})`;

  const { projectId, bindingId } = await seedProject(sql, { teamId: TEAM, channelId: PROJECT });
  for (const [i, cycle] of [0.5, 1.0, 1.5, 3.0, 4.5].entries()) {
    await typed(sql, bindingId, `Bug ${i + 1}`, 1002, 30 - i, cycle, i === 0 ? "urgent" : null);
  }
  for (const [i, cycle] of [6.0, 9.0, 14.0].entries()) {
    await typed(sql, bindingId, `Feature ${i + 1}`, 1003, 40 - i, cycle);
  }
  const skipped = await seedCase(sql, bindingId, {
    name: "Feature 4",
    path: [
      ["todo", ago(12)],
      ["complete", ago(11)],
    ],
  });
  await sql`update tracked_cases set task_type_id = 1003 where id = ${skipped}`;
  await typed(sql, bindingId, "WIP bug", 1002, 5, null, "urgent");
  await typed(sql, bindingId, "WIP feature", 1003, 8, null);
  await sql`insert into segment_settings (project_id, dimension, updated_by) values (${projectId}, 'type', 'U0ADMIN')`;

  const plain = await seedProject(sql, { teamId: TEAM, channelId: PLAIN });
  await typed(sql, plain.bindingId, "Plain bug", 1002, 10, 2);
}, 60_000);

afterAll(async () => {
  await flowbot?.stop();
  await db?.drop();
});

async function command(text: string, channel = PROJECT) {
  const responseId = `r-${text.replace(/\W+/g, "_")}-${Math.random().toString(36).slice(2, 8)}`;
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

async function reportView(responseId: string): Promise<Post> {
  await expect.poll(() => slack.responsePosts(responseId).length, { timeout: 15_000 }).toBeGreaterThan(0);
  const [post] = slack.responsePosts(responseId);
  expect(post!.status).toBe(200);
  return post!.body as Post;
}

const allText = (post: Post) => JSON.stringify(post.blocks ?? []);
const noResponse = async (responseId: string) => {
  await new Promise((r) => setTimeout(r, 100));
  expect(slack.responsePosts(responseId)).toHaveLength(0);
};

describe("/flow report on one segment", () => {
  let bugView: Post;

  it("`/flow report 90d type:Bug` counts the bugs alone, against their own SLE", async () => {
    const { ack, responseId } = await command("report 90d type:Bug");
    expect(ack.text).toContain(
      "Building the Flow view of <#C0SEGMENTED> (task type: Bug) for the last 90 days",
    );
    bugView = await reportView(responseId);
    const text = allText(bugView);
    expect(bugView.blocks![0]).toMatchObject({
      text: { text: "Flow report · last 90 days · task type: Bug" },
    });
    expect(text).toContain("*Cycle time* (5 tasks)\\n50% 1.5 d · 70% 3 d · 85% 4.5 d · 95% 4.5 d");
    expect(text).toContain("85% of these tasks finish within *4.5 d* (its own 85th percentile, n 5)");
    expect(text).toContain("(5 finished)");
    // The bug aged 5.0 d is over the Bug SLE of 4.5 d.
    expect(text).toContain("1 in progress · 1 ageing (over 4.5 d)");
    expect(text).toContain("WIP bug");
    expect(text).not.toContain("WIP feature");
    expect(text).not.toContain("Feature 1");
    expect(text).toContain("Only the tasks whose task type is *Bug* now");
    // A filtered report has no per-segment section.
    expect(text).not.toContain("*By task type*");
    expect(bugView.blocks!.length).toBeLessThanOrEqual(50);
  });

  it("a bare value is looked up in the project's dimension; too few finished use the project's SLE", async () => {
    const { responseId } = await command("report feature");
    const text = allText(await reportView(responseId));
    expect(text).toContain("task type: Feature");
    expect(text).toContain("*Cycle time* (3 tasks)\\n50% 9 d · 70% 14 d · 85% 14 d · 95% 14 d");
    expect(text).toContain("85% of these tasks finish within *9 d* (project's SLE — only 3 finished)");
    expect(text).toContain("(4 finished)");
    expect(text).toContain("*Skipped the workflow*\\n1 task");
    // Aged 8.0 d: at risk on the project's ladder (p70 6.0), not ageing (SLE 9.0).
    expect(text).toContain("1 in progress · 0 ageing (over 9 d)");
  });

  it("another dimension than the project's may be named: `priority:urgent`", async () => {
    const { ack, responseId } = await command("report priority:URGENT 2w");
    expect(ack.text).toContain("(priority: urgent) for the last 14 days");
    const text = allText(await reportView(responseId));
    expect(text).toContain("Flow report · last 14 days · priority: urgent");
    expect(text).toContain("WIP bug");
    expect(text).toContain("*Cycle time* (0 tasks)"); // Bug 1 finished 29.5 days ago, outside 14 days
  });

  it("an unknown value answers privately with the values that exist and their counts", async () => {
    const { ack, responseId } = await command("report 90d type:Bugg");
    expect(ack.response_type).toBe("ephemeral");
    expect(ack.text).toContain("No task of this channel has `Bugg` as its task type now");
    expect(ack.text).toContain("• `type:Bug` — 6 tasks\n• `type:Feature` — 5 tasks");
    expect(ack.text).toContain("For example `/flow report 90d type:Bug`");
    await noResponse(responseId);
    const bare = await command("report Milestone");
    expect(bare.ack.text).toContain("has `Milestone` as its task type now");
    expect(bare.ack.text).toContain("• `Bug` — 6 tasks");
  });

  it("an unknown dimension answers with the ones there are", async () => {
    const { ack, responseId } = await command("report severity:high");
    expect(ack.text).toContain("`severity` is not something this channel's tasks can be segmented by");
    expect(ack.text).toContain("`type`, `priority`, `list`");
    await noResponse(responseId);
  });

  it("a bare value in a project without a dimension says how to name one, and computes nothing", async () => {
    const { ack, responseId } = await command("report Bug", PLAIN);
    expect(ack.text).toContain("this channel has no segment dimension");
    expect(ack.text).toContain("e.g. `30d`, `90d` or `12w`");
    expect(ack.text).toContain("/flow settings segments");
    await noResponse(responseId);
    // Named, the dimension works there too.
    const named = await command("report type:bug", PLAIN);
    expect(allText(await reportView(named.responseId))).toContain("task type: Bug");
  });

  it("the whole report of a segmented project carries the per-segment section", async () => {
    const { responseId } = await command("report");
    const text = allText(await reportView(responseId));
    expect(text).toContain("*Cycle time* (8 tasks)\\n50% 3 d · 70% 6 d · 85% 9 d · 95% 14 d");
    expect(text).toContain("*By task type*");
    // The bug (5.0 d) is over its own SLE of 4.5 d, though not over the project's 9 d.
    expect(text).toContain("2 in progress · 1 ageing (each over its segment's threshold)");
    expect(text).toContain(
      "• *Bug* (n 5) · 50% 1.5 d · 70% 3 d · 85% 4.5 d · 95% 4.5 d · SLE *4.5 d* (its own 85th percentile, n 5) · 5 finished · 1 in progress",
    );
    expect(text).toContain(
      "• *Feature* (n 3, too few) · 50% 9 d · 70% 14 d · 85% 14 d · 95% 14 d · SLE *9 d* (project's SLE — only 3 finished) · 4 finished · 1 in progress",
    );
    const plain = await command("report", PLAIN);
    expect(allText(await reportView(plain.responseId))).not.toContain("*By ");
  });

  it("Share to channel shares the filtered view", async () => {
    const value = (bugView.blocks ?? [])
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id === "flow_report_share")!.value!;
    expect(JSON.parse(value)).toMatchObject({ g: "type", v: "Bug" });
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
          response_url: slack.responseUrl("share-segment"),
          trigger_id: slack.issueTriggerId({ userId: ALICE }),
          actions: [{ type: "button", action_id: "flow_report_share", block_id: "b", value, action_ts: "1" }],
        },
      }),
    );
    expect(res.status).toBe(200);
    await expect.poll(() => slack.messages(PROJECT).length, { timeout: 15_000 }).toBe(1);
    const shared = slack.messages(PROJECT)[0]! as Post;
    expect(allText(shared)).toContain("Flow report · last 90 days · task type: Bug");
    expect(allText(shared)).toContain("85% of these tasks finish within *4.5 d*");
  });
});
