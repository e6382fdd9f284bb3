import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Flowbot, startFlowbot } from "../../src/app/start-flowbot.ts";
import { CLICKUP_WEBHOOK_PATH } from "../../src/http/create-http-app.ts";
import { enqueueBackfill } from "../../src/sync/enqueue-backfill.ts";
import { MAX_WEBHOOK_BODY_BYTES } from "../../src/sync/receive-clickup-webhook.ts";
import { type ClickUpFake, createClickUpFake, sign } from "../fakes/clickup/index.ts";
import { createSlackFake } from "../fakes/slack/index.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { testConfig } from "../helpers/test-config.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import { waitForSyncSettled, waitFor as waitUntil } from "../helpers/wait-for.ts";

/*
 * The comment-webhook path under attack: correctly signed deliveries of ClickUp's comment payload shape
 * (docs/clickup.md §16.5), hand-built the way a hostile workspace member's text or a misbehaving ClickUp
 * would make them, posted to the app's /clickup/webhook route and applied by the real apply job.
 */
const TOKEN = "pk_100_HOSTILETOKEN";
const OTHER_TOKEN = "pk_200_OTHERTOKEN";
const MIN = 60_000;
const BASE = Date.UTC(2026, 5, 1, 9, 0, 0);
let tdb: TestDatabase;
let flowbot: Flowbot;
let clickup: ClickUpFake;
const slack = createSlackFake({ channels: [] });
const logs = captureLogs("debug");
let seq = 0;
let historyId = 4_000_000_000_000_000_000n;
const nextItemId = () => String(++historyId);

beforeAll(async () => {
  tdb = await createTestDatabase();
  clickup = createClickUpFake({
    rateLimit: { limit: 10_000, windowMs: 60_000 },
    webhooks: { deliver: (url, init) => fetch(`${flowbot.url}${new URL(url).pathname}`, init) },
  });
  clickup.addWorkspace({ id: "9001", name: "Acme" });
  clickup.addUser({ id: 100, username: "Jane", token: TOKEN, teamIds: ["9001"] });
  clickup.addSpace({ teamId: "9001", id: "10", name: "Engineering" });
  clickup.addFolder({ spaceId: "10", id: "20", name: "Product" });
  clickup.addWorkspace({ id: "9002", name: "Rival" });
  clickup.addUser({ id: 200, username: "Rita", token: OTHER_TOKEN, teamIds: ["9002"] });
  clickup.addSpace({ teamId: "9002", id: "11", name: "Rival Eng" });
  clickup.addFolder({ spaceId: "11", id: "21", name: "Rival Product" });
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
  for (const [team, workspace, token, owner] of [
    ["T0HOSTILE", "9001", TOKEN, 100],
    ["T0RIVAL", "9002", OTHER_TOKEN, 200],
  ] as const) {
    await flowbot.database.sql`
      insert into connections (slack_team_id, clickup_team_id, clickup_team_name, token_sealed, token_last4,
        token_owner_id, token_owner_name, connected_by)
      values (${team}, ${workspace}, 'Acme', ${flowbot.sealer.seal(token)}, ${token.slice(-4)}, ${owner},
        'Owner', 'U0ADMIN')`;
  }
}, 60_000);
afterAll(async () => {
  await flowbot?.stop();
  await tdb?.drop();
});

const waitFor = <T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000) =>
  waitUntil(what, probe, timeoutMs, () => logs.text().slice(-3000));

const settled = () => waitForSyncSettled(flowbot, clickup, () => logs.text().slice(-3000));

type Bound = { listId: string; bindingId: number; webhookId: string; secret: string; team: string };

