import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Flowbot, startFlowbot } from "../../src/app/start-flowbot.ts";
import { computeDigest } from "../../src/flow/digest/compute-digest.ts";
import { renderDigest } from "../../src/slack/digest/render-digest.ts";
import { COMMENTS_STILL_READING } from "../../src/sync/backfill-progress-message.ts";
import { enqueueBackfill } from "../../src/sync/enqueue-backfill.ts";
import { type ClickUpFake, createClickUpFake } from "../fakes/clickup/index.ts";
import { createSlackFake } from "../fakes/slack/index.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { testConfig } from "../helpers/test-config.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import { waitForSyncSettled, waitFor as waitUntil } from "../helpers/wait-for.ts";

/*
 * Comment sentiment end to end (docs/flow-metrics.md §14): the ClickUp fake's signed comment webhooks go
 * through the app's /clickup/webhook route and the real apply job, the comments backfill runs as the real
 * job after the real status backfill, and the digest is computed and rendered from what they stored.
 */
const TOKEN = "pk_100_COMMENTSTOKEN";
const TEAM = "T0COMMENTS";
const CHANNEL = "C0COMMENTS";
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const BASE = Date.UTC(2026, 2, 2, 9, 0, 0); // Mon 2 Mar 2026
let tdb: TestDatabase;
let flowbot: Flowbot;
let clickup: ClickUpFake;
const slack = createSlackFake({ channels: [{ id: CHANNEL, name: "comments" }] });
const logs = captureLogs("debug");

beforeAll(async () => {
  tdb = await createTestDatabase();
  clickup = createClickUpFake({
    rateLimit: { limit: 10_000, windowMs: 60_000 },
    webhooks: { deliver: (url, init) => fetch(`${flowbot.url}${new URL(url).pathname}`, init) },
  });
  clickup.addWorkspace({ id: "9001", name: "Acme" });
  clickup.addUser({ id: 100, username: "Jane", token: TOKEN, teamIds: ["9001"] });
  clickup.addUser({ id: 101, username: "Bob", teamIds: ["9001"] });
  clickup.addSpace({ teamId: "9001", id: "10", name: "Engineering" });
  clickup.addFolder({ spaceId: "10", id: "20", name: "Product" });
  flowbot = await startFlowbot({
    config: testConfig({
      DATABASE_URL: tdb.url,
      CLICKUP_API_URL: "http://clickup.fake/api",
      PUBLIC_URL: "https://flowbot.example.com",
    }),
    logger: logs.logger,
    slackFetch: slack.fetch,
    clickupFetch: clickup.fetch,
    workerPollInterval: 50,
    crontab: "",
  });
  await flowbot.database.sql`
    insert into connections (slack_team_id, clickup_team_id, clickup_team_name, token_sealed, token_last4,
      token_owner_id, token_owner_name, connected_by)
    values (${TEAM}, '9001', 'Acme', ${flowbot.sealer.seal(TOKEN)}, 'OKEN', 100, 'Jane', 'U0ADMIN')`;
}, 60_000);
afterAll(async () => {
  await flowbot?.stop();
  await tdb?.drop();
});

const waitFor = <T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000) =>
  waitUntil(what, probe, timeoutMs, () => logs.text().slice(-3000));

const settled = () => waitForSyncSettled(flowbot, clickup, () => logs.text().slice(-3000));

/** A list in folder Product bound in its own project, backfilled by the real jobs (comments pass included). */
async function boundList(name: string, channel: string, requestedBy?: { channelId: string; userId: string }) {
  const list = clickup.addList({ folderId: "20", name });
  const [p] = await flowbot.database.sql<{ id: number }[]>`
    insert into projects (slack_team_id, channel_id) values (${TEAM}, ${channel}) returning id::int as id`;
  const [b] = await flowbot.database.sql<{ id: number }[]>`
    insert into bindings (project_id, container_type, container_id, container_name, container_path, space_id,
      folder_id, created_by)
    values (${p!.id}, 'list', ${list.id}, ${name}, ${`Engineering › Product › ${name}`}, '10', '20', 'U0ADMIN')
    returning id::int as id`;
  await enqueueBackfill(flowbot.database, b!.id, requestedBy);
  await waitFor(`binding ${b!.id} synced`, async () => {
    const [row] = await flowbot.database.sql`
      select 1 from bindings where id = ${b!.id} and sync_status = 'synced' and webhook_id is not null`;
    return row !== undefined;
  });
  await settled();
  return { listId: list.id, projectId: p!.id, bindingId: b!.id };
}

const scoresOf = (taskId: string) =>
  flowbot.database.sql<
    { commentId: string; authorId: number | null; score: number; label: string; at: Date }[]
  >`
    select s.comment_id as "commentId", s.author_id::int as "authorId", s.score, s.label,
      s.commented_at as at
    from comment_sentiment s join tracked_cases c on c.id = s.case_id
    where c.task_id = ${taskId} order by s.commented_at, s.comment_id`;

