import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PostDigestDeps } from "../../src/slack/digest/post-digest.ts";
import { BLOCK_LIMITS, blocksTextLength } from "../fakes/slack/index.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import {
  type App,
  CHANNEL,
  DAY,
  digestDeps,
  runDigest,
  seedFinishedHistory,
  seedProject,
  startApp,
} from "./digest-test-kit.ts";

// A project drowning in old work: 500 tasks past the threshold with long names and several assignees,
// and 80 rework events. The digest must still be one valid message (the Slack fake enforces Block Kit's
// limits and rejects what real Slack would).

const NOW = Date.UTC(2026, 10, 23, 9, 0);
const TASKS = 500;
let db: TestDatabase;
let app: App;
let deps: PostDigestDeps;
let projectId: number;

beforeAll(async () => {
  db = await createTestDatabase();
  app = await startApp({ databaseUrl: db.url, now: () => NOW });
  deps = digestDeps(app, () => NOW);
  let bindingId: number;
  ({ projectId, bindingId } = await seedProject(app.sql, { signals: "over SLE only" }));
  await seedFinishedHistory(app.sql, bindingId, NOW);
  await seedBulk(bindingId);
});
afterAll(async () => {
  await app?.flowbot.stop();
  await db?.drop();
});

/** 500 cases in progress for 18.5–40.5 days (bulk-loaded like a backfill), 80 of them with a flow-back. */
async function seedBulk(bindingId: number) {
  const nowIso = new Date(NOW).toISOString();
  // Bulk-loaded like a backfill: cases in progress for 18.5–40.5 days, then one flow-back each for 80 of them.
  await app.sql`
    insert into tracked_cases (binding_id, task_id, name, url, home_list_id, status_name, status_type,
      status_orderindex, date_created, date_updated, assignees)
    select ${bindingId}, 'bulk' || i, 'Refactor <the> “billing” & invoicing pipeline | part ' || i || ' ' || repeat('x', 180),
      'https://app.clickup.com/t/bulk' || i, 'L1', 'in progress', 'custom', 1,
      ${nowIso}::timestamptz - interval '60 days', ${nowIso}::timestamptz,
      jsonb_build_array(
        jsonb_build_object('id', 1, 'username', 'Ada', 'email', 'ada@example.com'),
        jsonb_build_object('id', 2, 'username', 'Bo', 'email', 'bo@elsewhere.example'),
        jsonb_build_object('id', 3, 'username', 'Cy', 'email', null),
        jsonb_build_object('id', 4, 'username', 'Di', 'email', null),
        jsonb_build_object('id', 5, 'username', 'Ed', 'email', null))
    from generate_series(1, ${TASKS}) i`;
  await app.sql`
    insert into status_transitions (case_id, binding_id, from_status, from_type, from_orderindex, to_status, to_type,
      to_orderindex, occurred_at, source, history_item_id)
    select c.id, c.binding_id, 'to do', 'open', 0, 'in progress', 'custom', 1,
      ${nowIso}::timestamptz - (18.5 + (c.id % 23)) * interval '1 day', 'backfill', 'start-' || c.task_id
    from tracked_cases c where c.task_id like 'bulk%'`;
  const flowBacks = await app.sql<{ id: number; case_id: number; binding_id: number }[]>`
    insert into status_transitions (case_id, binding_id, from_status, from_type, from_orderindex, to_status, to_type,
      to_orderindex, occurred_at, actor_name, source, history_item_id)
    select c.id, c.binding_id, 'review', 'custom', 2, 'in progress', 'custom', 1,
      ${nowIso}::timestamptz - interval '1 hour', 'Jane', 'webhook', 'back-' || c.task_id
    from tracked_cases c where c.task_id like 'bulk%' order by c.id limit 80
    returning id::int, case_id::int, binding_id::int`;
  for (const t of flowBacks) {
    await app.sql`
      insert into rework_events (case_id, binding_id, transition_id, kind, from_status, to_status, occurred_at, actor_name)
      values (${t.case_id}, ${t.binding_id}, ${t.id}, 'flow_back', 'review', 'in progress',
        ${nowIso}::timestamptz - interval '1 hour', 'Jane')`;
  }
}

