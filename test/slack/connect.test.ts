import postgres from "postgres";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { bindings, clickupWebhooks, connections, projects } from "../../db/schema.ts";
import { type Flowbot, startFlowbot } from "../../src/app/start-flowbot.ts";
import { createSealer } from "../../src/crypto/sealer.ts";
import { type ClickUpFake, createClickUpFake } from "../fakes/clickup/index.ts";
import { createSlackFake, type SlackFake } from "../fakes/slack/index.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { slashCommandRequest } from "../helpers/sign-slack-request.ts";
import { modalKit } from "../helpers/slack-modals.ts";
import { TEST_KEY_HEX, TEST_SIGNING_SECRET, testConfig } from "../helpers/test-config.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

// Every path of /flow connect, status, module and disconnect, driven as Slack drives them: signed
// slash commands and view submissions to /slack/events, Slack and ClickUp answered by the fakes.
const TEAM = "T0FAKETEAM";
const ADMIN = "U0ADMIN";
const MEMBER = "U0MEMBER";
const CHANNEL = "C0PROJECT";

let db: TestDatabase;
let slack: SlackFake;
let clickup: ClickUpFake;
let flowbot: Flowbot;
const logs = captureLogs();
let url: string;
let acmeToken: string;
let multiToken: string;

beforeAll(async () => {
  db = await createTestDatabase();
  slack = createSlackFake({
    users: [
      { id: ADMIN, is_admin: true, profile: { email: "ada@example.com" } },
      { id: MEMBER, profile: { email: "max@example.com" } },
      { id: "U0BOT", is_bot: true, is_admin: true },
    ],
    channels: [{ id: CHANNEL, name: "project" }],
  });
  clickup = createClickUpFake();
  clickup.addWorkspace({ id: "9001", name: "Acme" });
  clickup.addWorkspace({ id: "9002", name: "Beta" });
  acmeToken = "pk_100_ACMETOKENACMETOKENACMETOKEN1234";
  multiToken = "pk_200_MULTITOKENMULTITOKENMULTI5678";
  clickup.addUser({
    id: 100,
    username: "Jane Roe",
    email: "jane@example.com",
    token: acmeToken,
    teamIds: ["9001"],
  });
  clickup.addUser({ id: 200, username: "Sam Poe", token: multiToken, teamIds: ["9001", "9002"] });
  flowbot = await startFlowbot({
    config: testConfig({ DATABASE_URL: db.url, CLICKUP_API_URL: "http://clickup.fake/api" }),
    logger: logs.logger,
    slackFetch: slack.fetch,
    clickupFetch: clickup.fetch,
  });
  url = `${flowbot.url}/slack/events`;
});
afterAll(async () => {
  await flowbot?.stop();
  await db?.drop();
});

const command = (text: string, user = ADMIN) =>
  fetch(
    slashCommandRequest({
      url,
      signingSecret: TEST_SIGNING_SECRET,
      text,
      user_id: user,
      team_id: TEAM,
      channel_id: CHANNEL,
      trigger_id: slack.issueTriggerId({ userId: user }),
    }),
  );

const modals = () => modalKit({ slack, url, sql: () => flowbot.database.sql });

/** Submits the modal `/flow <opener>` opens, with these input values. */
const submitOpened = async (opener: string, values: Record<string, unknown>) => {
  const kit = modals();
  const viewId = await kit.open(() => command(opener));
  return kit.submit(viewId, values);
};

const connectWith = (token: string, workspace = "") =>
  submitOpened("connect", {
    token: { value: { type: "plain_text_input", value: token } },
    workspace: { value: { type: "plain_text_input", value: workspace } },
  });

type Ack = {
  response_action?: string;
  errors?: Record<string, string>;
  view?: { blocks: { text: { text: string } }[] };
};
const ackOf = async (
  answer: Promise<{ status: number; body: unknown }> | { status: number; body: unknown },
) => {
  const { status, body } = await answer;
  expect(status).toBe(200);
  return body as Ack;
};
const rows = () => flowbot.database.db.select().from(connections);

