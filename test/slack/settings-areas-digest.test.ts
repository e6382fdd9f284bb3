import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PostDigestDeps } from "../../src/slack/digest/post-digest.ts";
import {
  type App,
  addTask,
  CHANNEL,
  digestDeps,
  runDigest,
  STATUSES,
  seedProject,
  startApp,
  TEAM,
} from "../flow/digest-test-kit.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

// One project set up the way an admin does it, area after area, through the running app and the Slack
// fake: `/flow settings segments`, `blocked`, `limits` and `holidays`, each first with a bad value that
// comes back inline, then `/flow settings`, whose confirmation names every area; then a digest that
// carries all of it (docs/flow-metrics.md §7–§11). Europe/Berlin, working days, now = Mon 4 Jan 2027
// 12:00 (11:00 UTC).
//
// By hand. History, all in November 2026 (no public holiday of DE): five bugs with cycle times 1, 1, 2, 3
// and 4 working days (Bug: p70 3, SLE 4) and five features of 10 (Feature: SLE 10; the project's SLE over
// all ten is the 9th value, 10). With DE (Fri 25 Dec, Fri 1 Jan) and blackout Thu 31 Dec:
// - W1, a bug in progress since Wed 23 Dec 12:00: Wed 0.5 + Thu 24 1 + Mon 28–Wed 30 3 + Mon 4 0.5 = 5.0
//   working days (8.0 Mon–Fri only): past its Bug SLE of 4, which the project's 10 would not say; quiet
//   as long: stalled at N = 5.
// - W4, a feature in progress since Mon 14 Dec 12:00, tagged `blocked` (its date_updated Wed 23 Dec
//   12:00): age 0.5 + 4 + 4 (Mon 21–Thu 24) + 3 + 0.5 = 12.0, past the Feature SLE of 10; 12.0 d in "in
//   progress", over that status's 85th percentile (10, the 9th of 1, 1, 2, 3, 4 and five 10s); quiet since
//   23 Dec, 5.0: stalled; blocked by the tag rule from 23 Dec: blocked for 5.0 d.
// - "in progress" holds W1 and W4: 2 over its limit of 1.

const NOW = Date.parse("2027-01-04T11:00:00Z");
const BUG = 1002;
const FEATURE = 1003;
const { doing, done } = STATUSES;
const local = (iso: string) => new Date(`${iso}+01:00`);

let db: TestDatabase;
let app: App;
let deps: PostDigestDeps;
let projectId: number;
const tasks: Record<string, number> = {};

type Block = { type: string; block_id?: string; element?: Record<string, unknown> };
type Errors = { response_action: string; errors: Record<string, string> };

beforeAll(async () => {
  db = await createTestDatabase();
  app = await startApp({ databaseUrl: db.url, now: () => NOW });
  deps = digestDeps(app, () => NOW);
  let bindingId: number;
  ({ projectId, bindingId } = await seedProject(app.sql, {
    settings: { time_zone: "Europe/Berlin", working_days: true },
  }));
  const [c] = await app.sql<{ id: number }[]>`select id::int from connections where slack_team_id = ${TEAM}`;
  await app.sql`insert into custom_task_types (connection_id, type_id, name, fetched_at)
                values (${c!.id}, ${BUG}, 'Bug', ${new Date(NOW)}), (${c!.id}, ${FEATURE}, 'Feature', ${new Date(NOW)})`;
  const typed = async (key: string, type: number, created: Date, path: [typeof doing, Date][]) => {
    const t = await addTask(app.sql, bindingId, { name: `Task ${key}`, createdAt: created, path });
    await app.sql`update tracked_cases set task_type_id = ${type} where id = ${t.caseId}`;
    tasks[key] = t.caseId;
  };
  const bugFinish = ["2026-11-03", "2026-11-03", "2026-11-04", "2026-11-05", "2026-11-06"];
  for (const [i, d] of bugFinish.entries()) {
    await typed(`B${i + 1}`, BUG, local("2026-11-01T09:00:00"), [
      [doing, local("2026-11-02T09:00:00")],
      [done, local(`${d}T09:00:00`)],
    ]);
  }
  for (let i = 1; i <= 5; i++) {
    await typed(`F${i}`, FEATURE, local("2026-11-01T09:00:00"), [
      [doing, local("2026-11-02T09:00:00")],
      [done, local("2026-11-16T09:00:00")],
    ]);
  }
  await typed("W1", BUG, local("2026-12-22T09:00:00"), [[doing, local("2026-12-23T12:00:00")]]);
  await typed("W4", FEATURE, local("2026-12-11T09:00:00"), [[doing, local("2026-12-14T12:00:00")]]);
  await app.sql`update tracked_cases set tags = '{blocked}', date_updated = ${local("2026-12-23T12:00:00")}
                where id = ${tasks.W4!}`;
});
afterAll(async () => {
  await app?.flowbot.stop();
  await db?.drop();
});

