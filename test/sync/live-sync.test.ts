import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Flowbot, startFlowbot } from "../../src/app/start-flowbot.ts";
import { enqueueBackfill } from "../../src/sync/enqueue-backfill.ts";
import {
  fieldLabel,
  loadFieldDefinitions,
  optionLabel,
  UNKNOWN_FIELD,
  UNKNOWN_VALUE,
} from "../../src/sync/task-fields/index.ts";
import { type ClickUpFake, createClickUpFake } from "../fakes/clickup/index.ts";
import { createSlackFake } from "../fakes/slack/index.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { testConfig } from "../helpers/test-config.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import { waitFor } from "../helpers/wait-for.ts";

/*
 * Live sync end to end: the ClickUp fake's signed webhook emitter posts into the running app's
 * /clickup/webhook over loopback; the route stores and enqueues, the real graphile-worker runs
 * jobs/apply-task-deliveries.ts against real Postgres, and the job reads tasks back from the fake.
 */
const TOKEN = "pk_100_LIVESYNCTOKEN";
const TEAM = "T0LIVE";
const MIN = 60_000;
const BASE = Date.UTC(2026, 2, 2, 9, 0, 0);
let tdb: TestDatabase;
let flowbot: Flowbot;
let clickup: ClickUpFake;
let inbox: string;
let bob: number;
const logs = captureLogs("warn");

const STATUSES = [
  { status: "to do", type: "open" as const },
  { status: "in progress", type: "custom" as const },
  { status: "blocked", type: "custom" as const },
  { status: "review", type: "custom" as const },
  { status: "done", type: "done" as const },
  { status: "closed", type: "closed" as const },
];