/** A fresh list bound in its own project and backfilled by the real jobs; its webhook's id and secret. */
async function boundList(workspace: "9001" | "9002" = "9001"): Promise<Bound> {
  seq += 1;
  const team = workspace === "9001" ? "T0HOSTILE" : "T0RIVAL";
  const [spaceId, folderId] = workspace === "9001" ? ["10", "20"] : ["11", "21"];
  const name = `Hostile ${seq}`;
  const list = clickup.addList({ folderId, name });
  const [p] = await flowbot.database.sql<{ id: number }[]>`
    insert into projects (slack_team_id, channel_id) values (${team}, ${`C0H${seq}`}) returning id::int as id`;
  const [b] = await flowbot.database.sql<{ id: number }[]>`
    insert into bindings (project_id, container_type, container_id, container_name, container_path, space_id,
      folder_id, created_by)
    values (${p!.id}, 'list', ${list.id}, ${name}, ${`Eng › ${name}`}, ${spaceId}, ${folderId}, 'U0ADMIN')
    returning id::int as id`;
  await enqueueBackfill(flowbot.database, b!.id);
  const hook = await waitFor(`binding ${b!.id} synced`, async () => {
    const [row] = await flowbot.database.sql<{ id: string; sealed: string }[]>`
      select w.id, w.secret_sealed as sealed from bindings b join clickup_webhooks w on w.id = b.webhook_id
      where b.id = ${b!.id} and b.sync_status = 'synced'`;
    return row;
  });
  await settled();
  return {
    listId: list.id,
    bindingId: b!.id,
    webhookId: hook.id,
    secret: flowbot.sealer.open(hook.sealed),
    team,
  };
}

/** A task in the list, tracked (its taskCreated applied). */
async function trackedTask(bound: Bound, name = "Task") {
  const task = clickup.addTask({ listId: bound.listId, name, createdAt: BASE });
  await settled();
  return task.id;
}

type CommentOpts = {
  commentId: string;
  text?: string;
  /** The history item's time (this version's). */
  at: number;
  /** The comment's own date (defaults to `at`). */
  date?: number;
  event?: "taskCommentPosted" | "taskCommentUpdated" | "taskUpdated";
  itemId?: string;
  /** Replaces the comment object. */
  comment?: unknown;
};

/** A comment delivery as ClickUp builds it (docs/clickup.md §16.5), as compact JSON. */
function commentBody(bound: Bound, taskId: string, o: CommentOpts, item: Record<string, unknown> = {}) {
  const text = o.text ?? "";
  const user = { id: 100, username: "Jane", email: "jane@example.com", color: "#000", initials: "J" };
  const comment = o.comment ?? {
    id: o.commentId,
    comment: [{ text }],
    comment_text: text,
    user,
    resolved: false,
    assignee: null,
    assigned_by: null,
    reactions: [],
    date: String(o.date ?? o.at),
    reply_count: "0",
  };
  return JSON.stringify({
    event: o.event ?? "taskCommentPosted",
    task_id: taskId,
    webhook_id: bound.webhookId,
    history_items: [
      {
        id: o.itemId ?? nextItemId(),
        type: 1,
        date: String(o.at),
        field: "comment",
        parent_id: bound.listId,
        data: {},
        source: null,
        user,
        before: null,
        after: null,
        comment,
        ...item,
      },
    ],
  });
}

const post = (bound: Bound, body: string) =>
  fetch(flowbot.url + CLICKUP_WEBHOOK_PATH, {
    method: "POST",
    headers: { "content-type": "application/json", "x-signature": sign(bound.secret, body) },
    body,
  });

async function postComment(bound: Bound, taskId: string, o: CommentOpts) {
  const res = await post(bound, commentBody(bound, taskId, o));
  expect(res.status).toBe(200);
}

const scoresOf = (taskId: string) =>
  flowbot.database.sql<
    { bindingId: number; commentId: string; score: number; label: string; at: Date; versionAt: Date }[]
  >`
    select c.binding_id::int as "bindingId", s.comment_id as "commentId", s.score, s.label,
      s.commented_at as at, s.version_at as "versionAt"
    from comment_sentiment s join tracked_cases c on c.id = s.case_id
    where c.task_id = ${taskId} order by s.commented_at, s.comment_id`;

async function outcomes(taskId: string) {
  const rows = await flowbot.database.sql<{ outcome: string; n: number }[]>`
    select outcome::text, count(*)::int as n from webhook_deliveries
    where task_id = ${taskId} and event <> 'taskCreated' and event <> 'taskStatusUpdated'
    group by 1 order by 1`;
  return Object.fromEntries(rows.map((r) => [r.outcome, r.n]));
}

/** Stored deliveries whose body still holds a comment's text. */
async function bodiesWithText(taskId: string) {
  const [row] = await flowbot.database.sql<{ n: number }[]>`
    select count(*)::int as n from webhook_deliveries d, jsonb_array_elements(d.body->'history_items') h
    where d.task_id = ${taskId} and jsonb_typeof(h->'comment') = 'object'
      and (h->'comment' ? 'comment_text' or h->'comment' ? 'comment')`;
  return row!.n;
}

