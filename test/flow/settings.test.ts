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
  seedProject,
  startApp,
  TEAM,
} from "./digest-test-kit.ts";

// /flow settings as an admin meets it: the slash command opens a modal (views.open to the Slack fake),
// the admin edits it and submits (a signed view_submission into the running app).

const NOW = Date.UTC(2026, 10, 23, 10, 0);

let db: TestDatabase;
let app: App;
let projectId: number;
let bindingId: number;

type Block = { type: string; block_id?: string; element?: Record<string, unknown>; label?: { text: string } };
type View = { id: string; callback_id: string; private_metadata: string; blocks: Block[] };

beforeAll(async () => {
  db = await createTestDatabase();
  app = await startApp({ databaseUrl: db.url, now: () => NOW });
  ({ projectId, bindingId } = await seedProject(app.sql));
  // in progress → review → in progress is a flow-back while both statuses are active.
  await addTask(app.sql, bindingId, {
    createdAt: new Date(NOW - 20 * DAY),
    path: [
      [STATUSES.doing, new Date(NOW - 10 * DAY)],
      [STATUSES.review, new Date(NOW - 8 * DAY)],
      [STATUSES.doing, new Date(NOW - 6 * DAY)],
      [STATUSES.blocked, new Date(NOW - 5 * DAY)],
    ],
  });
});
afterAll(async () => {
  await app?.flowbot.stop();
  await db?.drop();
});

/** Runs /flow settings; the modal opens with a loading notice and is then filled in (views.update). */
async function openSettings(): Promise<View> {
  const updated = app.slack.callsTo("views.update").length;
  const viewId = await app.modals.open(async () => expect(await app.run("settings")).toEqual({}));
  await expect.poll(() => app.slack.callsTo("views.update").length).toBe(updated + 1);
  const call = app.slack.callsTo("views.update").at(-1)!;
  expect(call.args.view_id).toBe(viewId);
  expect(call.response).toMatchObject({ ok: true });
  return { ...(call.args.view as View), id: viewId };
}

/** The state Slack would send for the modal as shown, with some inputs changed. */
function stateOf(view: View, changes: Record<string, Record<string, unknown>> = {}) {
  const values: Record<string, Record<string, unknown>> = {};
  for (const block of view.blocks) {
    if (block.type !== "input" || !block.block_id || !block.element) continue;
    const el = block.element;
    const state: Record<string, unknown> = { type: el.type };
    if (el.type === "plain_text_input") state.value = el.initial_value ?? null;
    if (el.type === "conversations_select") state.selected_conversation = el.initial_conversation ?? null;
    if (el.type === "static_select" || el.type === "radio_buttons")
      state.selected_option = el.initial_option ?? null;
    if (el.type === "checkboxes") state.selected_options = el.initial_options ?? [];
    values[block.block_id] = { value: { ...state, ...changes[block.block_id] } };
  }
  return values;
}

/** Submits the modal as Slack would send it; `user` other than the opener is a forged submission. */
const submit = (view: View, values: Record<string, unknown>, user = ADMIN) =>
  app.modals.submit(view.id, values, (p) =>
    user === ADMIN ? p : { ...p, user: { id: user, team_id: TEAM } },
  );

const option = (value: string) => ({ value, text: { type: "plain_text", text: value } });
const project = async () =>
  (
    await app.sql<Record<string, unknown>[]>`
      select time_zone, digest_channel_id, digest_enabled, digest_days::int[] as digest_days, digest_time,
        digest_all_flowing_line, ageing_percentile, ageing_fixed_days, working_days
      from projects where id = ${projectId}`
  )[0]!;