beforeAll(async () => {
  tdb = await createTestDatabase();
  clickup = createClickUpFake({
    rateLimit: { limit: 10_000, windowMs: 60_000 },
    // ClickUp posts to the registered endpoint (PUBLIC_URL); here that is the app on its loopback port.
    webhooks: { deliver: (url, init) => fetch(`${flowbot.url}${new URL(url).pathname}`, init) },
  });
  clickup.addWorkspace({ id: "9001", name: "Acme" });
  clickup.addUser({ id: 100, username: "Jane", token: TOKEN, teamIds: ["9001"] });
  bob = clickup.addUser({ id: 101, username: "Bob", teamIds: ["9001"] }).id;
  clickup.addSpace({ teamId: "9001", id: "10", name: "Engineering", statuses: STATUSES });
  clickup.addFolder({ spaceId: "10", id: "20", name: "Product" });
  inbox = clickup.addList({ spaceId: "10", id: "31", name: "Inbox" }).id;
  flowbot = await startFlowbot({
    config: testConfig({
      DATABASE_URL: tdb.url,
      CLICKUP_API_URL: "http://clickup.fake/api",
      PUBLIC_URL: "https://flowbot.example.com",
    }),
    logger: logs.logger,
    slackFetch: createSlackFake().fetch,
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

/** A list in folder Product, bound in `channels` (one project each) and backfilled by the real job. */
async function boundList(name: string, channels: string[]) {
  const list = clickup.addList({ folderId: "20", name });
  const bindingIds: number[] = [];
  for (const channel of channels) {
    const [p] = await flowbot.database.sql<{ id: number }[]>`
      insert into projects (slack_team_id, channel_id) values (${TEAM}, ${channel})
      on conflict (slack_team_id, channel_id) do update set channel_name = excluded.channel_name
      returning id::int as id`;
    const [b] = await flowbot.database.sql<{ id: number }[]>`
      insert into bindings (project_id, container_type, container_id, container_name, container_path, space_id,
        folder_id, created_by)
      values (${p!.id}, 'list', ${list.id}, ${name}, ${`Engineering › Product › ${name}`}, '10', '20', 'U0ADMIN')
      returning id::int as id`;
    await enqueueBackfill(flowbot.database, b!.id);
    await waitFor(`binding ${b!.id} synced`, async () => {
      const [row] = await flowbot.database.sql`
        select 1 from bindings where id = ${b!.id} and sync_status = 'synced' and webhook_id is not null`;
      return row !== undefined;
    });
    bindingIds.push(b!.id);
  }
  return { listId: list.id, bindingIds };
}

/** Every delivery sent, stored and applied: nothing pending, no apply job queued or running. */
async function applied() {
  await clickup.webhooks.settled();
  await waitFor("deliveries applied", async () => {
    const [row] = await flowbot.database.sql<{ pending: number; jobs: number }[]>`
      select (select count(*)::int from webhook_deliveries where outcome = 'pending') as pending,
        (select count(*)::int from graphile_worker.jobs
          where task_identifier in ('apply-task-deliveries', 'apply-deliveries')) as jobs`;
    return row!.pending === 0 && row!.jobs === 0;
  }).catch(async (err) => {
    const jobs = await flowbot.database
      .sql`select task_identifier, attempts, last_error, run_at, locked_at from graphile_worker.jobs`;
    const pending = await flowbot.database
      .sql`select event, task_id, outcome from webhook_deliveries where outcome = 'pending'`;
    throw new Error(`${err.message}: ${JSON.stringify({ jobs, pending })}\n${logs.text().slice(0, 3000)}`);
  });
}

type Snapshot = Awaited<ReturnType<typeof snapshot>>;

/** A binding's flow data with ids and absolute times taken out, to compare two runs of one script. */
async function snapshot(bindingId: number, base: number, homeListId: string) {
  const cases = await flowbot.database.sql<
    {
      id: number;
      taskId: string;
      name: string;
      status: string;
      homeListId: string;
      tracked: boolean;
      deleted: boolean;
      assignees: { id: number }[];
    }[]
  >`
    select id::int as id, task_id as "taskId", name, status_name as status, home_list_id as "homeListId",
      tracked, deleted_at is not null as deleted, assignees
    from tracked_cases where binding_id = ${bindingId} order by date_created, task_id`;
  const out = [];
  for (const c of cases) {
    const transitions = await flowbot.database.sql<
      { from: string | null; to: string; min: number; actor: string }[]
    >`
      select from_status as from, to_status as to, actor_name as actor,
        ((extract(epoch from occurred_at) * 1000 - ${base}) / 60000)::int as min
      from status_transitions where case_id = ${c.id} and source = 'webhook' order by occurred_at, id`;
    const rework = await flowbot.database.sql<{ kind: string; from: string; to: string; min: number }[]>`
      select kind, from_status as from, to_status as to,
        ((extract(epoch from occurred_at) * 1000 - ${base}) / 60000)::int as min
      from rework_events where case_id = ${c.id} order by occurred_at`;
    out.push({
      name: c.name.replace(/^\w+/, "<run>"),
      status: c.status,
      home: c.homeListId === homeListId ? "home" : c.homeListId === inbox ? "inbox" : c.homeListId,
      tracked: c.tracked,
      deleted: c.deleted,
      assignees: c.assignees.map((a) => a.id),
      transitions: transitions.map((t) => ({ ...t })),
      rework: rework.map((r) => ({ ...r })),
    });
  }
  return out;
}

/**
 * Stored deliveries by outcome. (Which twin of a change gets stored — taskStatusUpdated or taskUpdated,
 * taskCreated or the taskStatusUpdated re-using its status item — depends on arrival order; the
 * idempotency key keeps exactly one.)
 */
async function deliveryCounts(bindingId: number) {
  return flowbot.database.sql<{ outcome: string; n: number }[]>`
    select d.outcome::text as outcome, count(*)::int as n
    from webhook_deliveries d join bindings b on b.webhook_id = d.webhook_id
    where b.id = ${bindingId} group by 1 order by 1`;
}

/** One script of ClickUp activity on a list, at fixed times after `base`. */
function script(prefix: string, listId: string, base: number) {
  const at = (m: number) => ({ at: base + m * MIN });
  const t1 = clickup.addTask({ listId, name: `${prefix} one`, createdAt: base });
  clickup.setTaskStatus(t1.id, "in progress", { ...at(1), userId: bob });
  clickup.setTaskStatus(t1.id, "review", at(2));
  clickup.setTaskStatus(t1.id, "in progress", { ...at(3), userId: bob }); // flow-back
  clickup.updateTask(t1.id, { name: `${prefix} one (renamed)`, assignees: [bob] }, at(4));
  clickup.setTaskStatus(t1.id, "done", at(5));
  const t2 = clickup.addTask({ listId, name: `${prefix} two`, createdAt: base + MIN });
  clickup.setTaskStatus(t2.id, "in progress", at(2));
  clickup.setTaskStatus(t2.id, "blocked", at(3));
  clickup.moveTask(t2.id, inbox, at(4)); // out of the bound list: no longer tracked
  clickup.setTaskStatus(t2.id, "in progress", at(5)); // unheard: no webhook on Inbox
  clickup.moveTask(t2.id, listId, at(6)); // back in
  clickup.setTaskStatus(t2.id, "review", at(7));
  clickup.updateTask(t2.id, { assignees: [100, bob] }, at(8));
  clickup.updateTask(t2.id, { assignees: [bob] }, at(9));
  return [t1, t2];
}

describe("live sync through the running app", () => {
  it("create → status changes → move out and back → rename/assign → delete, for both channels binding the list", async () => {
    const { listId, bindingIds } = await boundList("Lifecycle", ["C0LIFE1", "C0LIFE2"]);
    const [webhookA, webhookB] = await flowbot.database.sql<{ webhookId: string }[]>`
      select webhook_id as "webhookId" from bindings where id = any(${bindingIds}::bigint[]) order by id`;
    // One ClickUp webhook serves the container for both bindings.
    expect(webhookA!.webhookId).toBe(webhookB!.webhookId);

    const task = clickup.addTask({ listId, name: "Ship it", createdAt: BASE });
    clickup.setTaskStatus(task.id, "in progress", { at: BASE + MIN, userId: bob });
    clickup.setTaskStatus(task.id, "review", { at: BASE + 2 * MIN });
    await applied();
    const [live] = await flowbot.database.sql`
      select status_name, tracked, home_list_id from tracked_cases where binding_id = ${bindingIds[0]!} and task_id = ${task.id}`;
    expect(live).toEqual({ status_name: "review", tracked: true, home_list_id: listId });

    clickup.moveTask(task.id, inbox, { at: BASE + 3 * MIN });
    await applied();
    const [out] = await flowbot.database.sql`
      select tracked, home_list_id from tracked_cases where binding_id = ${bindingIds[0]!} and task_id = ${task.id}`;
    expect(out).toEqual({ tracked: false, home_list_id: inbox });

    // A task created elsewhere and moved in starts being tracked from ClickUp's view of it.
    const stranger = clickup.addTask({ listId: inbox, name: "Came from the inbox", createdAt: BASE });
    clickup.setTaskStatus(stranger.id, "in progress", { at: BASE + MIN });
    clickup.moveTask(stranger.id, listId, { at: BASE + 4 * MIN });
    clickup.moveTask(task.id, listId, { at: BASE + 5 * MIN });
    clickup.updateTask(task.id, { name: "Ship it now", assignees: [bob] }, { at: BASE + 6 * MIN });
    clickup.setTaskStatus(task.id, "done", { at: BASE + 7 * MIN });
    await applied();

    for (const bindingId of bindingIds) {
      const [c] = await flowbot.database.sql`
        select name, status_name, tracked, home_list_id, assignees, deleted_at
        from tracked_cases where binding_id = ${bindingId} and task_id = ${task.id}`;
      expect(c).toEqual({
        name: "Ship it now",
        status_name: "done",
        tracked: true,
        home_list_id: listId,
        assignees: [{ id: bob, username: "Bob", email: expect.any(String) }],
        deleted_at: null,
      });
      const [s] = await flowbot.database.sql`
        select status_name, tracked, home_list_id from tracked_cases where binding_id = ${bindingId} and task_id = ${stranger.id}`;
      expect(s).toEqual({ status_name: "in progress", tracked: true, home_list_id: listId });
      const timeline = await flowbot.database.sql`
        select from_status, to_status, actor_name, source, history_item_id is not null as exact
        from status_transitions t join tracked_cases c on c.id = t.case_id
        where c.binding_id = ${bindingId} and c.task_id = ${task.id} order by occurred_at`;
      expect(timeline).toEqual([
        { from_status: null, to_status: "to do", actor_name: "Jane", source: "webhook", exact: true },
        { from_status: "to do", to_status: "in progress", actor_name: "Bob", source: "webhook", exact: true },
        {
          from_status: "in progress",
          to_status: "review",
          actor_name: "Jane",
          source: "webhook",
          exact: true,
        },
        { from_status: "review", to_status: "done", actor_name: "Jane", source: "webhook", exact: true },
      ]);
    }

    clickup.deleteTask(task.id);
    await applied();
    const deleted = await flowbot.database.sql`
      select deleted_at is not null as deleted, (select count(*)::int from status_transitions where case_id = c.id) as kept
      from tracked_cases c where task_id = ${task.id} order by binding_id`;
    expect(deleted).toEqual([
      { deleted: true, kept: 4 },
      { deleted: true, kept: 4 },
    ]);
    const outcomes = await flowbot.database.sql`
      select distinct outcome::text from webhook_deliveries where task_id = ${task.id}`;
    expect(outcomes.map((o) => o.outcome)).toEqual(["applied"]);
  });

  it("a duplicate storm (every delivery 3×) in shuffled order gives the clean in-order run's timeline and counts", async () => {
    const clean = await boundList("Clean", ["C0CLEAN"]);
    script("clean", clean.listId, BASE);
    await applied();

    const storm = await boundList("Storm", ["C0STORM"]);
    let seed = 42;
    clickup.webhooks.configure({
      duplicate: 3,
      // A seeded generator (mulberry32): the same shuffle on every run.
      random: () => {
        seed = (seed + 0x6d2b79f5) | 0;
        let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      },
    });
    clickup.webhooks.hold();
    script("storm", storm.listId, BASE);
    const sent = clickup.webhooks.pending().length;
    clickup.webhooks.release();
    await clickup.webhooks.flush({ reorder: "shuffle" });
    clickup.webhooks.configure({ duplicate: 1 });
    await applied();

    const expected: Snapshot = await snapshot(clean.bindingIds[0]!, BASE, clean.listId);
    expect(await snapshot(storm.bindingIds[0]!, BASE, storm.listId)).toEqual(expected);
    expect(await deliveryCounts(storm.bindingIds[0]!)).toEqual(await deliveryCounts(clean.bindingIds[0]!));
    expect(sent).toBeGreaterThan(3 * 20);

    // And what the clean run shows is the script's flow.
    expect(expected).toEqual([
      {
        name: "<run> one (renamed)",
        status: "done",
        home: "home",
        tracked: true,
        deleted: false,
        assignees: [bob],
        transitions: [
          { from: null, to: "to do", min: 0, actor: "Jane" },
          { from: "to do", to: "in progress", min: 1, actor: "Bob" },
          { from: "in progress", to: "review", min: 2, actor: "Jane" },
          { from: "review", to: "in progress", min: 3, actor: "Bob" },
          { from: "in progress", to: "done", min: 5, actor: "Jane" },
        ],
        rework: [{ kind: "flow_back", from: "review", to: "in progress", min: 3 }],
      },
      {
        name: "<run> two",
        status: "review",
        home: "home",
        tracked: true,
        deleted: false,
        assignees: [bob],
        transitions: [
          { from: null, to: "to do", min: 1, actor: "Jane" },
          { from: "to do", to: "in progress", min: 2, actor: "Jane" },
          { from: "in progress", to: "blocked", min: 3, actor: "Jane" },
          { from: "in progress", to: "review", min: 7, actor: "Jane" },
        ],
        rework: [],
      },
    ]);
  });

  it("rework: review → in progress and a reopen count; blocked moves and done → closed do not", async () => {
    const { listId, bindingIds } = await boundList("Rework", ["C0REWORK"]);
    const t = clickup.addTask({ listId, name: "Reworked", createdAt: BASE });
    const steps = [
      "in progress",
      "review",
      "in progress",
      "blocked",
      "in progress",
      "done",
      "closed",
      "review",
    ];
    for (const [i, s] of steps.entries())
      clickup.setTaskStatus(t.id, s, { at: BASE + (i + 1) * MIN, userId: bob });
    await applied();
    const rework = await flowbot.database.sql`
      select r.kind::text, r.from_status, r.to_status, r.actor_name, r.transition_id = t.id as linked
      from rework_events r join status_transitions t on t.id = r.transition_id
      join tracked_cases c on c.id = r.case_id
      where c.binding_id = ${bindingIds[0]!} order by r.occurred_at`;
    expect(rework).toEqual([
      { kind: "flow_back", from_status: "review", to_status: "in progress", actor_name: "Bob", linked: true },
      { kind: "reopen", from_status: "closed", to_status: "review", actor_name: "Bob", linked: true },
    ]);
    // The live changes reach the metrics: apply lists the case, the rebuild-flow-facts job it queues
    // derives its flow facts (started at the first "in progress", reopened so not finished).
    const facts = await waitFor("flow facts rebuilt", async () => {
      const [row] = await flowbot.database.sql<{ started: Date | string; finished: Date | null }[]>`
        select f.started_at as started, f.finished_at as finished
        from flow_cases f join tracked_cases c on c.id = f.case_id
        where c.binding_id = ${bindingIds[0]!} and c.task_id = ${t.id}
          and not exists (select 1 from flow_dirty_cases d where d.case_id = c.id)
          and f.started_at is not null`;
      return row;
    });
    expect(new Date(facts.started).getTime()).toBe(BASE + MIN);
    expect(facts.finished).toBeNull();
  });

  it("jobs racing for one task (several batches naming it) apply each delivery once", async () => {
    const { listId, bindingIds } = await boundList("Race", ["C0RACE"]);
    clickup.webhooks.hold();
    const t = clickup.addTask({ listId, name: "Contended", createdAt: BASE });
    for (const [i, s] of ["in progress", "review", "in progress", "done"].entries())
      clickup.setTaskStatus(t.id, s, { at: BASE + (i + 1) * MIN });
    clickup.webhooks.release();
    await clickup.webhooks.flush();
    // The route queued its batch job; three more batches name the same task and all run at once.
    await flowbot.database.sql`
      select graphile_worker.add_job('apply-task-deliveries', json_build_array(json_build_object('taskId', ${t.id}::text)))
      from generate_series(1, 3)`;
    await applied();
    const [row] = await flowbot.database.sql<{ transitions: number; applied: number; status: string }[]>`
      select (select count(*)::int from status_transitions where case_id = c.id) as transitions,
        (select count(*)::int from webhook_deliveries where task_id = ${t.id} and outcome = 'applied') as applied,
        c.status_name as status
      from tracked_cases c where c.binding_id = ${bindingIds[0]!} and c.task_id = ${t.id}`;
    // Six deliveries: the creation comes as taskCreated (status and creation items) and as
    // taskStatusUpdated (the status item alone), both stored; the status item is one transition.
    expect(row).toEqual({ transitions: 5, applied: 6, status: "done" });
    const [rework] = await flowbot.database.sql<{ n: number }[]>`
      select count(*)::int as n from rework_events r join tracked_cases c on c.id = r.case_id where c.task_id = ${t.id}`;
    expect(rework!.n).toBe(1);
  });

  it("a worker that dies mid-apply rolls back and its retry applies every change exactly once", async () => {
    const { listId, bindingIds } = await boundList("Crash", ["C0CRASH"]);
    // The third transition insert for this task fails once (a sequence is not rolled back with the
    // transaction, so the retry gets past it): the first attempt dies with two of four applied.
    await flowbot.database.sql.unsafe(`
      create sequence crash_count;
      create function crash_once() returns trigger language plpgsql as $$
      begin
        if exists (select 1 from tracked_cases where id = new.case_id and name = 'Crashy')
          and nextval('crash_count') = 3 then
          raise exception 'simulated crash mid-apply';
        end if;
        return new;
      end $$;
      create trigger crash_once before insert on status_transitions for each row execute function crash_once();`);
    try {
      clickup.webhooks.hold();
      const t = clickup.addTask({ listId, name: "Crashy", createdAt: BASE });
      for (const [i, s] of ["in progress", "review", "done"].entries())
        clickup.setTaskStatus(t.id, s, { at: BASE + (i + 1) * MIN });
      clickup.webhooks.release();
      await clickup.webhooks.flush();
      await applied();
      const [row] = await flowbot.database.sql<{ n: number; calls: number; status: string }[]>`
        select count(*)::int as n, (select last_value::int from crash_count) as calls,
          (select status_name from tracked_cases where binding_id = ${bindingIds[0]!} and task_id = ${t.id}) as status
        from status_transitions s join tracked_cases c on c.id = s.case_id
        where c.binding_id = ${bindingIds[0]!} and c.task_id = ${t.id}`;
      // 3 inserts in the failed attempt + 4 in the retry; 4 transitions, each once.
      expect(row).toEqual({ n: 4, calls: 7, status: "done" });
      expect(logs.text()).toContain("simulated crash mid-apply");
    } finally {
      await flowbot.database.sql.unsafe(`
        drop trigger crash_once on status_transitions; drop function crash_once(); drop sequence crash_count;`);
    }
  }, 30_000);
});

describe("live task fields through the running app", () => {
  type Fields = {
    tags: string[];
    priority: string | null;
    fieldValues: { fieldId: string; kind: string; optionIds?: string[] }[];
    lastActivityAt: Date | null;
  };
  const fieldsOf = async (bindingId: number, taskId: string) =>
    (
      await flowbot.database.sql<Fields[]>`
        select tags, priority::text as priority, field_values as "fieldValues", last_activity_at as "lastActivityAt"
        from tracked_cases where binding_id = ${bindingId} and task_id = ${taskId}`
    )[0]!;
  const at = (m: number) => ({ at: BASE + m * MIN });
  /** `late` happens in ClickUp first but its deliveries arrive only after `early`'s are applied. */
  async function outOfOrder(late: () => void, early: () => void) {
    clickup.webhooks.hold();
    late();
    clickup.webhooks.release(); // what `late` sent stays queued until the flush
    early();
    await applied();
    await clickup.webhooks.flush();
    await applied();
  }

  it("tags, priority, a custom field and a comment update the fields and last activity; an older item never wins", async () => {
    const kind = clickup.defineCustomField({
      folderId: "20",
      type: "drop_down",
      name: "Kind",
      options: ["Bug", "Feature"],
    });
    const feature = kind.options[1]!.id;
    const { listId, bindingIds } = await boundList("Fields", ["C0FIELDS"]);
    const bindingId = bindingIds[0]!;
    const t = clickup.addTask({ listId, name: "Kept", createdAt: BASE });
    await applied();
    expect(await fieldsOf(bindingId, t.id)).toEqual({
      tags: [],
      priority: null,
      fieldValues: [],
      lastActivityAt: new Date(BASE),
    });

    clickup.addTag(t.id, "Bug", at(1));
    clickup.setPriority(t.id, "high", at(2));
    clickup.setCustomFieldValue(t.id, kind.id, "Feature", at(3));
    clickup.addComment({ taskId: t.id, text: "a comment flowbot must not keep", at: BASE + 4 * MIN });
    await applied();
    expect(await fieldsOf(bindingId, t.id)).toEqual({
      tags: ["bug"],
      priority: "high",
      fieldValues: [{ fieldId: kind.id, kind: "drop_down", optionIds: [feature] }],
      // The comment is activity at ClickUp's instant (docs/flow-metrics.md §8.3).
      lastActivityAt: new Date(BASE + 4 * MIN),
    });
    // Every delivery was used (the comment for activity), none ignored; nothing of the comment is kept.
    const outcomes = await flowbot.database.sql`
      select distinct outcome::text from webhook_deliveries where task_id = ${t.id}`;
    expect(outcomes.map((o) => o.outcome)).toEqual(["applied"]);
    const [row] = await flowbot.database.sql`select row_to_json(c)::text as json from tracked_cases c
      where binding_id = ${bindingId} and task_id = ${t.id}`;
    expect(row!.json).not.toContain("a comment flowbot must not keep");

    clickup.removeTag(t.id, "bug", at(5));
    await applied();
    expect(await fieldsOf(bindingId, t.id)).toMatchObject({
      tags: [],
      lastActivityAt: new Date(BASE + 5 * MIN),
    });

    // Out of order across apply runs: the newer change of the same thing is kept.
    await outOfOrder(
      () => clickup.setPriority(t.id, "low", at(6)),
      () => clickup.setPriority(t.id, "urgent", at(7)),
    );
    await outOfOrder(
      () => clickup.addTag(t.id, "blocked", at(8)),
      () => clickup.removeTag(t.id, "blocked", at(9)),
    );
    await outOfOrder(
      () => clickup.setCustomFieldValue(t.id, kind.id, "Bug", at(10)),
      () => clickup.setCustomFieldValue(t.id, kind.id, null, at(11)),
    );
    // ... while an older change of another tag still applies.
    await outOfOrder(
      () => clickup.addTag(t.id, "customer", at(12)),
      () => clickup.addTag(t.id, "urgent fix", at(13)),
    );
    expect(await fieldsOf(bindingId, t.id)).toEqual({
      tags: ["customer", "urgent fix"],
      priority: "urgent",
      fieldValues: [],
      // The latest item, not the last one applied.
      lastActivityAt: new Date(BASE + 13 * MIN),
    });

    // A shuffled storm of the same kind of changes ends as ClickUp did.
    clickup.webhooks.hold();
    clickup.setCustomFieldValue(t.id, kind.id, "Bug", at(14));
    clickup.setPriority(t.id, "normal", at(15));
    clickup.removeTag(t.id, "customer", at(16));
    clickup.setCustomFieldValue(t.id, kind.id, "Feature", at(17));
    clickup.setPriority(t.id, null, at(18));
    clickup.webhooks.release();
    await clickup.webhooks.flush({ reorder: "reverse" });
    await applied();
    expect(await fieldsOf(bindingId, t.id)).toEqual({
      tags: ["urgent fix"],
      priority: null,
      fieldValues: [{ fieldId: kind.id, kind: "drop_down", optionIds: [feature] }],
      lastActivityAt: new Date(BASE + 18 * MIN),
    });
  });

  it("a custom field deleted in ClickUp degrades to (unknown field), never an error", async () => {
    const { listId, bindingIds } = await boundList("Deleted field", ["C0DELFIELD"]);
    const bindingId = bindingIds[0]!;
    const t = clickup.addTask({ listId, name: "Loses a field", createdAt: BASE });
    await applied();
    const logged = logs.lines.length;
    // Made after the backfill read the definitions, and deleted before its delivery arrives.
    const severity = clickup.defineCustomField({
      listId,
      type: "drop_down",
      name: "Severity",
      options: ["S1", "S2"],
    });
    clickup.webhooks.hold();
    clickup.setCustomFieldValue(t.id, severity.id, "S1", at(1));
    clickup.deleteCustomField(severity.id);
    clickup.webhooks.release();
    await clickup.webhooks.flush();
    await applied();
    // The item names the field and its options itself: the value is kept, by id.
    const kept = await fieldsOf(bindingId, t.id);
    expect(kept.fieldValues).toEqual([
      { fieldId: severity.id, kind: "drop_down", optionIds: [severity.options[0]!.id] },
    ]);
    const definitions = await loadFieldDefinitions(flowbot.database.db, bindingId);
    expect(fieldLabel(severity.id, definitions)).toMatchObject({
      name: UNKNOWN_FIELD,
      known: false,
      note: expect.stringContaining(severity.id),
    });
    expect(optionLabel(severity.id, severity.options[0]!.id, definitions)).toBe(UNKNOWN_VALUE);
    expect(logs.lines.slice(logged).map((l) => l.msg)).toEqual([]);
    const outcomes = await flowbot.database.sql`
      select distinct outcome::text from webhook_deliveries where task_id = ${t.id}`;
    expect(outcomes.map((o) => o.outcome)).toEqual(["applied"]);

    // The next backfill reads the task again: ClickUp dropped the value with the field.
    await flowbot.database.sql`update bindings set sync_status = 'not_synced' where id = ${bindingId}`;
    await enqueueBackfill(flowbot.database, bindingId);
    await waitFor("backfilled again", async () => {
      const [b] = await flowbot.database
        .sql`select 1 from bindings where id = ${bindingId} and sync_status = 'synced'`;
      return b !== undefined;
    });
    expect((await fieldsOf(bindingId, t.id)).fieldValues).toEqual([]);
  });
});