describe("hostile comment text", () => {
  it("scores a comment of almost 256 kB and refuses one over the limit with 413, storing nothing", async () => {
    const bound = await boundList();
    const taskId = await trackedTask(bound);
    const empty = commentBody(bound, taskId, { commentId: "c-huge", text: "", at: BASE + MIN });
    // The text appears twice (comment_text and the rich-text block): fill the body to just under the limit.
    const room = Math.floor((MAX_WEBHOOK_BODY_BYTES - Buffer.byteLength(empty) - 64) / 2);
    const words = "this is broken again ";
    const huge = words.repeat(Math.ceil(room / words.length)).slice(0, room);
    const body = commentBody(bound, taskId, { commentId: "c-huge", text: huge, at: BASE + MIN });
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_WEBHOOK_BODY_BYTES);
    expect(Buffer.byteLength(body)).toBeGreaterThan(MAX_WEBHOOK_BODY_BYTES - 1024);
    expect((await post(bound, body)).status).toBe(200);

    const over = commentBody(bound, taskId, { commentId: "c-over", text: `${huge}${huge}`, at: BASE + MIN });
    expect((await post(bound, over)).status).toBe(413);
    await settled();

    const scores = await scoresOf(taskId);
    // Long text is damped (docs/flow-metrics.md §14.1), not refused: a finite score, leaning negative.
    expect(scores.map((s) => s.commentId)).toEqual(["c-huge"]);
    expect(Number.isFinite(scores[0]!.score)).toBe(true);
    expect(scores[0]!.score).toBeLessThan(0);
    expect(await outcomes(taskId)).toEqual({ applied: 1 });
    expect(await bodiesWithText(taskId)).toBe(0);
  }, 60_000);

  it("scores a comment of mentions, emoji and attachments only (empty comment_text) as neutral", async () => {
    const bound = await boundList();
    const taskId = await trackedTask(bound);
    const comment = {
      id: "c-parts",
      comment: [
        { type: "tag", user: { id: 101, username: "Bob", email: "bob@example.com" } },
        { type: "emoticon", text: "", emoticon: { code: "1f44d" } },
        { type: "attachment", attachment: { id: "a1", title: "shot.png", url: "https://x/y.png" } },
        { type: "frame", frame: { id: "f1" } },
      ],
      comment_text: "",
      user: { id: 100, username: "Jane" },
      reactions: [{ reaction: "thumbsup", user: { id: 101 } }],
      date: String(BASE + MIN),
    };
    await postComment(bound, taskId, { commentId: "c-parts", at: BASE + MIN, comment });
    await settled();
    const scores = await scoresOf(taskId);
    expect(scores.map((s) => [s.commentId, s.score, s.label])).toEqual([["c-parts", 0, "neutral"]]);
    expect(await outcomes(taskId)).toEqual({ applied: 1 });
  }, 60_000);

  it("scores unicode, right-to-left and emoji text, and keeps none of it", async () => {
    const bound = await boundList();
    const taskId = await trackedTask(bound);
    const texts = {
      "c-rtl": "\u202eThis is broken\u202c שלום مرحبا",
      "c-emoji": "Great work 🎉👍🏽 — thanks!",
      "c-zalgo": "Z̸̢͓a̷͈̽l̵̰̈g̴̣̈́o̶͚͝ ñ 中文 𝕳𝖊𝖑𝖑𝖔 \ud83d\ude00",
    };
    for (const [i, [commentId, text]] of Object.entries(texts).entries())
      await postComment(bound, taskId, { commentId, text, at: BASE + (i + 1) * MIN });
    await settled();
    const scores = await scoresOf(taskId);
    expect(scores.map((s) => [s.commentId, s.label])).toEqual([
      ["c-rtl", "negative"],
      ["c-emoji", "positive"],
      ["c-zalgo", "positive"],
    ]);
    expect(await bodiesWithText(taskId)).toBe(0);
    expect(logs.text()).not.toContain("שלום");
  }, 60_000);

  it("refuses a \\u0000 in the text with 400 (not a 503 loop) and stores the rest of its group", async () => {
    const bound = await boundList();
    const taskId = await trackedTask(bound);
    const good = Array.from({ length: 6 }, (_, i) =>
      commentBody(bound, taskId, { commentId: `c-ok-${i}`, text: "Looks good", at: BASE + (i + 1) * MIN }),
    );
    const bad = commentBody(bound, taskId, {
      commentId: "c-nul",
      text: "nul \u0000 here",
      at: BASE + 10 * MIN,
    });
    expect(bad).toContain("\\u0000");
    // All at once, so they share a group commit.
    const statuses = await Promise.all(
      [...good.slice(0, 3), bad, ...good.slice(3)].map((b) => post(bound, b)),
    );
    expect(statuses.map((r) => r.status)).toEqual([200, 200, 200, 400, 200, 200, 200]);
    // ClickUp retrying it gets the same answer.
    expect((await post(bound, bad)).status).toBe(400);
    await settled();
    const scores = await scoresOf(taskId);
    expect(scores.map((s) => s.commentId).sort()).toEqual(good.map((_, i) => `c-ok-${i}`).sort());
    expect(await outcomes(taskId)).toEqual({ applied: 6 });
  }, 60_000);
});

