import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clickupWebhooks } from "../../db/schema.ts";
import { type Flowbot, startFlowbot } from "../../src/app/start-flowbot.ts";
import { seededFake, TOKEN } from "../fakes/clickup/fixtures.ts";
import { createSlackFake, type SlackFake } from "../fakes/slack/index.ts";
import { bindFakeList } from "../helpers/bind-fake-list.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { interactionRequest, slashCommandRequest } from "../helpers/sign-slack-request.ts";
import { modalKit, waitUntil } from "../helpers/slack-modals.ts";
import { TEST_SIGNING_SECRET, testConfig } from "../helpers/test-config.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

// Every admin entry point, sent by someone who may not use it: a workspace member who is not an admin,
// a Slack Connect admin of another organisation (users.info team_id is theirs), and an admin's own id
// with a crafted team id. Each request is signed as Slack signs it and shaped as Slack shapes it — the
// modal ones from views an admin really opened — and each must be refused in its payload's own way
// with nothing changed: no row in any table, no job, no ClickUp write, no modal opened.
const TEAM = "T0FAKETEAM";
const OTHER_TEAM = "T0OTHER";
const ADMIN = "U0ADMIN";
const CHANNEL = "C0PROJECT";
const OTHER_TOKEN = "pk_4400002_OTHERTOKEN";

type Attacker = { name: string; userId: string; userTeam: string; requestTeam: string };
const ATTACKERS: Attacker[] = [
  { name: "a non-admin member", userId: "U0MEMBER", userTeam: TEAM, requestTeam: TEAM },
  {
    name: "an admin of another team (Slack Connect)",
    userId: "U0EXTERNAL",
    userTeam: OTHER_TEAM,
    requestTeam: TEAM,
  },
  {
    name: "an admin's id with a crafted team id",
    userId: ADMIN,
    userTeam: OTHER_TEAM,
    requestTeam: OTHER_TEAM,
  },
];

let db: TestDatabase;
let slack: SlackFake;
let w: ReturnType<typeof seededFake>;
let flowbot: Flowbot;
let url: string;
let bindingId: number;
/** Modals the admin opened (and the confirm view Bind pushed), which attackers send from. */
const views = {
  connect: "",
  disconnect: "",
  bind: "",
  confirm: "",
  settings: "",
  segments: "",
  signals: "",
  limits: "",
  blocked: "",
  holidays: "",
  people: "",
};

