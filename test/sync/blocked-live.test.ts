import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Flowbot, startFlowbot } from "../../src/app/start-flowbot.ts";
import { enqueueBackfill } from "../../src/sync/enqueue-backfill.ts";
import { type ClickUpFake, createClickUpFake } from "../fakes/clickup/index.ts";
import { createSlackFake } from "../fakes/slack/index.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { testConfig } from "../helpers/test-config.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import { waitFor } from "../helpers/wait-for.ts";

/*
 * Blocked intervals end to end (docs/flow-metrics.md §9.2): the ClickUp fake's tags and dependencies reach the
 * running app as webhooks and task reads, and the intervals open and close at ClickUp's instants.
 * The harness is live-sync.test.ts's: the ClickUp fake's signed webhook emitter posts into the running app's
 * /clickup/webhook over loopback; the route stores and enqueues, the real graphile-worker runs
 * jobs/apply-task-deliveries.ts against real Postgres, and the job reads tasks back from the fake.
 */
const TOKEN = "pk_100_BLOCKEDLIVETOKEN";
const TEAM = "T0BLOCK";
const MIN = 60_000;
const BASE = Date.UTC(2026, 2, 2, 9, 0, 0);
let tdb: TestDatabase;
let flowbot: Flowbot;
let clickup: ClickUpFake;
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
  clickup.addSpace({ teamId: "9001", id: "10", name: "Engineering", statuses: STATUSES });
  clickup.addFolder({ spaceId: "10", id: "20", name: "Product" });

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

const intervalsOf = (bindingId: number, taskId: string) =>
  flowbot.database.sql<
    { kind: string; detail: string; startedAt: Date; endedAt: Date | null; inferred: boolean }[]
  >`
    select i.kind::text, i.detail, i.started_at as "startedAt", i.ended_at as "endedAt", i.inferred
    from blocked_intervals i join tracked_cases c on c.id = i.case_id
    where c.binding_id = ${bindingId} and c.task_id = ${taskId} order by i.started_at`;

async function rules(bindingId: number, set: { tags?: string[]; dependency?: boolean }) {
  await flowbot.database.sql`
    insert into blocked_rules (project_id, tag_keys, dependency, updated_by)
    select project_id, ${set.tags ?? []}::text[], ${set.dependency ?? false}, 'U0ADMIN' from bindings where id = ${bindingId}`;
}

describe("blocked intervals through the running app", () => {
  it("a tag added by webhook opens an interval at the item's instant, and its removal closes it", async () => {
    const { listId, bindingIds } = await boundList("Tagged", ["C0TAGGED"]);
    const bindingId = bindingIds[0]!;
    await rules(bindingId, { tags: ["blocked"] });
    const t = clickup.addTask({ listId, name: "Tagged task", createdAt: BASE, status: "in progress" });
    await applied();
    clickup.addTag(t.id, "Blocked", { at: BASE + 5 * MIN });
    await applied();
    expect(await intervalsOf(bindingId, t.id)).toEqual([
      { kind: "tag", detail: "blocked", startedAt: new Date(BASE + 5 * MIN), endedAt: null, inferred: false },
    ]);
    clickup.addTag(t.id, "other", { at: BASE + 6 * MIN });
    clickup.removeTag(t.id, "blocked", { at: BASE + 9 * MIN });
    await applied();
    expect(await intervalsOf(bindingId, t.id)).toEqual([
      {
        kind: "tag",
        detail: "blocked",
        startedAt: new Date(BASE + 5 * MIN),
        endedAt: new Date(BASE + 9 * MIN),
        inferred: false,
      },
    ]);
  });

  it("a drop-down set to the chosen value by webhook opens an interval; another value closes it", async () => {
    const waitingFor = clickup.defineCustomField({
      folderId: "20",
      type: "drop_down",
      name: "Waiting for",
      options: ["Vendor", "Legal"],
    });
    const vendor = waitingFor.options[0]!.id;
    const { listId, bindingIds } = await boundList("Fielded", ["C0FIELDED"]);
    const bindingId = bindingIds[0]!;
    await flowbot.database.sql`
      insert into blocked_rules (project_id, field_id, option_ids, updated_by)
      select project_id, ${waitingFor.id}, ${[vendor]}::text[], 'U0ADMIN' from bindings where id = ${bindingId}`;
    const t = clickup.addTask({ listId, name: "Fielded task", createdAt: BASE, status: "in progress" });
    await applied();
    clickup.setCustomFieldValue(t.id, waitingFor.id, "Vendor", { at: BASE + 20 * MIN });
    clickup.setCustomFieldValue(t.id, waitingFor.id, "Legal", { at: BASE + 50 * MIN });
    await applied();
    expect(await intervalsOf(bindingId, t.id)).toEqual([
      {
        kind: "field",
        detail: `${waitingFor.id}:${vendor}`,
        startedAt: new Date(BASE + 20 * MIN),
        endedAt: new Date(BASE + 50 * MIN),
        inferred: false,
      },
    ]);
  });

  it("a dependency read by the backfill ends when the task waited on finishes (webhook)", async () => {
    const list = clickup.addList({ folderId: "20", name: "Waiting" });
    const d = clickup.addTask({ listId: list.id, name: "D", createdAt: BASE, status: "in progress" });
    const a = clickup.addTask({ listId: list.id, name: "A", createdAt: BASE, status: "in progress" });
    clickup.addDependency(a.id, d.id, { at: BASE + 10 * MIN });
    const bindingId = await bindExisting(list.id, "Waiting", "C0WAITING");
    await rules(bindingId, { dependency: true });
    // Known from the task read only: held since A's date_updated, inferred (docs/flow-metrics.md §6.1).
    expect(await intervalsOf(bindingId, a.id)).toEqual([
      {
        kind: "dependency",
        detail: d.id,
        startedAt: new Date(BASE + 10 * MIN),
        endedAt: null,
        inferred: true,
      },
    ]);
    clickup.setTaskStatus(d.id, "done", { at: BASE + 60 * MIN });
    await applied();
    expect(await intervalsOf(bindingId, a.id)).toEqual([
      {
        kind: "dependency",
        detail: d.id,
        startedAt: new Date(BASE + 10 * MIN),
        endedAt: new Date(BASE + 60 * MIN), // D's transition, exact; the start stays inferred
        inferred: true,
      },
    ]);
  });
});

/** Binds an existing list (its tasks come in by the backfill) to a new project. */
async function bindExisting(listId: string, name: string, channel: string) {
  const [p] = await flowbot.database.sql<{ id: number }[]>`
    insert into projects (slack_team_id, channel_id) values (${TEAM}, ${channel}) returning id::int as id`;
  const [b] = await flowbot.database.sql<{ id: number }[]>`
    insert into bindings (project_id, container_type, container_id, container_name, container_path, space_id,
      folder_id, created_by)
    values (${p!.id}, 'list', ${listId}, ${name}, ${`Engineering › Product › ${name}`}, '10', '20', 'U0ADMIN')
    returning id::int as id`;
  await enqueueBackfill(flowbot.database, b!.id);
  await waitFor(`binding ${b!.id} synced`, async () => {
    const [row] = await flowbot.database.sql`
      select 1 from bindings where id = ${b!.id} and sync_status = 'synced' and webhook_id is not null`;
    return row !== undefined;
  });
  return b!.id;
}
