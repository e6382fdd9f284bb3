import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PostDigestDeps } from "../../src/slack/digest/post-digest.ts";
import { SHARE_ACTION_ID } from "../../src/slack/report/flow-view-blocks.ts";
import { HOME_OPEN_REPORT_ACTION_ID } from "../../src/slack/report/report-subcommands.ts";
import { createSlackFake } from "../fakes/slack/index.ts";
import {
  ADMIN,
  type App,
  addTask,
  CHANNEL,
  DAY,
  digestDeps,
  MEMBER,
  runDigest,
  STATUSES,
  seedFinishedHistory,
  seedProject,
  startApp,
} from "../flow/digest-test-kit.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

// The channel-member entry points (digest snooze buttons, Share to channel, the App Home's Open report),
// pressed with values crafted by a workspace member: another project's task, a button carried to another
// channel, a project whose channel they are not in. Each is refused with an ephemeral (or DM) saying why,
// and nothing is written or posted for them.

const T0 = Date.UTC(2026, 10, 23, 9, 0);
const OTHER_CHANNEL = "C0OTHER";
const STRANGER = "U0STRANGER";
let db: TestDatabase;
let app: App;
let deps: PostDigestDeps;
const project = { a: 0, b: 0 };
const cases = { a: 0, b: 0 };

type Button = { action_id: string; value?: string };
type Message = { ts: string; text?: string; blocks?: { block_id?: string; elements?: Button[] }[] };
let digest: Message;

beforeAll(async () => {
  db = await createTestDatabase();
  const slack = createSlackFake({
    now: () => T0,
    users: [{ id: ADMIN, is_admin: true }, { id: MEMBER }, { id: STRANGER }],
    channels: [
      { id: CHANNEL, name: "project", is_member: true, members: [ADMIN, MEMBER] },
      { id: OTHER_CHANNEL, name: "other", is_member: true, members: [ADMIN, STRANGER] },
    ],
  });
  app = await startApp({ databaseUrl: db.url, now: () => T0, slack });
  deps = digestDeps(app, () => T0);
  const a = await seedProject(app.sql);
  const b = await seedProject(app.sql, { channelId: OTHER_CHANNEL });
  project.a = a.projectId;
  project.b = b.projectId;
  await seedFinishedHistory(app.sql, a.bindingId, T0);
  const old = (bindingId: number, name: string) =>
    addTask(app.sql, bindingId, {
      name,
      createdAt: new Date(T0 - 60 * DAY),
      path: [[STATUSES.doing, new Date(T0 - 40 * DAY)]],
    });
  cases.a = (await old(a.bindingId, "Ours")).caseId;
  cases.b = (await old(b.bindingId, "Theirs")).caseId;
  await runDigest(deps, project.a, T0);
  digest = app.slack.messages(CHANNEL).at(-1) as Message;
});
afterAll(async () => {
  await app?.flowbot.stop();
  await db?.drop();
});

const snoozeButton = () =>
  digest
    .blocks!.find((b) => b.block_id === `task_actions:${cases.a}`)!
    .elements!.find((e) => e.action_id === "digest_snooze_3d")!;

/** Presses a button as `user` in `channel`, from a message there, and returns what Slack showed them. */
async function press(user: string, channel: string, actionId: string, value: string) {
  const ephemerals = app.slack.ephemerals().length;
  const dms = app.slack.messages(user).length;
  const res = await app.interact(
    {
      type: "block_actions",
      trigger_id: app.slack.issueTriggerId({ userId: user }),
      channel: { id: channel, name: "x" },
      container: { type: "message", message_ts: digest.ts, channel_id: channel },
      message: { ts: digest.ts, text: digest.text, blocks: digest.blocks },
      actions: [{ type: "button", action_id: actionId, block_id: "b", value, action_ts: "1" }],
    },
    user,
  );
  expect(res.status).toBe(200);
  await expect
    .poll(() => app.slack.ephemerals().length + app.slack.messages(user).length)
    .toBe(ephemerals + dms + 1);
  return app.slack.ephemerals().length > ephemerals
    ? (app.slack.ephemerals().at(-1)!.text ?? "")
    : (app.slack.messages(user).at(-1)!.text ?? "");
}

const snoozes = async () => (await app.sql`select count(*)::int as n from snoozes`)[0]!.n as number;

describe("channel actions refuse crafted values", () => {
  it("a snooze from someone who is not in the project channel", async () => {
    expect(await press(STRANGER, CHANNEL, "digest_snooze_3d", snoozeButton().value!)).toBe(
      `:lock: Only members of <#${CHANNEL}> can snooze this digest's alerts. Join the channel first.`,
    );
    expect(await snoozes()).toBe(0);
  });

  it("another project's task named in this channel's button", async () => {
    const crafted = JSON.stringify({ p: project.b, c: cases.b });
    expect(await press(MEMBER, CHANNEL, "digest_snooze_3d", crafted)).toContain(
      `That button belongs to the digest of <#${OTHER_CHANNEL}>, not to this channel`,
    );
    // This project with the other project's task: the case is not this project's.
    const mixed = JSON.stringify({ p: project.a, c: cases.b });
    expect(await press(MEMBER, CHANNEL, "digest_snooze_moves", mixed)).toContain("no longer tracked");
    expect(await press(MEMBER, CHANNEL, "digest_snooze_3d", '{"p":"1 or 1=1","c":[]}')).toContain(
      "no longer tracked",
    );
    expect(await snoozes()).toBe(0);
  });

  it("this digest's button pressed in another channel, by a member of that one", async () => {
    expect(await press(STRANGER, OTHER_CHANNEL, "digest_snooze_3d", snoozeButton().value!)).toContain(
      `That button belongs to the digest of <#${CHANNEL}>, not to this channel`,
    );
    expect(await snoozes()).toBe(0);
  });

  it("Share to channel and Open report for a project whose channel the user is not in", async () => {
    const posted = app.slack.messages(CHANNEL).length;
    const share = JSON.stringify({ p: project.a, d: 30, t: T0 });
    expect(await press(STRANGER, OTHER_CHANNEL, SHARE_ACTION_ID, share)).toBe(
      `:lock: Only members of <#${CHANNEL}> can share this project's Flow view. Join the channel first.`,
    );
    expect(await press(STRANGER, OTHER_CHANNEL, HOME_OPEN_REPORT_ACTION_ID, String(project.a))).toBe(
      `:lock: Only members of <#${CHANNEL}> can open this project's report. Join the channel first.`,
    );
    expect(await press(MEMBER, CHANNEL, HOME_OPEN_REPORT_ACTION_ID, "42; drop table projects")).toContain(
      "no ClickUp binding any more",
    );
    expect(app.slack.messages(CHANNEL)).toHaveLength(posted);
  });

  it("the same snooze button works for a member of the project channel", async () => {
    expect(await press(MEMBER, CHANNEL, "digest_snooze_3d", snoozeButton().value!)).toContain(
      ":zzz: Snoozed *Ours* for 3 days",
    );
    expect(await snoozes()).toBe(1);
  });
});