beforeAll(async () => {
  db = await createTestDatabase();
  w = seededFake({ rateLimit: { limit: 10_000, windowMs: 60_000 } });
  w.fake.addUser({ username: "Max", token: OTHER_TOKEN, teamIds: [w.team.id] });
  slack = createSlackFake({
    users: [
      { id: ADMIN, is_admin: true },
      { id: "U0MEMBER" },
      { id: "U0EXTERNAL", is_admin: true, team_id: OTHER_TEAM },
    ],
    channels: [{ id: CHANNEL, name: "project", members: [ADMIN, "U0MEMBER", "U0EXTERNAL"] }],
  });
  flowbot = await startFlowbot({
    // No worker: a job a refused request queued would stay visible in graphile_worker.jobs.
    config: testConfig({
      DATABASE_URL: db.url,
      CLICKUP_API_URL: "http://clickup.test/api",
      FLOWBOT_ROLE: "web",
    }),
    logger: captureLogs().logger,
    slackFetch: slack.fetch,
    clickupFetch: w.fake.fetch,
    crontab: "",
  });
  url = `${flowbot.url}/slack/events`;
  ({ bindingId } = await bindFakeList(flowbot.database.db, flowbot.sealer, w, {
    slackTeamId: TEAM,
    channelId: CHANNEL,
  }));
  // A live ClickUp webhook, which a disconnect or an unbind would delete.
  const [connection] = await flowbot.database.sql<{ id: number }[]>`select id::int from connections`;
  const created = await flowbot.slack!.services.clickup(TOKEN).createWebhook(w.team.id, {
    endpoint: "https://flowbot.example.com/clickup/webhook",
    events: ["taskStatusUpdated"],
    list_id: w.list.id,
  });
  await flowbot.database.db.insert(clickupWebhooks).values({
    id: created.id,
    connectionId: connection!.id,
    containerType: "list",
    containerId: w.list.id,
    endpoint: created.webhook.endpoint,
    events: ["taskStatusUpdated"],
    secretSealed: flowbot.sealer.seal(created.webhook.secret ?? "s"),
  });
  await flowbot.database.sql`update bindings set webhook_id = ${created.id}, sync_status = 'synced'`;

  const kit = modals();
  views.connect = await kit.open(() => command("connect", ADMIN, TEAM));
  views.disconnect = await kit.open(() => command("disconnect", ADMIN, TEAM));
  views.settings = await kit.open(() => command("settings", ADMIN, TEAM));
  views.segments = await kit.open(() => command("settings segments", ADMIN, TEAM));
  views.signals = await kit.open(() => command("settings signals", ADMIN, TEAM));
  views.limits = await kit.open(() => command("settings limits", ADMIN, TEAM));
  views.blocked = await kit.open(() => command("settings blocked", ADMIN, TEAM));
  views.holidays = await kit.open(() => command("settings holidays", ADMIN, TEAM));
  // `/flow people` opens its modal once the workspace's members have been read.
  await flowbot.database.sql`
    insert into clickup_members (connection_id, clickup_user_id, username, seen_at)
    select id, 4400001, 'Jane', now() from connections`;
  views.people = await kit.open(() => command("people", ADMIN, TEAM));
  views.bind = await kit.open(() => command("bind", ADMIN, TEAM));
  // Spaces loaded, then the admin picks the folderless list and presses Bind: the confirm view is pushed.
  const bindShows = (text: string) =>
    waitUntil(text, () => JSON.stringify(slack.view(views.bind)).includes(text));
  await bindShows("Choose a space");
  await kit.act(views.bind, pick("bind_space", w.space.id));
  await bindShows("Inbox");
  await kit.act(views.bind, pick("bind_list", w.inbox.id));
  await bindShows("Selected list");
  const pushed = await kit.submit(views.bind);
  views.confirm = pushed.top!;
  if (slack.view(views.confirm)?.callback_id !== "flow_bind_confirm")
    throw new Error("Bind pushed no confirm view");
});
afterAll(async () => {
  await flowbot?.stop();
  await db?.drop();
});

const modals = () => modalKit({ slack, url, sql: () => flowbot.database.sql });

const pick = (actionId: string, value: string) => ({
  type: "static_select",
  action_id: actionId,
  block_id: "levels",
  selected_option: { value, text: { type: "plain_text", text: value } },
});

function command(text: string, userId: string, teamId: string) {
  return fetch(
    slashCommandRequest({
      url,
      signingSecret: TEST_SIGNING_SECRET,
      text,
      user_id: userId,
      team_id: teamId,
      channel_id: CHANNEL,
      trigger_id: slack.issueTriggerId({ userId }),
    }),
  );
}

/** The payload Slack would send for the admin's view, as if the attacker had sent it. */
const as = (a: Attacker) => (payload: Record<string, unknown>) => ({
  ...payload,
  team: { id: a.requestTeam, domain: "x" },
  user: { id: a.userId, team_id: a.userTeam },
});

function button(a: Attacker, actionId: string, responseId: string) {
  return fetch(
    interactionRequest({
      url,
      signingSecret: TEST_SIGNING_SECRET,
      payload: {
        type: "block_actions",
        team: { id: a.requestTeam },
        user: { id: a.userId, team_id: a.userTeam },
        api_app_id: "A0FAKEAPP",
        token: "x",
        trigger_id: slack.issueTriggerId({ userId: a.userId }),
        channel: { id: CHANNEL },
        container: { type: "message", is_ephemeral: true, channel_id: CHANNEL },
        response_url: slack.responseUrl(responseId),
        actions: [
          { type: "button", action_id: actionId, block_id: `binding_${bindingId}`, value: String(bindingId) },
        ],
      },
    }),
  );
}

/** Every row of every flowbot table and every queued job, as text: what a refused request must not change. */
async function snapshot(): Promise<string> {
  const sql = flowbot.database.sql;
  const tables = await sql<{ table_name: string }[]>`
    select table_name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`;
  const parts: string[] = [];
  for (const { table_name } of tables) {
    const rows = await sql.unsafe(`select t::text as row from ${table_name} t order by 1`);
    parts.push(`${table_name}: ${rows.map((r) => r.row).join(" | ")}`);
  }
  const jobs =
    await sql`select task_id, key, revision, payload::text, run_at from graphile_worker._private_jobs order by id`;
  parts.push(`jobs: ${JSON.stringify(jobs)}`);
  return parts.join("\n");
}