describe("malformed history items", () => {
  it("acknowledges items without a comment, with a string comment, an unreadable date or a null user, and refuses one without an id", async () => {
    const bound = await boundList();
    const taskId = await trackedTask(bound);
    const at = BASE + MIN;
    const sent: [string, Record<string, unknown>, number][] = [
      ["no comment", { comment: undefined }, 200],
      ["string comment", { comment: "just text, no object" }, 200],
      ["comment without id", { comment: { comment_text: "orphan", date: String(at) } }, 200],
      ["comment id an object", { comment: { id: { x: 1 }, comment_text: "odd", date: String(at) } }, 200],
      ["date not a number", { date: "yesterday" }, 200],
      ["no item id", { id: undefined }, 400],
    ];
    for (const [what, item, status] of sent) {
      const res = await post(
        bound,
        commentBody(bound, taskId, { commentId: `c-${what}`, text: "Broken", at }, item),
      );
      expect(res.status, what).toBe(status);
    }
    // A null user on the item and on the comment: scored, with no author.
    const nullUser = commentBody(
      bound,
      taskId,
      {
        commentId: "c-null-user",
        at: at + MIN,
        comment: { id: "c-null-user", comment_text: "Thanks, fixed", user: null, date: String(at + MIN) },
      },
      { user: null },
    );
    expect((await post(bound, nullUser)).status).toBe(200);
    await settled();
    const scores = await scoresOf(taskId);
    expect(scores.map((s) => [s.commentId, s.label])).toEqual([["c-null-user", "positive"]]);
    const [row] = await flowbot.database.sql<{ author: number | null }[]>`
      select author_id as author from comment_sentiment where comment_id = 'c-null-user'`;
    expect(row!.author).toBeNull();
    // Nothing is left pending; the undated item has nothing flowbot can use.
    expect(await outcomes(taskId)).toEqual({ applied: 5, ignored: 1 });
  }, 60_000);

  it("a comment with an out-of-range date neither crashes the apply job nor holds up later deliveries", async () => {
    const bound = await boundList();
    const taskId = await trackedTask(bound, "Poisoned");
    const otherId = await trackedTask(bound, "Neighbour");
    // Finite numbers, but no JavaScript date (beyond ±8.64e15 ms) or none Postgres stores (before 4713 BC).
    const poisons: [string, Record<string, unknown>, Partial<CommentOpts>][] = [
      ["item date far future", { date: "99999999999999999999" }, {}],
      ["comment date far future", {}, { date: 8_640_000_000_000_001 }],
      ["comment date before 4713 BC", {}, { date: -210_000_000_000_000 }],
      ["item date negative", { date: "-9000000000000000" }, { date: BASE }],
    ];
    for (const [i, [what, item, opts]] of poisons.entries()) {
      const body = commentBody(
        bound,
        taskId,
        { commentId: `c-poison-${i}`, text: "Blocked", at: BASE + MIN, ...opts },
        item,
      );
      expect((await post(bound, body)).status, what).toBe(200);
    }
    await postComment(bound, taskId, { commentId: "c-after", text: "Thanks, fixed", at: BASE + 2 * MIN });
    await postComment(bound, otherId, { commentId: "c-next-door", text: "Great", at: BASE + 2 * MIN });
    await settled();
    expect((await scoresOf(otherId)).map((s) => s.commentId)).toEqual(["c-next-door"]);
    const scores = await scoresOf(taskId);
    expect(scores.map((s) => s.commentId)).toContain("c-after");
    for (const s of scores) {
      expect(Number.isFinite(s.at.getTime())).toBe(true);
      expect(Number.isFinite(s.versionAt.getTime())).toBe(true);
    }
    const pending = await outcomes(taskId);
    expect(pending.pending).toBeUndefined();
    const [failed] = await flowbot.database.sql<{ n: number }[]>`
      select count(*)::int as n from graphile_worker.jobs where last_error is not null`;
    expect(failed!.n).toBe(0);
    // Each skip is logged with the task and delivery, and nothing of the text, the token or the secret.
    const skipped = logs.lines.filter((l) => l.taskId === taskId && l.unreadableItems !== undefined);
    expect(skipped.length).toBeGreaterThanOrEqual(2);
    expect(skipped.every((l) => typeof l.deliveryId === "number")).toBe(true);
    expect(JSON.stringify(skipped)).not.toContain("Blocked");
    expect(logs.text()).not.toContain(TOKEN);
    expect(logs.text()).not.toContain(bound.secret);
  }, 60_000);
});