describe("/flow settings", () => {
  it("is for admins only", async () => {
    const answer = await app.run("settings", { user: MEMBER });
    expect(answer.text).toContain("Only flowbot admins can run `/flow settings`");
    expect(app.slack.callsTo("views.open")).toHaveLength(0);
  });

  it("tells an admin in a channel without a project to bind first", async () => {
    const answer = await app.run("settings", { channel: "C0OUTSIDE" });
    expect(answer.text).toContain("not a flowbot project yet");
    expect(answer.text).toContain("/flow bind");
  });

  it("opens a modal with the current settings and every status seen, with its default stage", async () => {
    const view = await openSettings();
    const byId = new Map(view.blocks.map((b) => [b.block_id, b]));
    expect(byId.get("time_zone")!.element!.initial_value).toBe("UTC");
    expect(byId.get("digest_time")!.element!.initial_value).toBe("09:00");
    expect(byId.get("digest_channel")!.element!.initial_conversation).toBe(CHANNEL);
    expect(
      (byId.get("digest_days")!.element!.initial_options as { value: string }[]).map((o) => o.value),
    ).toEqual(["1", "2", "3", "4", "5"]);
    expect((byId.get("ageing_threshold")!.element!.initial_option as { value: string }).value).toBe("p85");
    const stages = view.blocks.filter((b) => b.block_id?.startsWith("stage:"));
    expect(
      Object.fromEntries(
        stages.map((b) => [b.label!.text, (b.element!.initial_option as { value: string }).value]),
      ),
    ).toEqual({ "to do": "not_started", "in progress": "active", review: "active", blocked: "blocked" });
    const reviewOptions = byId.get("stage:review")!.element!.options as { text: { text: string } }[];
    expect(reviewOptions.map((o) => o.text.text)).toContain("Active (default)");
  });

  it("names each invalid field inline and saves nothing", async () => {
    const view = await openSettings();
    const res = await submit(
      view,
      stateOf(view, {
        time_zone: { value: "Europe/Berln" },
        digest_time: { value: "25:00" },
        ageing_threshold: { selected_option: option("fixed") },
        ageing_fixed_days: { value: "soon" },
      }),
    );
    expect(res.status).toBe(200);
    const body = res.body as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe("errors");
    expect(body.errors.time_zone).toContain("“Europe/Berln” is not an IANA time zone");
    expect(body.errors.digest_time).toContain("“25:00” is not a 24-hour time");
    expect(body.errors.ageing_fixed_days).toContain("“soon” is not a number of days");
    expect(await project()).toMatchObject({
      time_zone: "UTC",
      digest_time: "09:00",
      ageing_fixed_days: null,
    });
  });

  it("refuses a private digest channel flowbot is not in, naming the channel and the fix", async () => {
    const view = await openSettings();
    const res = await submit(view, stateOf(view, { digest_channel: { selected_conversation: "C0SECRET" } }));
    const body = res.body as { response_action: string; errors: Record<string, string> };
    expect(body).toEqual({
      response_action: "errors",
      errors: {
        digest_channel:
          "flowbot is not in #secret. Invite it there first (/invite @flowbot), or pick another channel.",
      },
    });
    expect((await project()).digest_channel_id).toBeNull();
  });

  it("asks for a day when the digest is on but no day is ticked", async () => {
    const view = await openSettings();
    const body = (await submit(view, stateOf(view, { digest_days: { selected_options: [] } }))).body as {
      errors: Record<string, string>;
    };
    expect(body.errors.digest_days).toContain("Pick at least one day");
  });

  it("saves every setting and a stage override, recomputes rework, and confirms ephemerally", async () => {
    const before = await app.sql`select kind, from_status, to_status from rework_events`;
    expect(before).toEqual([{ kind: "flow_back", from_status: "review", to_status: "in progress" }]);

    const view = await openSettings();
    const res = await submit(
      view,
      stateOf(view, {
        digest_channel: { selected_conversation: "C0DIGEST" },
        digest_days: { selected_options: [option("1"), option("3"), option("6")] },
        digest_time: { value: "8:30" },
        time_zone: { value: "America/New_York" },
        ageing_threshold: { selected_option: option("fixed") },
        ageing_fixed_days: { value: "12,5" },
        clock: { selected_option: option("working") },
        digest_options: { selected_options: [option("enabled"), option("all_flowing")] },
        // Review counts as done for this team: leaving it for in progress is a reopen, not a flow-back.
        "stage:review": { selected_option: option("done") },
      }),
    );
    expect(res.status).toBe(200);
    expect(res.body).toBeUndefined();
    // The modal closes at once; the save follows (and the admin is told when it is done).
    await expect.poll(() => app.slack.ephemerals().at(-1)?.text ?? "").toContain("Flow settings saved");
    expect(await project()).toEqual({
      time_zone: "America/New_York",
      digest_channel_id: "C0DIGEST",
      digest_enabled: true,
      digest_days: [1, 3, 6],
      digest_time: "08:30",
      digest_all_flowing_line: true,
      ageing_percentile: 85,
      ageing_fixed_days: 12.5,
      working_days: true,
    });
    expect(await app.sql`select status_key, status_name, stage from stage_overrides`).toEqual([
      { status_key: "review", status_name: "review", stage: "done" },
    ]);
    await expect
      .poll(async () => app.sql`select kind, from_status, to_status from rework_events`)
      .toEqual([{ kind: "reopen", from_status: "review", to_status: "in progress" }]);
    const confirmation = app.slack.ephemerals().at(-1)!;
    expect(confirmation).toMatchObject({ channel: CHANNEL, user: ADMIN });
    expect(confirmation.text).toContain("Mon, Wed, Sat at 08:30 (America/New_York) in <#C0DIGEST>");
    expect(confirmation.text).toContain("Ageing threshold: 12.5 days, counted in working days");

    // Reopened, the modal shows what was saved; setting review back to its default drops the override.
    const again = await openSettings();
    const review = again.blocks.find((b) => b.block_id === "stage:review")!;
    expect((review.element!.initial_option as { value: string }).value).toBe("done");
    expect(
      again.blocks.find((b) => b.block_id === "ageing_fixed_days")!.element!.initial_value as string,
    ).toBe("12.5");
    await submit(again, stateOf(again, { "stage:review": { selected_option: option("active") } }));
    await expect.poll(async () => (await app.sql`select * from stage_overrides`).length).toBe(0);
    await expect.poll(async () => app.sql`select kind from rework_events`).toEqual([{ kind: "flow_back" }]);
  });

  it("refuses a submission from a non-admin without saving", async () => {
    const view = await openSettings();
    const res = await submit(view, stateOf(view, { time_zone: { value: "Asia/Kolkata" } }), MEMBER);
    const body = res.body as { response_action: string; view: { blocks: unknown[] } };
    expect(body.response_action).toBe("update");
    expect(JSON.stringify(body.view.blocks)).toContain("Only flowbot admins");
    expect((await project()).time_zone).toBe("America/New_York");
  });

  it("keeps a project with very many statuses within Slack's 100 blocks per modal", async () => {
    await app.sql`
      insert into tracked_cases (binding_id, task_id, name, url, home_list_id, status_name, status_type,
        status_orderindex, date_created, date_updated)
      select ${bindingId}, 'many' || i, 'Task ' || i, 'https://app.clickup.com/t/many' || i, 'L1',
        'stage ' || i, 'custom', i, now(), now()
      from generate_series(1, 120) i`;
    const view = await openSettings();
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    expect(view.blocks.filter((b) => b.block_id?.startsWith("stage:")).length).toBeGreaterThan(80);
    expect(JSON.stringify(view.blocks.at(-1))).toContain(
      "rarer statuses are not shown and keep their current stage",
    );
  });
});