describe("/flow connect", () => {
  beforeEach(async () => {
    await flowbot.database.db.delete(connections);
  });

  it("opens the modal for an admin", async () => {
    const res = await command("connect");
    expect(res.status).toBe(200);
    await expect.poll(() => slack.callsTo("views.open").length).toBeGreaterThan(0);
    const view = slack.callsTo("views.open").at(-1)!.args.view as { callback_id: string };
    expect(view.callback_id).toBe("flow_connect");
  });

  it("refuses a non-admin, saying who can do it, and opens nothing", async () => {
    const before = slack.callsTo("views.open").length;
    const body = (await (await command("connect", MEMBER)).json()) as { text: string; response_type: string };
    expect(body.response_type).toBe("ephemeral");
    expect(body.text).toContain("Slack workspace admins and owners");
    expect(slack.callsTo("views.open").length).toBe(before);
  });

  it("never treats a bot as an admin, even one flagged is_admin", async () => {
    const body = (await (await command("connect", "U0BOT")).json()) as { text: string };
    expect(body.text).toContain("Only flowbot admins can run `/flow connect`");
  });

  it("puts each validation error on the right field, without storing anything", async () => {
    const cases: [string, string, string, RegExp][] = [
      ["   ", "", "token", /Paste the token/],
      ["abc123", "", "token", /Settings › Apps.*starts with pk_/],
      [
        "pk_999_UNKNOWN",
        "",
        "token",
        /ClickUp rejected this token; regenerate it in ClickUp › Settings › Apps/,
      ],
      [multiToken, "", "workspace", /several ClickUp workspaces.*Acme \(9001\).*Beta \(9002\)/],
      [acmeToken, "9002", "workspace", /cannot see workspace 9002\. It can see: Acme \(9001\)/],
      [acmeToken, "acme", "workspace", /is a number/],
    ];
    for (const [index, [token, workspace, field, message]] of cases.entries()) {
      const requestsBefore = clickup.requests.count();
      const ack = await ackOf(await connectWith(token, workspace));
      expect(ack.response_action).toBe("errors");
      expect(Object.keys(ack.errors!)).toEqual([field]);
      expect(ack.errors![field]).toMatch(message);
      // Format problems are caught before any call to ClickUp.
      if (index < 2 || index === 5) expect(clickup.requests.count()).toBe(requestsBefore);
    }
    expect(await rows()).toHaveLength(0);
  });

  it("says ClickUp is down when it is, and stores nothing", async () => {
    clickup.faults.failNext(20, { status: 503 });
    const ack = await ackOf(connectWith(acmeToken)).finally(() => clickup.faults.clear());
    expect(ack.errors?.token).toMatch(/did not answer in time or is having problems/);
    expect(await rows()).toHaveLength(0);
  });

  it("stores the token sealed and tells the admin who it belongs to and what to do next", async () => {
    const ack = await ackOf(await connectWith(` ${acmeToken} `));
    expect(ack.response_action).toBe("update");
    const text = ack.view!.blocks[0]!.text.text;
    expect(text).toContain("Acme");
    expect(text).toContain("Jane Roe");
    expect(text).toContain("pk_…1234");
    expect(text).toContain("/flow bind");
    expect(text).not.toContain(acmeToken);
    const [row] = await rows();
    expect(row).toMatchObject({
      slackTeamId: TEAM,
      clickupTeamId: "9001",
      tokenLast4: "1234",
      connectedBy: ADMIN,
    });
    expect(row!.tokenSealed).not.toContain("pk_");
    expect(flowbot.sealer.open(row!.tokenSealed)).toBe(acmeToken);
    expect(row!.rateLimitPerMin).toBe(100);
  });

  it("leaves no pk_ plaintext anywhere in the database, nor in the logs", async () => {
    await connectWith(acmeToken);
    const sql = postgres(db.url, { max: 1 });
    const tables = await sql<{ table_name: string }[]>`
      select table_name from information_schema.tables where table_schema = 'public'`;
    for (const { table_name } of tables) {
      const dump = await sql.unsafe(`select t::text as row from ${table_name} t`);
      for (const r of dump) expect(String(r.row)).not.toContain("pk_");
    }
    await sql.end();
    expect(logs.text()).not.toContain(acmeToken.slice(3));
  });

  it("re-connecting the same workspace replaces the token and keeps bindings", async () => {
    await connectWith(acmeToken);
    const projectId = await seedBinding();
    const newToken = clickup.addToken(100);
    const ack = await ackOf(await connectWith(newToken));
    expect(ack.response_action).toBe("update");
    expect(flowbot.sealer.open((await rows())[0]!.tokenSealed)).toBe(newToken);
    expect(await flowbot.database.db.select().from(bindings)).toHaveLength(1);
    await flowbot.database.db.delete(projects).where(eqId(projectId));
  });

  it("refuses a different workspace while bindings exist, saying to unbind first", async () => {
    await connectWith(acmeToken);
    const projectId = await seedBinding();
    const ack = await ackOf(await connectWith(multiToken, "9002"));
    expect(ack.errors?.workspace).toMatch(
      /connected to ClickUp workspace Acme \(9001\) with 1 binding.*Unbind them first/,
    );
    expect((await rows())[0]!.clickupTeamId).toBe("9001");
    await flowbot.database.db.delete(projects).where(eqId(projectId));
    // With no bindings left, switching is allowed.
    expect((await ackOf(await connectWith(multiToken, "9002"))).response_action).toBe("update");
    expect((await rows())[0]!.clickupTeamId).toBe("9002");
  });
});