const text = (value: string | null) => ({ value: { type: "plain_text_input", value } });
const radio = (value: string) => ({
  value: { type: "radio_buttons", selected_option: { value, text: { type: "plain_text", text: value } } },
});
const unchecked = { value: { type: "checkboxes", selected_options: [] } };

/** Opens `/flow settings <area>` as the admin; `updated`: the modal fills itself in with views.update. */
async function open(area: string, updated = false): Promise<string> {
  const updates = app.slack.callsTo("views.update").length;
  const id = await app.modals.open(async () => expect(await app.run(`settings ${area}`.trim())).toEqual({}));
  if (updated) await expect.poll(() => app.slack.callsTo("views.update").length).toBe(updates + 1);
  return id;
}

/** Submits `bad`, expecting Slack's inline error on `block`, then `good`, expecting the modal to close. */
async function badThenGood(
  id: string,
  bad: Record<string, unknown>,
  block: string,
  message: string,
  good: Record<string, unknown>,
) {
  const refused = await app.modals.submit(id, bad);
  const body = refused.body as unknown as Errors;
  expect(body.response_action, message).toBe("errors");
  expect(body.errors[block], message).toContain(message);
  const before = app.slack.ephemerals().length;
  const saved = await app.modals.submit(id, good);
  expect(saved.status).toBe(200);
  // Closed: no response_action (errors or update) in the answer.
  expect((saved.body as { response_action?: string } | undefined)?.response_action).toBeUndefined();
  await expect.poll(() => app.slack.ephemerals().length).toBe(before + 1);
  return app.slack.ephemerals().at(-1)!.text ?? "";
}