const clickupWrites = () =>
  w.fake.requests.count({ method: "POST" }) +
  w.fake.requests.count({ method: "PUT" }) +
  w.fake.requests.count({ method: "DELETE" });

type Path = {
  kind: "command" | "view" | "action" | "options";
  name: string;
  send(a: Attacker, id: string): Promise<unknown>;
};

const COMMANDS = [
  "connect",
  "disconnect",
  "module off",
  "module on",
  "bind",
  "settings",
  "settings segments",
  "settings signals",
  "settings limits",
  "settings blocked",
  "settings holidays",
  "people",
  "digest now",
  "backfill Sprint",
  "pause Sprint",
  "resume Sprint",
  "unbind Sprint",
  "unbind-data Sprint",
  "forecast track Sprint by 2030-01-15",
  "forecast untrack 1",
  "forecast untrack Sprint",
];

const PATHS: Path[] = [
  ...COMMANDS.map(
    (text): Path => ({
      kind: "command",
      name: `/flow ${text}`,
      send: async (a) => (await command(text, a.userId, a.requestTeam)).json(),
    }),
  ),
  {
    kind: "view",
    name: "flow_connect with the attacker's own token",
    send: async (a) =>
      (
        await modals().submit(
          views.connect,
          {
            token: { value: { type: "plain_text_input", value: OTHER_TOKEN } },
            workspace: { value: { type: "plain_text_input", value: "" } },
          },
          as(a),
        )
      ).body,
  },
  {
    kind: "view",
    name: "flow_disconnect, deleting the data",
    send: async (a) =>
      (
        await modals().submit(
          views.disconnect,
          { choice: { value: { type: "radio_buttons", selected_option: { value: "delete" } } } },
          as(a),
        )
      ).body,
  },
  { kind: "view", name: "flow_bind", send: async (a) => (await modals().submit(views.bind, {}, as(a))).body },
  {
    kind: "view",
    name: "flow_bind_confirm",
    send: async (a) => (await modals().submit(views.confirm, {}, as(a))).body,
  },
  {
    kind: "view",
    name: "flow_settings",
    send: async (a) =>
      (
        await modals().submit(
          views.settings,
          { time_zone: { value: { type: "plain_text_input", value: "Asia/Tokyo" } } },
          as(a),
        )
      ).body,
  },
  {
    kind: "view",
    name: "flow_settings_segments",
    send: async (a) =>
      (
        await modals().submit(
          views.segments,
          {
            segment_dimension: {
              value: { type: "radio_buttons", selected_option: { value: "priority" } },
            },
          },
          as(a),
        )
      ).body,
  },
  {
    kind: "view",
    name: "flow_signal_settings",
    send: async (a) =>
      (
        await modals().submit(
          views.signals,
          {
            signals_on: { value: { type: "checkboxes", selected_options: [] } },
            stalled_days: { value: { type: "plain_text_input", value: "60" } },
          },
          as(a),
        )
      ).body,
  },
  {
    kind: "view",
    name: "flow_settings_limits",
    send: async (a) =>
      (
        await modals().submit(
          views.limits,
          {
            wip_alert_at_once: { value: { type: "checkboxes", selected_options: [{ value: "on" }] } },
            "wip_status:to do": { value: { type: "plain_text_input", value: "0" } },
          },
          as(a),
        )
      ).body,
  },
  {
    kind: "view",
    name: "flow_settings_blocked",
    send: async (a) =>
      (
        await modals().submit(
          views.blocked,
          {
            blocked_tags: { value: { type: "plain_text_input", value: "blocked" } },
            blocked_dependency: { value: { type: "checkboxes", selected_options: [{ value: "on" }] } },
          },
          as(a),
        )
      ).body,
  },
  {
    kind: "view",
    name: "flow_settings_holidays",
    send: async (a) =>
      (
        await modals().submit(
          views.holidays,
          {
            holiday_country: { value: { type: "plain_text_input", value: "DE" } },
            holiday_blackouts: { value: { type: "plain_text_input", value: "2026-12-24" } },
          },
          as(a),
        )
      ).body,
  },
  {
    kind: "view",
    name: "flow_people",
    send: async (a) =>
      (
        await modals().submit(
          views.people,
          {
            people_member: { value: { type: "static_select", selected_option: { value: "4400001" } } },
            people_slack_user: { value: { type: "users_select", selected_user: "U0MEMBER" } },
          },
          as(a),
        )
      ).body,
  },
  ...(["bind_space", "bind_folder", "bind_list"] as const).flatMap((actionId): Path[] => [
    {
      kind: "action",
      name: `${actionId} select in the bind modal`,
      send: (a) => modals().act(views.bind, pick(actionId, w.space.id), as(a)),
    },
    {
      kind: "options",
      name: `${actionId} search in the bind modal`,
      send: async (a) =>
        (await modals().suggest(views.bind, { action_id: actionId, block_id: "levels", value: "e" }, as(a)))
          .body,
    },
  ]),
  ...["binding_pause", "binding_resume", "binding_backfill", "binding_unbind", "binding_unbind_delete"].map(
    (actionId): Path => ({
      kind: "action",
      name: `${actionId} button`,
      send: (a, id) => button(a, actionId, id),
    }),
  ),
];

