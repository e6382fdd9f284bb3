import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHART_ACTION_IDS } from "../../src/slack/report/chart-replies.ts";
import { createSlackFake, type SlackFake } from "../fakes/slack/index.ts";
import { ADMIN, type App, MEMBER, startApp, TEAM } from "../flow/digest-test-kit.ts";
import { seedProject } from "../flow/report-fixtures.ts";
import { seedFinishedPerDay, seedOpen } from "../forecast/forecast-fixtures.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

// A hostile workspace member at `/flow forecast` and `/flow report <chart>` (and the chart picker):
// absurd numbers and dates, a 5,000-character argument, mrkdwn control sequences that would ping the
// channel if echoed raw, and track ids of another channel's project. Each must be answered in the
// command's own ephemeral reply naming what to fix, with nothing written and nothing echoed unescaped.
const CHANNEL = "C0HOSTILEFC";
const OTHER = "C0OTHERFC";
const NOW = new Date("2026-03-19T12:00:00Z");
const INJECTION = /<[!@]|<#C0OTHER/;

let db: TestDatabase;
let slack: SlackFake;
let app: App;
const project = { ours: 0, theirs: 0 };

beforeAll(async () => {
  db = await createTestDatabase();
  slack = createSlackFake({
    now: () => NOW.getTime(),
    users: [{ id: ADMIN, is_admin: true }, { id: MEMBER }],
    channels: [
      { id: CHANNEL, name: "hostile", is_member: true, members: [ADMIN, MEMBER] },
      { id: OTHER, name: "other", is_member: true, members: [ADMIN, MEMBER] },
    ],
  });
  app = await startApp({ databaseUrl: db.url, now: () => NOW.getTime(), slack });
  const ours = await seedProject(app.sql, { teamId: TEAM, channelId: CHANNEL });
  const theirs = await seedProject(app.sql, { teamId: TEAM, channelId: OTHER });
  project.ours = ours.projectId;
  project.theirs = theirs.projectId;
  for (const p of [ours, theirs]) {
    await seedFinishedPerDay(app.sql, p.bindingId, "2025-12-25", Array(84).fill(2));
    await seedOpen(app.sql, p.bindingId, 6, new Date("2026-03-16T09:00:00Z"), ["launch"]);
  }
}, 60_000);

afterAll(async () => {
  await app?.flowbot.stop();
  await db?.drop();
});

const tracks = () =>
  app.sql<
    { id: number; project_id: number }[]
  >`select id::int as id, project_id::int as project_id from tracked_forecasts`;

async function answer(text: string, user = MEMBER, channel = CHANNEL) {
  const body = await app.run(text, { user, channel });
  expect(body).toMatchObject({ response_type: "ephemeral" });
  expect(typeof body.text).toBe("string");
  expect(body.text!.length).toBeLessThanOrEqual(3000);
  expect(body.text).not.toMatch(INJECTION);
  return body.text!;
}