describe("/flow status and /flow module", () => {
  it("shows the connection to anyone, without secrets", async () => {
    await flowbot.database.db.delete(connections);
    await connectWith(acmeToken);
    const body = (await (await command("status", MEMBER)).json()) as { text: string };
    expect(body.text).toContain("Acme (9001)");
    expect(body.text).toContain("pk_…1234");
    expect(body.text).toContain("Jane Roe");
    expect(body.text).toContain("100 requests/min");
    expect(body.text).toContain("*Module:* on");
    expect(body.text).not.toContain(acmeToken);
  });

  it("turns the module off and on for admins only, and explains bad input", async () => {
    expect(((await (await command("module off", MEMBER)).json()) as { text: string }).text).toContain(
      "admins",
    );
    expect(((await (await command("module sideways")).json()) as { text: string }).text).toContain(
      "`/flow module off` or `/flow module on` (not `sideways`)",
    );
    await command("module off");
    expect((await rows())[0]!.moduleEnabled).toBe(false);
    expect(((await (await command("status")).json()) as { text: string }).text).toContain("*Module:* off");
    await command("module on");
    expect((await rows())[0]!.moduleEnabled).toBe(true);
  });
});

describe("/flow disconnect", () => {
  it("asks for confirmation, then deletes flowbot's webhooks in ClickUp and the token, keeping data", async () => {
    await flowbot.database.db.delete(connections);
    await connectWith(acmeToken);
    const [conn] = await rows();
    const created = await flowbot.slack!.services.clickup(acmeToken).createWebhook("9001", {
      endpoint: "https://flowbot.example.com/clickup/webhook",
      events: ["taskStatusUpdated"],
    });
    await flowbot.database.db.insert(clickupWebhooks).values({
      id: created.id,
      connectionId: conn!.id,
      containerType: "list",
      containerId: "1",
      endpoint: created.webhook.endpoint,
      events: ["taskStatusUpdated"],
      secretSealed: flowbot.sealer.seal(created.webhook.secret ?? "s"),
    });
    const projectId = await seedBinding("synced");

    const kit = modals();
    const viewId = await kit.open(() => command("disconnect"));
    expect(JSON.stringify(slack.view(viewId))).toContain("Disconnect *Acme*");

    const res = await kit.submit(viewId, {
      choice: { value: { type: "radio_buttons", selected_option: { value: "keep" } } },
    });
    expect(res.status).toBe(200);
    await expect.poll(() => slack.ephemerals().length).toBeGreaterThan(0);
    const report = slack.ephemerals().at(-1)!.text!;
    expect(report).toContain("Webhooks: 1 of 1 deleted");
    expect(report).toContain("1 binding(s) paused");
    expect(clickup.webhooks.all()).toHaveLength(0);
    expect(await rows()).toHaveLength(0);
    const [binding] = await flowbot.database.db.select().from(bindings);
    expect(binding!.syncStatus).toBe("paused");
    await flowbot.database.db.delete(projects).where(eqId(projectId));
  });
});