describe("an admin sets every area, then the digest carries it all", () => {
  it("saves each area after answering its bad value inline", async () => {
    const segments = {
      segment_group_name: text(null),
      segment_group_tags: text(null),
      segment_field: text(null),
    };
    expect(
      await badThenGood(
        await open("segments"),
        { ...segments, segment_dimension: radio("drop_down"), segment_field: text("Area") },
        "segment_field",
        "“Area”",
        { ...segments, segment_dimension: radio("type") },
      ),
    ).toContain("Segments: by task type.");

    const blocked = {
      blocked_tags: text(null),
      blocked_field: text(null),
      blocked_options: text(null),
      blocked_dependency: unchecked,
    };
    expect(
      await badThenGood(
        await open("blocked"),
        { ...blocked, blocked_field: text("Waiting on") },
        "blocked_field",
        "No custom field is named “Waiting on”",
        { ...blocked, blocked_tags: text("Blocked") },
      ),
    ).toContain("Blocked when: the status maps to blocked, or tags blocked.");

    const limitsId = await open("limits", true);
    expect(
      await badThenGood(
        limitsId,
        { wip_alert_at_once: unchecked, "wip_status:in progress": text("-1") },
        "wip_status:in progress",
        "The limit of “in progress” can't be negative",
        { wip_alert_at_once: unchecked, "wip_status:in progress": text("1") },
      ),
    ).toContain("WIP limits: in progress 1; no immediate alert.");

    const holidays = { holiday_country: text("DE"), holiday_region: text(null) };
    expect(
      await badThenGood(
        await open("holidays"),
        { ...holidays, holiday_blackouts: text("2026-12-32") },
        "holiday_blackouts",
        '"2026-12-32" is not a date',
        { ...holidays, holiday_blackouts: text("2026-12-31") },
      ),
    ).toContain("Holidays: public holidays of DE, 1 blackout entry.");
  });

  it("`/flow settings` confirms the whole of the project's settings, each area with its command", async () => {
    const viewId = await open("", true);
    const view = app.slack.callsTo("views.update").at(-1)!.args.view as { blocks: Block[] };
    // The state Slack sends for the modal as shown.
    const state: Record<string, Record<string, unknown>> = {};
    for (const block of view.blocks) {
      if (block.type !== "input" || !block.block_id || !block.element) continue;
      const el = block.element;
      const value: Record<string, unknown> = { type: el.type };
      if (el.type === "plain_text_input") value.value = el.initial_value ?? null;
      if (el.type === "conversations_select") value.selected_conversation = el.initial_conversation ?? null;
      if (el.type === "static_select" || el.type === "radio_buttons")
        value.selected_option = el.initial_option;
      if (el.type === "checkboxes") value.selected_options = el.initial_options ?? [];
      state[block.block_id] = { value };
    }
    const before = app.slack.ephemerals().length;
    await app.modals.submit(viewId, state);
    await expect.poll(() => app.slack.ephemerals().length).toBe(before + 1);
    const confirmation = app.slack.ephemerals().at(-1)!.text ?? "";
    expect(confirmation).toContain(":white_check_mark: Flow settings saved.");
    expect(confirmation).toContain("counted in working days.");
    for (const line of [
      "Segments: by task type. Change with `/flow settings segments`.",
      "Stalled: on, after 5 working days without activity. Change with `/flow settings signals`.",
      "WIP limits: in progress 1; no immediate alert. Change with `/flow settings limits`.",
      "Blocked when: the status maps to blocked, or tags blocked. Change with `/flow settings blocked`.",
      "Holidays: public holidays of DE, 1 blackout entry. Change with `/flow settings holidays`.",
    ]) {
      expect(confirmation).toContain(line);
    }
  });

  it("the digest: over SLE per segment, stuck, stalled and blocked on the holiday clock, and the WIP limit", async () => {
    expect(await runDigest(deps, projectId, NOW)).toMatchObject({ outcome: "posted" });
    const m = app.slack.messages(CHANNEL).at(-1) as {
      text?: string;
      blocks: { block_id?: string; text?: { text: string } }[];
    };
    const taskText = (key: string) =>
      m.blocks.find((b) => b.block_id === `task:${tasks[key]!}`)?.text?.text ?? "";
    const all = JSON.stringify(m.blocks);

    const w1 = taskText("W1");
    expect(w1).toContain("Age *5.0 d* (working days), past the 85th percentile, the SLE (4 d) of Bug");
    expect(w1).toContain("*Stalled:* no activity for 5.0 working days");
    expect(w1).not.toContain("Stuck");

    const w4 = taskText("W4");
    expect(w4).toContain("Age *12.0 d* (working days), past the 85th percentile, the SLE (10 d) of Feature");
    expect(w4).toContain(
      "*Stuck:* 12.0 working days in in progress, over in progress's 85th percentile of 10.0 working days",
    );
    expect(w4).toContain("*Stalled:* no activity for 5.0 working days");

    expect(all).toContain("Task W4> blocked for 5.0 working days — tag blocked");
    expect(all).toContain(":no_entry: *Over the WIP limit*: in progress 2 / 1");
  });
});