describe("/flow forecast with hostile arguments", () => {
  const long = "x".repeat(5000);
  it.each([
    ["forecast when 0", /`0` is not a number of tasks: give a whole number from 1 to 100,000/],
    ["forecast when -3", /`-3` is not a number of tasks/],
    ["forecast when 1e9", /`1e9` is not a number of tasks/],
    ["forecast when 99999999999999999999", /`99999999999999999999` is not a number of tasks/],
    ["forecast when 100001", /`100001` is not a number of tasks/],
    ["forecast how-many by 2026-02-30", /`2026-02-30` is not a date: write it as `YYYY-MM-DD`/],
    ["forecast how-many by 1999-01-01", /`1999-01-01` is not after today/],
    ["forecast how-many by 9999-12-31", /`9999-12-31` is more than ten years ahead/],
    ["forecast how-many by", /`by` needs a date after it/],
    ["forecast when 5 0d", /`0d` is outside the history windows/],
    ["forecast when 5 99999w", /is outside the history windows|is no list, folder, tag or segment/],
    [`forecast ${long}`, /is no list, folder, tag or segment value of this channel's tasks/],
    [`forecast when ${long}`, /is not a number of tasks/],
    ["forecast <!channel>", /`&lt;!channel&gt;` is no list, folder, tag or segment value/],
    ["forecast *bold* <!here|here>", /is no list, folder, tag or segment value/],
    ["forecast when 5 type:<!everyone>", /`&lt;!everyone&gt;`/],
    ["forecast when 5 <@U0ADMIN>", /`&lt;@U0ADMIN&gt;`/],
    ["forecast how-many by <!channel>", /`&lt;!channel&gt;` is not a date/],
  ])("%#: %s", async (text, message) => {
    const before = slack.responsePosts().length;
    expect(await answer(text)).toMatch(message);
    expect(slack.responsePosts().length).toBe(before);
  });
});

describe("tracking as a member, and across projects", () => {
  it("a member can neither track nor untrack, even another channel's id", async () => {
    const [theirs] = await app.sql<{ id: number }[]>`
      insert into tracked_forecasts (project_id, set_text, set_key, set_label, target_date, created_by)
      values (${project.theirs}, 'launch', 'tag:launch', 'tag launch', '2026-04-30', ${ADMIN})
      returning id::int as id`;
    expect(await answer("forecast track launch by 2026-04-30")).toMatch(/^:lock: Only flowbot admins/);
    expect(await answer(`forecast untrack ${theirs!.id}`)).toMatch(/^:lock: Only flowbot admins/);
    expect(await answer(`forecast untrack #${theirs!.id}`)).toMatch(/^:lock: /);
    expect(await answer("forecast UNTRACK launch")).toMatch(/^:lock: /);
    expect(await tracks()).toEqual([{ id: theirs!.id, project_id: project.theirs }]);
  });

  it("an admin untracking another project's id (or set) in this channel removes nothing", async () => {
    const [theirs] = await tracks();
    expect(await answer(`forecast untrack ${theirs!.id}`, ADMIN)).toMatch(
      /^:mag: No tracked forecast of this channel/,
    );
    expect(await answer("forecast untrack launch", ADMIN)).toMatch(/^:mag: No tracked forecast/);
    expect(await answer("forecast untrack 99999999999999999999", ADMIN)).toMatch(
      /No tracked forecast|:warning:/,
    );
    expect(await answer("forecast untrack <!channel>", ADMIN)).toMatch(/^:mag: /);
    expect(await tracks()).toHaveLength(1);
  });

  it("an admin's track of a hostile set name is refused with the name escaped, and nothing saved", async () => {
    for (const text of [
      "forecast track <!channel> by 2026-04-30",
      "forecast track launch by 2026-02-30",
      "forecast track launch by 1999-01-01",
      `forecast track ${"y".repeat(5000)} by 2026-04-30`,
    ]) {
      expect(await answer(text, ADMIN)).toMatch(/^:(warning|mag):/);
    }
    expect(await tracks()).toHaveLength(1);
  });
});

describe("/flow report <chart> with hostile windows and filters", () => {
  it.each([
    ["report cfd 0d", /is 0 days; a report window must be from 1 day to 730 days/],
    ["report throughput 99999w", /`99999w`|report window/],
    ["report ageing 1000w", /is 7000 days; a report window must be from 1 day/],
    ["report cycle -5d", /`-5d`/],
    ["report 0d", /is 0 days/],
    ["report -5d", /`-5d`/],
    ["report cfd <!channel>", /`&lt;!channel&gt;`/],
    ["report throughput type:<!here>", /`&lt;!here&gt;`|type/],
    [`report cfd ${"z".repeat(5000)}`, /./],
  ])("%#: %s", async (text, message) => {
    const before = slack.uploads().length;
    expect(await answer(text)).toMatch(message);
    expect(slack.uploads()).toHaveLength(before);
  });
});

describe("chart picker buttons with crafted values", () => {
  async function press(value: string) {
    const before = slack.ephemerals().length;
    const uploads = slack.uploads().length;
    const res = await app.interact(
      {
        type: "block_actions",
        trigger_id: slack.issueTriggerId({ userId: MEMBER }),
        channel: { id: CHANNEL, name: "hostile" },
        container: {
          type: "message",
          message_ts: "1700000000.000100",
          channel_id: CHANNEL,
          is_ephemeral: true,
        },
        actions: [
          {
            type: "button",
            action_id: CHART_ACTION_IDS.cfd,
            block_id: "flow_chart_picker",
            value,
            action_ts: "1",
          },
        ],
      },
      MEMBER,
    );
    expect(res.status).toBe(200);
    await expect.poll(() => slack.ephemerals().length, { timeout: 20_000 }).toBe(before + 1);
    const shown = slack.ephemerals().at(-1)!;
    expect(shown.text).not.toMatch(INJECTION);
    expect(slack.uploads()).toHaveLength(uploads);
    return shown.text ?? "";
  }

  it.each([
    ["malformed JSON", '{"p":'],
    ["JSON null", "null"],
    ["a JSON string", '"p"'],
    ["an array", "[1,30]"],
    ["another project", () => JSON.stringify({ p: project.theirs, d: 30 })],
    ["a huge string", "q".repeat(2000)],
    ["a negative window", () => JSON.stringify({ p: project.ours, d: -5 })],
    ["a fractional window", () => JSON.stringify({ p: project.ours, d: 1.5 })],
    ["a project id as a string", () => JSON.stringify({ p: String(project.ours), d: 30 })],
  ])("%s is refused", async (_name, value) => {
    expect(await press(typeof value === "function" ? value() : value)).toContain(
      "That chart button belongs to another channel's project (or is not flowbot's)",
    );
  });

  it("a filter value with a mention is resolved again and echoed escaped", async () => {
    const text = await press(JSON.stringify({ p: project.ours, d: 30, g: "type", v: "<!channel>" }));
    expect(text).toContain("&lt;!channel&gt;");
  });
});