describe("hostile payloads on every admin path", () => {
  for (const attacker of ATTACKERS) {
    it(`refuses ${attacker.name} everywhere and changes nothing`, async () => {
      const before = await snapshot();
      const writes = clickupWrites();
      const opened = slack.callsTo("views.open").length;
      const updates = slack.callsTo("views.update").length;
      const webhooks = w.fake.webhooks.all().length;
      let dms = slack.messages(attacker.userId).length;
      for (const [i, path] of PATHS.entries()) {
        const responseId = `${attacker.userId}-${attacker.requestTeam}-${i}`;
        const answer = (await path.send(attacker, responseId)) as Record<string, unknown> | undefined;
        const where = `${path.name} by ${attacker.name}`;
        if (path.kind === "command") {
          expect(answer, where).toMatchObject({ response_type: "ephemeral" });
          expect(String(answer!.text), where).toMatch(/^:lock: /);
        } else if (path.kind === "view") {
          expect(answer, where).toMatchObject({ response_action: "update" });
          expect(JSON.stringify(answer), where).toContain(":lock:");
        } else if (path.kind === "options") {
          expect(answer, where).toEqual({ options: [] });
        } else if (path.name.endsWith("button")) {
          await expect
            .poll(() => JSON.stringify(slack.responsePosts(responseId)), { message: where })
            .toContain(":lock:");
        } else {
          // A select in someone else's modal: nobody's modal is touched; the refusal goes to the sender.
          await expect.poll(() => slack.messages(attacker.userId).length, { message: where }).toBe(dms + 1);
          expect(slack.messages(attacker.userId).at(-1)!.text, where).toMatch(/^:lock: /);
          dms += 1;
        }
      }
      expect(slack.callsTo("views.open").length).toBe(opened);
      expect(slack.callsTo("views.update").length).toBe(updates);
      expect(clickupWrites()).toBe(writes);
      expect(w.fake.webhooks.all()).toHaveLength(webhooks);
      expect(await snapshot()).toBe(before);
    });
  }

  it("refuses an admin's submission from a modal that was never opened, or opened by someone else", async () => {
    const before = await snapshot();
    const crafted = (payload: Record<string, unknown>) => ({
      ...payload,
      view: { ...(payload.view as object), id: "V0CRAFTED", root_view_id: "V0CRAFTED" },
    });
    const values = {
      token: { value: { type: "plain_text_input", value: OTHER_TOKEN } },
      workspace: { value: { type: "plain_text_input", value: "" } },
    };
    const forged = await modals().submit(views.connect, values, crafted);
    expect(JSON.stringify(forged.body)).toContain("This dialog was not opened by you with `/flow connect`");
    // A modal recorded for another flow does not let its opener send another flow's submission.
    const wrongKind = await modals().submit(views.disconnect, values, (p) => ({
      ...p,
      view: { ...(p.view as object), callback_id: "flow_connect" },
    }));
    expect(JSON.stringify(wrongKind.body)).toContain(
      "This dialog was not opened by you with `/flow connect`",
    );
    expect(await snapshot()).toBe(before);
  });
});
