import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, type App, MEMBER, seedProject, startApp, TEAM } from "../flow/digest-test-kit.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

// `/flow settings blocked` (docs/flow-metrics.md §9.1) through the running app and the Slack fake: the
// admin opens and submits the modal; unknown fields and values come back inline naming what exists; a
// member can neither open nor submit it; saving re-derives the project's intervals.

const NOW = Date.UTC(2026, 10, 23, 10, 0);

let db: TestDatabase;
let app: App;
let projectId: number;
let bindingId: number;

type Block = { type: string; block_id?: string; element?: Record<string, unknown>; hint?: { text: string } };
type View = { callback_id: string; private_metadata: string; blocks: Block[] };
type Errors = { response_action: string; errors: Record<string, string> };

beforeAll(async () => {
  db = await createTestDatabase();
  app = await startApp({ databaseUrl: db.url, now: () => NOW });
  ({ projectId, bindingId } = await seedProject(app.sql));
  await app.sql`
    insert into custom_field_definitions (binding_id, field_id, name, kind, options, fetched_at)
    values (${bindingId}, 'f-wait', 'Waiting for', 'drop_down',
            ${app.sql.json([
              { id: "o-vendor", name: "Vendor", orderindex: 0 },
              { id: "o-legal", name: "Legal", orderindex: 1 },
            ])}, ${new Date(NOW)}),
           (${bindingId}, 'f-hold', 'On hold', 'checkbox', '[]', ${new Date(NOW)})`;
});
afterAll(async () => {
  await app?.flowbot.stop();
  await db?.drop();
});

const rules = async () =>
  (
    await app.sql<Record<string, unknown>[]>`
      select tag_keys, field_id, option_ids, dependency, updated_by from blocked_rules where project_id = ${projectId}`
  )[0];

const input = (value: string | null) => ({ type: "plain_text_input", value });
const values = (more: { tags?: string; field?: string; options?: string; dependency?: boolean } = {}) => ({
  blocked_tags: { value: input(more.tags ?? null) },
  blocked_field: { value: input(more.field ?? null) },
  blocked_options: { value: input(more.options ?? null) },
  blocked_dependency: {
    value: {
      type: "checkboxes",
      selected_options: more.dependency ? [{ value: "on", text: { type: "plain_text", text: "on" } }] : [],
    },
  },
});

async function openBlocked(): Promise<{ id: string; view: View }> {
  const id = await app.modals.open(async () => expect(await app.run("settings blocked")).toEqual({}));
  return { id, view: app.slack.view(id) as unknown as View };
}

describe("/flow settings blocked", () => {
  it("refuses a member who is not an admin: no modal, nothing written", async () => {
    const answer = await app.run("settings blocked", { user: MEMBER });
    expect(answer.text).toContain("Only flowbot admins can run `/flow settings`");
    expect(app.slack.callsTo("views.open")).toHaveLength(0);
    expect(await rules()).toBeUndefined();
  });

  it("opens a modal of its own, recorded for the admin, naming the project's fields", async () => {
    const { id, view } = await openBlocked();
    expect(view.callback_id).toBe("flow_settings_blocked");
    expect(JSON.parse(view.private_metadata)).toEqual({ projectId, channelId: "C0PROJECT" });
    const [row] = await app.sql`select kind, user_id from slack_views where view_id = ${id}`;
    expect(row).toEqual({ kind: "blocked", user_id: ADMIN });
    const byId = new Map(view.blocks.map((b) => [b.block_id, b]));
    expect(byId.get("blocked_field")!.hint!.text).toContain("On hold (checkbox), Waiting for (drop-down)");
    expect(JSON.stringify(view.blocks)).toContain("the status maps to blocked (no other rule)");
  });

  it("answers unknown fields and values inline, naming what exists, and saves nothing", async () => {
    const { id } = await openBlocked();
    const cases: [ReturnType<typeof values>, string, string][] = [
      [
        values({ field: "Waiting on" }),
        "blocked_field",
        "No custom field is named “Waiting on” on this project's lists. This project's fields: “On hold”, “Waiting for”.",
      ],
      [
        values({ field: "waiting for", options: "Vendor, Client" }),
        "blocked_options",
        "“Client” is not a value of “Waiting for”. “Waiting for” has: “Vendor”, “Legal”.",
      ],
      [values({ field: "Waiting for" }), "blocked_options", "Name the values of “Waiting for” that block"],
      [values({ options: "Vendor" }), "blocked_field", "Name the field these values belong to"],
      [values({ field: "On hold", options: "yes" }), "blocked_options", "it blocks when checked"],
    ];
    for (const [state, block, message] of cases) {
      const res = await app.modals.submit(id, state);
      expect(res.status).toBe(200);
      const body = res.body as unknown as Errors;
      expect(body.response_action, message).toBe("errors");
      expect(body.errors[block], message).toContain(message);
      expect(res.top).toBe(id);
    }
    expect(await rules()).toBeUndefined();
  });

  it("saves the rules as keys and ids, re-derives the intervals, and confirms privately", async () => {
    const [c] = await app.sql<{ id: number }[]>`
      insert into tracked_cases (binding_id, task_id, name, url, home_list_id, status_name, status_type,
                                 status_orderindex, date_created, date_updated, tags)
      values (${bindingId}, 'tb1', 'Held', 'https://app.clickup.com/t/tb1', 'L', 'in progress', 'custom', 1,
              ${new Date(NOW - 86_400_000)}, ${new Date(NOW - 3_600_000)}, '{blocked}')
      returning id::int as id`;
    const { id } = await openBlocked();
    const res = await app.modals.submit(
      id,
      values({ tags: " Blocked, on hold", field: "waiting for", options: "legal,vendor", dependency: true }),
    );
    expect(res.status).toBe(200);
    expect(await rules()).toEqual({
      tag_keys: ["blocked", "on hold"],
      field_id: "f-wait",
      option_ids: ["o-legal", "o-vendor"],
      dependency: true,
      updated_by: ADMIN,
    });
    const intervals = await app.sql`
      select kind::text, detail, started_at, ended_at, inferred from blocked_intervals where case_id = ${c!.id}`;
    expect(intervals).toEqual([
      {
        kind: "tag",
        detail: "blocked",
        started_at: new Date(NOW - 3_600_000),
        ended_at: null,
        inferred: true,
      },
    ]);
    await expect
      .poll(() =>
        app.slack
          .ephemerals()
          .map((e) => e.text)
          .join("\n"),
      )
      .toContain(
        "or tags blocked, on hold, or “Waiting for” = Legal or Vendor, or waiting on an unfinished task",
      );
    const { view } = await openBlocked();
    const byId = new Map(view.blocks.map((b) => [b.block_id, b]));
    expect(byId.get("blocked_options")!.element!.initial_value).toBe("Legal, Vendor");
    expect(byId.get("blocked_dependency")!.element!.initial_options).toHaveLength(1);
  });

  it("refuses a submission forged by a member from the admin's modal, and writes nothing", async () => {
    const { id } = await openBlocked();
    const before = await rules();
    const res = await app.modals.submit(id, values({ tags: "x" }), (p) => ({
      ...p,
      user: { id: MEMBER, team_id: TEAM },
    }));
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).toContain("Only flowbot admins can change blocked rules");
    expect(await rules()).toEqual(before);
  });
});