describe("ids too long for an index", () => {
  it("a comment or history item id of kilobytes is unreadable, not a write every run of the task fails", async () => {
    const bound = await boundList();
    const taskId = await trackedTask(bound, "Long ids");
    // Random, so Postgres cannot compress it under the 2,704-byte limit of a btree entry.
    const long = randomBytes(8_000).toString("hex");
    await postComment(bound, taskId, { commentId: long, text: "Blocked", at: BASE + MIN });
    const status = JSON.stringify({
      event: "taskStatusUpdated",
      task_id: taskId,
      webhook_id: bound.webhookId,
      history_items: [
        {
          id: `${long}x`,
          type: 1,
          date: String(BASE + MIN),
          field: "status",
          parent_id: bound.listId,
          data: { status_type: "custom" },
          source: null,
          user: { id: 100, username: "Jane" },
          before: { status: "to do", type: "open", orderindex: 0 },
          after: { status: "in progress", type: "custom", orderindex: 1 },
        },
      ],
    });
    expect((await post(bound, status)).status).toBe(200);
    await postComment(bound, taskId, { commentId: "c-short", text: "Thanks, fixed", at: BASE + 2 * MIN });
    await settled();
    expect((await scoresOf(taskId)).map((s) => s.commentId)).toEqual(["c-short"]);
    const [transitions] = await flowbot.database.sql<{ n: number }[]>`
      select count(*)::int as n from status_transitions t join tracked_cases c on c.id = t.case_id
      where c.task_id = ${taskId} and length(t.history_item_id) > 1000`;
    expect(transitions!.n).toBe(0);
    expect((await outcomes(taskId)).pending).toBeUndefined();
  }, 60_000);
});

describe("a delivery Postgres refuses at apply time", () => {
  it("is ignored alone and logged by id; the task's other deliveries and the workspace's other tasks apply", async () => {
    const bound = await boundList();
    const taskId = await trackedTask(bound, "Poisoned by Postgres");
    const otherId = await trackedTask(bound, "Next door");
    // A refusal no payload check here foresees: Postgres raises a data exception for this comment.
    await flowbot.database.sql.unsafe(`
      create function refuse_poison() returns trigger language plpgsql as $$
      begin
        if new.comment_id = 'c-refused' then raise exception 'refused' using errcode = '22023'; end if;
        return new;
      end $$;
      create trigger refuse_poison before insert on comment_sentiment
        for each row execute function refuse_poison();`);
    try {
      const bodies = [
        commentBody(bound, taskId, { commentId: "c-before", text: "Great", at: BASE + MIN }),
        commentBody(bound, taskId, { commentId: "c-refused", text: "Secret words", at: BASE + 2 * MIN }),
        commentBody(bound, taskId, { commentId: "c-after", text: "This is broken", at: BASE + 3 * MIN }),
        commentBody(bound, otherId, { commentId: "c-other", text: "Thanks", at: BASE + 3 * MIN }),
      ];
      for (const body of bodies) expect((await post(bound, body)).status).toBe(200);
      await settled();
    } finally {
      await flowbot.database.sql.unsafe(
        "drop trigger refuse_poison on comment_sentiment; drop function refuse_poison();",
      );
    }
    expect((await scoresOf(taskId)).map((s) => s.commentId)).toEqual(["c-before", "c-after"]);
    expect((await scoresOf(otherId)).map((s) => s.commentId)).toEqual(["c-other"]);
    expect(await outcomes(taskId)).toEqual({ applied: 2, ignored: 1 });
    expect(await bodiesWithText(taskId)).toBe(0);
    const refused = logs.lines.filter((l) => l.taskId === taskId && l.code === "22023");
    expect(refused).toHaveLength(1);
    expect(typeof refused[0]!.deliveryId).toBe("number");
    expect(logs.text()).not.toContain("Secret words");
    const [failed] = await flowbot.database.sql<{ n: number }[]>`
      select count(*)::int as n from graphile_worker.jobs where last_error is not null`;
    expect(failed!.n).toBe(0);
  }, 60_000);
});

