import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Flowbot, startFlowbot } from "../../src/app/start-flowbot.ts";
import { claimRequest } from "../../src/slack/access/claim-request.ts";
import { seededFake } from "../fakes/clickup/fixtures.ts";
import { createSlackFake, type SlackFake } from "../fakes/slack/index.ts";
import { bindFakeList } from "../helpers/bind-fake-list.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { interactionRequest, slashCommandRequest } from "../helpers/sign-slack-request.ts";
import { TEST_SIGNING_SECRET, testConfig } from "../helpers/test-config.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

// A signed Slack request captured and sent again within its five-minute window — to the same web
// process or to another one on the same database — runs once: the replay is answered "already
// handled" and starts nothing (no second backfill queued, no job revision bumped).
const TEAM = "T0FAKETEAM";
const ADMIN = "U0ADMIN";
const CHANNEL = "C0PROJECT";

let db: TestDatabase;
let slack: SlackFake;
let w: ReturnType<typeof seededFake>;
const web: Flowbot[] = [];
let bindingId: number;

beforeAll(async () => {
  db = await createTestDatabase();
  w = seededFake({ rateLimit: { limit: 10_000, windowMs: 60_000 } });
  slack = createSlackFake({
    users: [{ id: ADMIN, is_admin: true }],
    channels: [{ id: CHANNEL, name: "project", members: [ADMIN] }],
  });
  for (let i = 0; i < 2; i++) {
    web.push(
      await startFlowbot({
        // No worker, so queued jobs stay visible.
        config: testConfig({
          DATABASE_URL: db.url,
          CLICKUP_API_URL: "http://clickup.test/api",
          FLOWBOT_ROLE: "web",
        }),
        logger: captureLogs().logger,
        slackFetch: slack.fetch,
        clickupFetch: w.fake.fetch,
        crontab: "",
      }),
    );
  }
  ({ bindingId } = await bindFakeList(web[0]!.database.db, web[0]!.sealer, w, {
    slackTeamId: TEAM,
    channelId: CHANNEL,
  }));
});
afterAll(async () => {
  for (const f of web) await f.stop();
  await db?.drop();
});

const url = (i: number) => `${web[i]!.url}/slack/events`;
const backfillJobs = () =>
  web[0]!.database.sql<{ revision: number }[]>`
    select revision from graphile_worker._private_jobs j
    join graphile_worker._private_tasks t on t.id = j.task_id where t.identifier = 'backfill-binding'`;

describe("replayed Slack requests", () => {
  it("a replayed /flow backfill, to either web process, queues nothing more", async () => {
    const timestamp = Math.floor(Date.now() / 1000);
    const trigger = slack.issueTriggerId({ userId: ADMIN });
    const send = (i: number) =>
      fetch(
        slashCommandRequest({
          url: url(i),
          signingSecret: TEST_SIGNING_SECRET,
          timestamp,
          text: `backfill ${bindingId}`,
          user_id: ADMIN,
          team_id: TEAM,
          channel_id: CHANNEL,
          trigger_id: trigger,
        }),
      ).then((r) => r.json() as Promise<{ text: string }>);

    const first = await send(0);
    expect(first.text).toMatch(/backfill/i);
    expect(first.text).not.toContain("already handled");
    expect(await backfillJobs()).toEqual([{ revision: 0 }]);
    for (const i of [0, 1, 1]) {
      expect((await send(i)).text).toBe("This request was already handled once; it was not run again.");
    }
    expect(await backfillJobs()).toEqual([{ revision: 0 }]);

    // The same command sent afresh (a new timestamp and signature) is a new request, and runs.
    const again = await fetch(
      slashCommandRequest({
        url: url(1),
        signingSecret: TEST_SIGNING_SECRET,
        timestamp: timestamp + 1,
        text: `backfill ${bindingId}`,
        user_id: ADMIN,
        team_id: TEAM,
        channel_id: CHANNEL,
        trigger_id: slack.issueTriggerId({ userId: ADMIN }),
      }),
    ).then((r) => r.json() as Promise<{ text: string }>);
    expect(again.text).not.toContain("already handled");
    expect(await backfillJobs()).toEqual([{ revision: 1 }]);
  });

  it("a replayed Backfill now button runs once", async () => {
    await web[0]!.database.sql`delete from graphile_worker._private_jobs`;
    const timestamp = Math.floor(Date.now() / 1000);
    const press = (i: number, responseId: string) =>
      fetch(
        interactionRequest({
          url: url(i),
          signingSecret: TEST_SIGNING_SECRET,
          timestamp,
          payload: {
            type: "block_actions",
            team: { id: TEAM },
            user: { id: ADMIN, team_id: TEAM },
            api_app_id: "A0FAKEAPP",
            token: "x",
            trigger_id: "13345224609.738474920.8088930838d88f008e0",
            channel: { id: CHANNEL },
            container: { type: "message", is_ephemeral: true, channel_id: CHANNEL },
            response_url: slack.responseUrl(responseId),
            actions: [
              {
                type: "button",
                action_id: "binding_backfill",
                block_id: `binding_${bindingId}`,
                value: String(bindingId),
              },
            ],
          },
        }),
      );
    expect((await press(0, "button")).status).toBe(200);
    await expect.poll(() => backfillJobs()).toEqual([{ revision: 0 }]);
    expect((await press(1, "button")).status).toBe(200);
    await expect.poll(() => JSON.stringify(slack.responsePosts("button"))).toContain("already handled once");
    expect(await backfillJobs()).toEqual([{ revision: 0 }]);
  });

  it("keeps a claim only while Slack's window could accept the request, then sweeps it", async () => {
    const sql = web[0]!.database.sql;
    const t = 1_900_000_000;
    const signed = { signature: "v0=feed", timestampSeconds: t };
    expect(await claimRequest(sql, signed, t * 1000)).toBe(true);
    expect(await claimRequest(sql, signed, (t + 300) * 1000)).toBe(false);
    // Past the window the signature check refuses the request anyway; the claim is swept by the next one.
    expect(
      await claimRequest(sql, { signature: "v0=beef", timestampSeconds: t + 400 }, (t + 400) * 1000),
    ).toBe(true);
    expect(
      await sql`select signature from slack_requests_seen where signature in ('v0=feed', 'v0=beef')`,
    ).toEqual([{ signature: "v0=beef" }]);
  });
});