describe("a digest of 500 ageing tasks", () => {
  it("is one message within Block Kit's limits that ends with “and N more” and a pointer to /flow report", async () => {
    const result = await runDigest(deps, projectId, NOW);
    expect(result).toMatchObject({ outcome: "posted", alerts: TASKS + 80 });
    const call = app.slack.callsTo("chat.postMessage").at(-1)!;
    expect(call.response).toMatchObject({ ok: true });
    const blocks = call.args.blocks as { type: string; block_id?: string; text?: { text: string } }[];
    expect(blocks.length).toBeLessThanOrEqual(BLOCK_LIMITS.messageBlocks);
    expect(blocksTextLength(blocks)).toBeLessThan(13_000);
    for (const b of blocks)
      if (b.text) expect(b.text.text.length).toBeLessThanOrEqual(BLOCK_LIMITS.sectionText);
    const shown = blocks.filter((b) => b.block_id?.startsWith("task:")).length;
    expect(shown).toBeGreaterThanOrEqual(15);
    const last = JSON.stringify(blocks.at(-1));
    expect(last).toContain(`and ${TASKS - shown} more tasks`);
    expect(last).toMatch(/and \d+ more rework events/);
    expect(last).toContain("Run `/flow report` in <#C0PROJECT> for the full list");
    // Names are clipped and escaped; assignees beyond four are counted.
    const firstTask = blocks.find((b) => b.block_id?.startsWith("task:"))!.text!.text;
    expect(firstTask).toContain("Refactor &lt;the&gt; “billing” &amp; invoicing pipeline ¦ part");
    expect(firstTask).toContain("…>*");
    expect(firstTask).toContain("<@U0ADMIN>, Bo, Cy, Di +1");
    expect(app.slack.messages(CHANNEL)).toHaveLength(1);
    // Every task counted in the message is marked, so tomorrow's digest does not list them again.
    expect(await app.sql`select kind, count(*)::int as n from alert_log group by kind order by kind`).toEqual(
      [
        { kind: "ageing", n: TASKS },
        { kind: "rework", n: 80 },
      ],
    );
    expect(await runDigest(deps, projectId, NOW + DAY / 24)).toEqual({ outcome: "quiet" });
  });

  it("stays within the limits when each task carries all three signals, each with its reason", async () => {
    // Another project, every signal on, without the flow-backs: the tasks are also stuck in "in progress"
    // (its finished tasks spent 1–20 d there: limit 17 d) and stalled (no activity since they started).
    const other = await seedProject(app.sql, { channelId: "C0DIGEST", signals: "all" });
    await seedFinishedHistory(app.sql, other.bindingId, NOW);
    await app.sql`update tracked_cases set task_id = 'old-' || task_id where task_id like 'bulk%'`;
    await seedBulk(other.bindingId);
    await app.sql`delete from rework_events where binding_id = ${other.bindingId}`;
    await app.sql`delete from status_transitions where binding_id = ${other.bindingId} and history_item_id like 'back-%'`;
    await app.sql`update tracked_cases set date_updated = date_created where binding_id = ${other.bindingId}`;
    const result = await runDigest(deps, other.projectId, NOW);
    expect(result).toMatchObject({ outcome: "posted", channelId: "C0DIGEST" });
    const call = app.slack.callsTo("chat.postMessage").at(-1)!;
    expect(call.response).toMatchObject({ ok: true });
    const blocks = call.args.blocks as { type: string; block_id?: string; text?: { text: string } }[];
    expect(blocks.length).toBeLessThanOrEqual(BLOCK_LIMITS.messageBlocks);
    expect(blocksTextLength(blocks)).toBeLessThan(13_000);
    const tasks = blocks.filter((b) => b.block_id?.startsWith("task:"));
    expect(tasks.length).toBeGreaterThanOrEqual(12);
    for (const t of tasks) {
      expect(t.text!.text).toMatch(/past .* · in progress for/);
      expect(t.text!.text).toContain("*Stuck:*");
      expect(t.text!.text).toContain("*Stalled:* no activity for");
    }
    expect(JSON.stringify(blocks.at(-1))).toContain(`and ${TASKS - tasks.length} more tasks`);
    expect(
      await app.sql`
        select kind, count(*)::int as n from alert_log where project_id = ${other.projectId}
        group by kind order by kind`,
    ).toEqual([
      { kind: "ageing", n: TASKS },
      { kind: "stalled", n: TASKS },
      { kind: "stuck", n: TASKS },
    ]);
  });
});