describe("an out-of-range date in an applied delivery", () => {
  it("is not read back as a number by later runs (it would overflow and fail each of the task's runs)", async () => {
    const bound = await boundList();
    const taskId = await trackedTask(bound, "Before");
    const user = { id: 100, username: "Jane" };
    const item = (id: string, date: string, field: string, extra: Record<string, unknown>) => ({
      id,
      type: 1,
      date,
      field,
      parent_id: bound.listId,
      data: {},
      source: null,
      user,
      before: null,
      after: null,
      ...extra,
    });
    // A readable comment item makes the delivery applied; its twin items carry 20-digit dates.
    const first = JSON.stringify({
      event: "taskUpdated",
      task_id: taskId,
      webhook_id: bound.webhookId,
      history_items: [
        item(nextItemId(), String(BASE + MIN), "comment", {
          comment: { id: "c-first", comment_text: "Great", user, date: String(BASE + MIN) },
        }),
        item(nextItemId(), "99999999999999999999", "name", { before: "Before", after: "Evil" }),
        item(nextItemId(), "99999999999999999999", "tag", { after: [{ name: "evil" }] }),
      ],
    });
    expect((await post(bound, first)).status).toBe(200);
    await settled();
    const renamed = JSON.stringify({
      event: "taskUpdated",
      task_id: taskId,
      webhook_id: bound.webhookId,
      history_items: [
        item(nextItemId(), String(BASE + 2 * MIN), "name", { before: "Before", after: "Renamed" }),
        item(nextItemId(), String(BASE + 2 * MIN), "tag", { after: [{ name: "ok" }] }),
        item(nextItemId(), String(BASE + 2 * MIN), "comment", {
          comment: { id: "c-second", comment_text: "This is broken", user, date: String(BASE + 2 * MIN) },
        }),
      ],
    });
    expect((await post(bound, renamed)).status).toBe(200);
    await settled();
    const [kase] = await flowbot.database.sql<{ name: string }[]>`
      select name from tracked_cases where task_id = ${taskId}`;
    expect(kase!.name).toBe("Renamed");
    expect((await scoresOf(taskId)).map((s) => [s.commentId, s.label])).toEqual([
      ["c-first", "positive"],
      ["c-second", "negative"],
    ]);
    expect(await outcomes(taskId)).toEqual({ applied: 2 });
  }, 60_000);
});

describe("comments on tasks the webhook does not track", () => {
  it("stores nothing about a task in another list of the workspace", async () => {
    const bound = await boundList();
    const elsewhere = clickup.addList({ folderId: "20", name: "Unbound" });
    const task = clickup.addTask({ listId: elsewhere.id, name: "Not ours", createdAt: BASE, emit: false });
    await postComment(bound, task.id, { commentId: "c-elsewhere", text: "Broken", at: BASE + MIN });
    await settled();
    expect(await scoresOf(task.id)).toEqual([]);
    const cases = await flowbot.database.sql`select 1 from tracked_cases where task_id = ${task.id}`;
    expect(cases).toHaveLength(0);
    expect(await bodiesWithText(task.id)).toBe(0);
  }, 60_000);
});