/** Tables holding a row whose text contains `needle` (the whole database is searched). */
async function tablesContaining(needle: string): Promise<string[]> {
  const tables = await flowbot.database.sql<{ name: string }[]>`
    select table_name as name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE'`;
  const found: string[] = [];
  for (const { name } of tables) {
    const [row] = await flowbot.database.sql.unsafe<{ n: number }[]>(
      `select count(*)::int as n from "${name}" t where t::text ilike $1`,
      [`%${needle}%`],
    );
    if (row!.n > 0) found.push(name);
  }
  return found;
}

describe("comment sentiment, live", () => {
  const STORM = [
    "Still blocked on QA!!!",
    "This is not working at all",
    "Build failed again 😡",
    "Tests are flaky and nobody trusts them",
    "QA rejected it again, same bug",
    "Why is this still not fixed??",
  ];

  it("a comment storm on a stuck task gives it the friction marker in the digest; nothing of the text is kept", async () => {
    const { listId, projectId } = await boundList("Storm", "C0STORM");
    // The stuck signal's project rule: more than a day in a status (docs/flow-metrics.md §8.2).
    await flowbot.database
      .sql`insert into signal_settings (project_id, stuck_rule_days) values (${projectId}, 1)`;
    const stormy = clickup.addTask({ listId, name: "Checkout redesign", createdAt: BASE });
    const calm = clickup.addTask({ listId, name: "Billing export", createdAt: BASE });
    for (const t of [stormy, calm]) {
      clickup.setTaskStatus(t.id, "in progress", { at: BASE + HOUR });
      clickup.setTaskStatus(t.id, "review", { at: BASE + 2 * HOUR });
    }
    const first = clickup.addComment({ taskId: stormy.id, text: "Great start, thanks", at: BASE + 3 * HOUR });
    clickup.addComment({
      taskId: calm.id,
      text: "Looks good, just waiting for the reviewer",
      at: BASE + 3 * HOUR,
    });
    for (const [i, text] of STORM.entries()) {
      clickup.addComment({ taskId: stormy.id, text, userId: 101, at: BASE + 3 * DAY + i * MIN });
    }
    // An edit, delivered with the edit's time: its new score replaces the old one.
    clickup.updateComment(first.id, "Actually this broke checkout for guests", {
      at: BASE + 3 * DAY + 10 * MIN,
    });
    await settled();

    const scores = await scoresOf(stormy.id);
    expect(scores).toHaveLength(7);
    expect(scores.map((s) => s.label)).toEqual(Array(7).fill("negative"));
    expect(scores[0]).toMatchObject({ commentId: first.id, authorId: 100, at: new Date(BASE + 3 * HOUR) });
    expect(scores.slice(1).every((s) => s.authorId === 101)).toBe(true);
    expect((await scoresOf(calm.id)).map((s) => s.label)).toEqual(["positive"]);

    const now = new Date(BASE + 4 * DAY);
    const digest = (await computeDigest(flowbot.database, projectId, { now }))!;
    const listed = [...digest.ageing, ...digest.stuck];
    const stormyTask = listed.find((t) => t.name === "Checkout redesign")!;
    const calmTask = listed.find((t) => t.name === "Billing export")!;
    expect(stormyTask.stuck).toBeDefined();
    expect(calmTask.stuck).toBeDefined();
    expect(stormyTask.friction).toMatchObject({ because: "stuck", comments: 5 });
    expect(stormyTask.friction!.sentiment).toBeLessThan(-0.5);
    expect(calmTask.friction).toBeUndefined();
    const text = JSON.stringify(renderDigest(digest, new Map())!.blocks);
    expect(text.match(/Friction:/g)).toHaveLength(1);
    expect(text).toContain("stuck and its comments turned negative");

    // The text is in no table (the deliveries' copies were removed once applied), nor in any log line.
    for (const comment of [
      ...STORM,
      "Great start",
      "broke checkout for guests",
      "waiting for the reviewer",
    ]) {
      expect(await tablesContaining(comment)).toEqual([]);
      expect(logs.text()).not.toContain(comment);
    }
    const [kept] = await flowbot.database.sql<{ n: number }[]>`
      select count(*)::int as n from webhook_deliveries d, jsonb_array_elements(d.body->'history_items') h
      where d.task_id = ${stormy.id} and h->>'field' = 'comment' and h->'comment'->>'id' is not null
        and not (h->'comment' ? 'comment_text')`;
    expect(kept!.n).toBeGreaterThanOrEqual(7);
  });
});