describe("/flow disconnect and delete data", () => {
  it("removes the workspace's bindings with their data when the admin chooses so", async () => {
    await flowbot.database.db.delete(connections);
    await connectWith(acmeToken);
    // The workspace's members and read state (docs/clickup.md §17) belong to the connection and go with it.
    const [connection] = await rows();
    await flowbot.database.sql`
      insert into clickup_members (connection_id, clickup_user_id, username, slack_user_id, matched_by, seen_at)
      values (${connection!.id}, 100, 'Jane Roe', ${ADMIN}, 'manual', now())`;
    await flowbot.database.sql`insert into people_sync_state (connection_id) values (${connection!.id})`;
    const people = async () =>
      Number(
        (
          await flowbot.database.sql<{ n: string }[]>`
            select (select count(*) from clickup_members) + (select count(*) from people_sync_state) as n`
        )[0]!.n,
      );
    expect(await people()).toBe(2);
    const projectId = await seedBinding("synced");
    const res = await submitOpened("disconnect", {
      choice: { value: { type: "radio_buttons", selected_option: { value: "delete" } } },
    });
    expect(res.status).toBe(200);
    await expect.poll(() => slack.ephemerals().at(-1)?.text ?? "").toContain("Deleted 1 binding(s)");
    expect(await flowbot.database.db.select().from(bindings)).toHaveLength(0);
    expect(await rows()).toHaveLength(0);
    expect(await people()).toBe(0);
    await flowbot.database.db.delete(projects).where(eqId(projectId));
  });

  it("counts only bound bindings as paused; an unbound one is left as it was", async () => {
    await flowbot.database.db.delete(connections);
    await connectWith(acmeToken);
    const projectId = await seedBinding("synced");
    await flowbot.database.db.insert(bindings).values({
      projectId,
      containerType: "list",
      containerId: "2",
      containerName: "Old",
      containerPath: "Space › Old",
      spaceId: "10",
      createdBy: ADMIN,
      syncStatus: "paused",
      unboundAt: new Date(Date.UTC(2026, 9, 1)),
    });
    const res = await submitOpened("disconnect", {
      choice: { value: { type: "radio_buttons", selected_option: { value: "keep" } } },
    });
    expect(res.status).toBe(200);
    await expect.poll(() => slack.ephemerals().at(-1)?.text ?? "").toContain("binding(s) paused");
    expect(slack.ephemerals().at(-1)!.text).toContain("1 binding(s) paused; their flow data is kept");
    const unbound = await flowbot.database.sql<{ error_reason: string | null }[]>`
      select error_reason from bindings where container_id = '2'`;
    expect(unbound).toEqual([{ error_reason: null }]);
    await flowbot.database.db.delete(projects).where(eqId(projectId));
  });

  it("answers /flow disconnect without a connection with a clear message", async () => {
    const body = (await (await command("disconnect")).json()) as { text: string };
    expect(body.text).toContain("nothing to disconnect");
  });
});

describe("key rotation", () => {
  it("re-seals stored tokens with the new key at start-up", async () => {
    await flowbot.database.db.delete(connections);
    await connectWith(acmeToken);
    const oldSealed = (await rows())[0]!.tokenSealed;
    const newKey = "22".repeat(32);
    const rotated = await startFlowbot({
      config: testConfig({
        DATABASE_URL: db.url,
        FLOWBOT_ENCRYPTION_KEY: newKey,
        FLOWBOT_ENCRYPTION_KEY_PREVIOUS: TEST_KEY_HEX,
      }),
      logger: captureLogs().logger,
      slackFetch: slack.fetch,
      clickupFetch: clickup.fetch,
    });
    await rotated.stop();
    const newSealed = (await rows())[0]!.tokenSealed;
    expect(newSealed).not.toBe(oldSealed);
    expect(createSealer(Buffer.from(newKey, "hex")).open(newSealed)).toBe(acmeToken);
    expect(() => createSealer(Buffer.from(TEST_KEY_HEX, "hex")).open(newSealed)).toThrow();
  });
});

import { eq } from "drizzle-orm";

const eqId = (id: number) => eq(projects.id, id);

async function seedBinding(syncStatus: "not_synced" | "synced" = "not_synced"): Promise<number> {
  const [project] = await flowbot.database.db
    .insert(projects)
    .values({ slackTeamId: TEAM, channelId: CHANNEL })
    .onConflictDoUpdate({
      target: [projects.slackTeamId, projects.channelId],
      set: { channelName: "project" },
    })
    .returning();
  await flowbot.database.db.insert(bindings).values({
    projectId: project!.id,
    containerType: "list",
    containerId: "1",
    containerName: "Backlog",
    containerPath: "Space › Backlog",
    spaceId: "10",
    createdBy: ADMIN,
    syncStatus,
  });
  return project!.id;
}
