import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import {
  ADMIN,
  type App,
  addTask,
  CHANNEL,
  DAY,
  MEMBER,
  STATUSES,
  seedFinishedHistory,
  seedProject,
  startApp,
} from "./digest-test-kit.ts";

// `/flow digest now` end to end: a signed slash command into the running app, the post-digest job on the
// app's own worker, and the message and the admin's ephemeral answer arriving at the Slack fake.

const T0 = Date.UTC(2026, 10, 23, 14, 0);
let now = T0;
let db: TestDatabase;
let app: App;

beforeAll(async () => {
  db = await createTestDatabase();
  app = await startApp({ databaseUrl: db.url, now: () => now });
  const { bindingId } = await seedProject(app.sql, { signals: "over SLE only" });
  await seedFinishedHistory(app.sql, bindingId, T0);
  await addTask(app.sql, bindingId, {
    name: "Migrate billing",
    createdAt: new Date(T0 - 30 * DAY),
    path: [[STATUSES.doing, new Date(T0 - 25 * DAY)]],
    assignees: [{ id: 7, username: "Ada", email: "ada@example.com" }],
  });
});
afterAll(async () => {
  await app?.flowbot.stop();
  await db?.drop();
});

const ephemeralCount = () => app.slack.ephemerals().length;
async function nextEphemeral(before: number) {
  await expect.poll(ephemeralCount, { timeout: 10_000 }).toBeGreaterThan(before);
  return app.slack.ephemerals().at(-1)!;
}

describe("/flow digest now", () => {
  it("is for admins, needs the word now, and a project channel", async () => {
    expect((await app.run("digest now", { user: MEMBER })).text).toContain(
      "Only flowbot admins can run `/flow digest now`",
    );
    expect((await app.run("digest")).text).toContain("Did you mean `/flow digest now`?");
    expect((await app.run("digest now", { channel: "C0OUTSIDE" })).text).toContain(
      "not a flowbot project yet",
    );
    expect(app.slack.messages(CHANNEL)).toEqual([]);
  });

  it("posts the digest to the channel and tells the admin", async () => {
    const before = ephemeralCount();
    const answer = await app.run("digest now");
    expect(answer.text).toContain("Building the flow digest for <#C0PROJECT>");
    await expect.poll(() => app.slack.messages(CHANNEL).length, { timeout: 10_000 }).toBe(1);
    const [message] = app.slack.messages(CHANNEL);
    expect(message!.text).toContain("Flow digest: 1 ageing");
    const text = JSON.stringify(message!.blocks);
    expect(text).toContain("Migrate billing");
    expect(text).toContain("past the 95th percentile (19 d)");
    expect(text).toContain(`<@${ADMIN}>`);
    expect(await nextEphemeral(before)).toMatchObject({
      channel: CHANNEL,
      user: ADMIN,
      text: ":white_check_mark: Posted the flow digest to <#C0PROJECT>.",
    });
    expect(await app.sql`select kind, threshold, channel_id from alert_log`).toEqual([
      { kind: "ageing", threshold: "p95", channel_id: CHANNEL },
    ]);
    expect((await app.sql`select last_digest_at from projects`)[0]!.last_digest_at).not.toBeNull();
  });

  it("says there is nothing to report, and posts nothing, when every alert was already sent", async () => {
    now += 60_000;
    const before = ephemeralCount();
    await app.run("digest now");
    expect((await nextEphemeral(before)).text).toContain("Nothing to report for <#C0PROJECT>");
    expect(app.slack.messages(CHANNEL)).toHaveLength(1);
  });

  it("posts one short “all flowing” line when the project asked for it", async () => {
    await app.sql`update projects set digest_all_flowing_line = true`;
    now += 60_000;
    await app.run("digest now");
    await expect.poll(() => app.slack.messages(CHANNEL).length, { timeout: 10_000 }).toBe(2);
    const line = app.slack.messages(CHANNEL)[1]!;
    expect(line.text).toMatch(
      /^:ocean: All flowing in <#C0PROJECT> — nothing ageing, stuck, stalled, at risk or reworked\. WIP 1/,
    );
    expect(line.blocks).toHaveLength(1);
  });

  it("explains how to fix a digest channel flowbot cannot post to", async () => {
    await app.sql`update projects set digest_channel_id = 'C0OUTSIDE', digest_all_flowing_line = true`;
    now += 60_000;
    const before = ephemeralCount();
    await app.run("digest now");
    const told = await nextEphemeral(before);
    expect(told.text).toContain("The digest could not be posted");
    expect(told.text).toContain("invite @flowbot");
    expect(await app.sql`select code from sync_errors`).toEqual([{ code: "digest_not_in_channel" }]);
  });
});