describe("comment sentiment, backfill", () => {
  it("reads WIP tasks' and recently finished tasks' comments after the status backfill, replies too, and says so", async () => {
    const now = Date.now();
    const list = clickup.addList({ folderId: "20", name: "Backlog" });
    const wip = clickup.addTask({
      listId: list.id,
      name: "Long discussion",
      history: [
        { status: "to do", at: now - 20 * DAY },
        { status: "in progress", at: now - 15 * DAY },
      ],
      emit: false,
    });
    const recent = clickup.addTask({
      listId: list.id,
      name: "Shipped last week",
      history: [
        { status: "in progress", at: now - 12 * DAY },
        { status: "done", at: now - 7 * DAY },
      ],
      emit: false,
    });
    const old = clickup.addTask({
      listId: list.id,
      name: "Finished last year",
      history: [
        { status: "in progress", at: now - 300 * DAY },
        { status: "done", at: now - 200 * DAY },
      ],
      emit: false,
    });
    const idle = clickup.addTask({ listId: list.id, name: "Not started", emit: false });
    // 30 comments: two pages of the comments endpoint; and two replies to one of them.
    const wipComments = Array.from({ length: 30 }, (_, i) =>
      clickup.addComment({
        taskId: wip.id,
        text: i % 2 ? "Still stuck on the vendor's API" : "Moved the notes to the doc",
        at: now - 14 * DAY + i * HOUR,
        emit: false,
      }),
    );
    clickup.addComment({
      taskId: wip.id,
      text: "Thanks, that helps",
      parentId: wipComments[3]!.id,
      at: now - DAY,
      emit: false,
    });
    clickup.addComment({
      taskId: wip.id,
      text: "Great, fixed",
      parentId: wipComments[3]!.id,
      at: now - DAY + MIN,
      emit: false,
    });
    clickup.addComment({ taskId: recent.id, text: "LGTM", at: now - 8 * DAY, emit: false });
    clickup.addComment({ taskId: old.id, text: "Works", at: now - 201 * DAY, emit: false });
    clickup.addComment({ taskId: idle.id, text: "Later", at: now - DAY, emit: false });
    const before = clickup.requests.count({ path: /\/comment/ });

    const [p] = await flowbot.database.sql<{ id: number }[]>`
      insert into projects (slack_team_id, channel_id) values (${TEAM}, ${CHANNEL}) returning id::int as id`;
    const [b] = await flowbot.database.sql<{ id: number }[]>`
      insert into bindings (project_id, container_type, container_id, container_name, container_path, space_id,
        folder_id, created_by)
      values (${p!.id}, 'list', ${list.id}, 'Backlog', 'Engineering › Product › Backlog', '10', '20', 'U0ADMIN')
      returning id::int as id`;
    await enqueueBackfill(flowbot.database, b!.id, { channelId: CHANNEL, userId: "U0ADMIN" });
    // While the comments are read, the status backfill's message says so; then what they came to.
    await waitFor("the done message", async () =>
      slack
        .messages(CHANNEL)
        .some((m) => m.text?.includes("Backfill of *Engineering › Product › Backlog* done")),
    );
    await settled();
    const updates = slack.callsTo("chat.update").map((c) => String(c.args.text));
    const reading = updates.findIndex(
      (t) => t.includes("Backlog* done") && t.includes(COMMENTS_STILL_READING),
    );
    expect(reading).toBeGreaterThanOrEqual(0);
    expect(updates.slice(reading + 1).some((t) => t.includes("Comments read for sentiment"))).toBe(true);
    const message = slack.messages(CHANNEL).find((m) => m.text?.includes("Backlog* done"))!;
    expect(message.text).not.toContain(COMMENTS_STILL_READING);
    expect(message.text).toContain(
      "Comments read for sentiment: 33 comment(s) from 2 task(s) in progress or finished in the window",
    );

    expect(await scoresOf(wip.id)).toHaveLength(32);
    expect((await scoresOf(recent.id)).map((s) => s.label)).toEqual(["positive"]);
    expect(await scoresOf(old.id)).toEqual([]);
    expect(await scoresOf(idle.id)).toEqual([]);
    // Two pages and one replies request for the WIP task, one page for the finished one; none refused.
    const commentRequests = clickup.requests.entries.filter((e) => /\/comment/.test(e.path)).slice(before);
    expect(commentRequests).toHaveLength(4);
    expect(commentRequests.every((e) => e.status === 200)).toBe(true);
    // The newest comment (a reply) is the WIP case's last activity (§8.3).
    const [activity] = await flowbot.database.sql<{ at: Date }[]>`
      select last_activity_at as at from tracked_cases where task_id = ${wip.id}`;
    expect(activity!.at.getTime()).toBe(now - DAY + MIN);

    // Read by REST, the text is kept nowhere either.
    for (const text of [
      "Still stuck on the vendor",
      "Moved the notes",
      "Thanks, that helps",
      "Great, fixed",
    ]) {
      expect(await tablesContaining(text)).toEqual([]);
      expect(logs.text()).not.toContain(text);
    }

    // A comment deleted in ClickUp (no event) loses its score at the next backfill.
    clickup.deleteComment(wipComments[0]!.id);
    await enqueueBackfill(flowbot.database, b!.id);
    await waitFor("comments read again", async () => (await scoresOf(wip.id)).length === 31);
    await settled();
  }, 60_000);
});