describe("out-of-order and repeated comment events", () => {
  it("keeps the newest version whatever order the post, edits and replays arrive in, one row per comment", async () => {
    const bound = await boundList();
    const taskId = await trackedTask(bound);
    const posted = BASE + MIN;
    // The edit arrives before the post.
    await postComment(bound, taskId, {
      commentId: "c-a",
      event: "taskCommentUpdated",
      text: "This is broken again",
      at: posted + 5 * MIN,
      date: posted,
    });
    await settled();
    await postComment(bound, taskId, {
      commentId: "c-a",
      text: "Great work, thanks",
      at: posted,
      date: posted,
    });
    await settled();
    // The post replayed with other history item ids (and its taskUpdated twin).
    for (const event of ["taskCommentPosted", "taskUpdated"] as const)
      await postComment(bound, taskId, { commentId: "c-a", event, text: "Great work, thanks", at: posted });
    await settled();
    // An edit older than the stored one arrives last.
    await postComment(bound, taskId, {
      commentId: "c-a",
      event: "taskCommentUpdated",
      text: "Fine now, thanks",
      at: posted + 2 * MIN,
      date: posted,
    });
    await settled();
    const scores = await scoresOf(taskId);
    expect(scores).toHaveLength(1);
    expect(scores[0]).toMatchObject({
      commentId: "c-a",
      label: "negative",
      at: new Date(posted),
      versionAt: new Date(posted + 5 * MIN),
    });

    // The same, all in one apply run.
    const bodies = [
      { event: "taskCommentUpdated" as const, text: "Great, fixed", at: posted + 9 * MIN },
      { event: "taskCommentPosted" as const, text: "This is broken", at: posted },
      { event: "taskCommentPosted" as const, text: "This is broken", at: posted },
      { event: "taskCommentUpdated" as const, text: "Still blocked", at: posted + 4 * MIN },
    ].map((o) => commentBody(bound, taskId, { commentId: "c-b", date: posted, ...o }));
    for (const body of bodies) expect((await post(bound, body)).status).toBe(200);
    await settled();
    const b = (await scoresOf(taskId)).filter((s) => s.commentId === "c-b");
    expect(b).toHaveLength(1);
    expect(b[0]).toMatchObject({ label: "positive", versionAt: new Date(posted + 9 * MIN) });
    expect(await bodiesWithText(taskId)).toBe(0);
  }, 60_000);
});

describe("paused binding, module off", () => {
  it("drops a comment on a paused binding or with the module off, and keeps none of its text", async () => {
    const bound = await boundList();
    const taskId = await trackedTask(bound);
    await flowbot.database.sql`update bindings set sync_status = 'paused' where id = ${bound.bindingId}`;
    await postComment(bound, taskId, { commentId: "c-paused", text: "Broken", at: BASE + MIN });
    await settled();
    await flowbot.database.sql`update bindings set sync_status = 'synced' where id = ${bound.bindingId}`;
    await flowbot.database
      .sql`update connections set module_enabled = false where slack_team_id = ${bound.team}`;
    try {
      await postComment(bound, taskId, { commentId: "c-off", text: "Broken", at: BASE + 2 * MIN });
      await settled();
    } finally {
      await flowbot.database
        .sql`update connections set module_enabled = true where slack_team_id = ${bound.team}`;
    }
    expect(await scoresOf(taskId)).toEqual([]);
    expect(await outcomes(taskId)).toEqual({ dropped: 2 });
    expect(await bodiesWithText(taskId)).toBe(0);
  }, 60_000);
});

// Last in the file: the refused delivery stays pending (and its apply run retrying), which the other tests'
// settled() would wait on.
describe("a comment on another workspace's task", () => {
  it("never attaches a comment to another workspace's case of the same task id", async () => {
    const ours = await boundList("9001");
    const theirs = await boundList("9002");
    const rivalTask = await trackedTask(theirs, "Rival task");
    await postComment(ours, rivalTask, { commentId: "c-leak", text: "Broken", at: BASE + MIN });
    // ClickUp refuses our token the task (401/403): the delivery is not applied but kept for a retry —
    // a refusal can be a permission that comes back — and the binding says why.
    await waitFor("the refusal recorded", async () => {
      const rows = await flowbot.database.sql`
        select code from sync_errors where binding_id = ${ours.bindingId}`;
      return rows.length > 0 && rows;
    });
    expect(await scoresOf(rivalTask)).toEqual([]);
    const cases = await flowbot.database.sql<{ bindingId: number }[]>`
      select binding_id::int as "bindingId" from tracked_cases where task_id = ${rivalTask}`;
    expect(cases).toEqual([{ bindingId: theirs.bindingId }]);
    expect(await outcomes(rivalTask)).toMatchObject({ pending: 1 });
  }, 60_000);
});
