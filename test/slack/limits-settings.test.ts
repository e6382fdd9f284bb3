import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN,
  type App,
  addTask,
  DAY,
  MEMBER,
  STATUSES,
  seedProject,
  startApp,
  TEAM,
} from "../flow/digest-test-kit.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

// `/flow settings limits` (docs/flow-metrics.md §10.1) through the running app: the command opens the
// modal (views.open, then views.update with the statuses), the admin submits it as a signed
// view_submission; bad limits come back inline naming the status, and nobody else can save.

const NOW = Date.UTC(2026, 10, 23, 10, 0);

let db: TestDatabase;
let app: App;
let projectId: number;

type Block = { type: string; block_id?: string; label?: { text: string }; element?: Record<string, unknown> };
type View = { callback_id: string; private_metadata: string; blocks: Block[] };

beforeAll(async () => {
  db = await createTestDatabase();
  app = await startApp({ databaseUrl: db.url, now: () => NOW });
  let bindingId: number;
  ({ projectId, bindingId } = await seedProject(app.sql));
  for (const to of [STATUSES.doing, STATUSES.review, STATUSES.review, STATUSES.done]) {
    await addTask(app.sql, bindingId, {
      createdAt: new Date(NOW - 5 * DAY),
      path: [[to, new Date(NOW - DAY)]],
    });
  }
});
afterAll(async () => {
  await app?.flowbot.stop();
  await db?.drop();
});

const limits = () =>
  app.sql<{ target_kind: string; target: string; wip_limit: number; fired: boolean; updated_by: string }[]>`
    select target_kind::text, target, wip_limit, fired, updated_by from wip_limits
    where project_id = ${projectId} order by 1, 2`;
const alertSetting = async () =>
  (await app.sql`select alert_at_once from wip_alert_settings where project_id = ${projectId}`)[0];

/** Opens the modal and waits until it shows the project's statuses. */
async function openLimits(): Promise<{ id: string; view: View }> {
  const updates = app.slack.callsTo("views.update").length;
  const id = await app.modals.open(async () => expect(await app.run("settings limits")).toEqual({}));
  await expect.poll(() => app.slack.callsTo("views.update").length).toBe(updates + 1);
  return { id, view: app.slack.view(id) as unknown as View };
}

const input = (value: string | null) => ({ value: { type: "plain_text_input", value } });
const alert = (on: boolean) => ({
  value: {
    type: "checkboxes",
    selected_options: on ? [{ value: "on", text: { type: "plain_text", text: "alert" } }] : [],
  },
});

type Errors = { response_action: string; errors: Record<string, string> };

describe("/flow settings limits", () => {
  it("refuses a member who is not an admin: no modal, nothing written", async () => {
    const answer = await app.run("settings limits", { user: MEMBER });
    expect(answer.text).toContain("Only flowbot admins can run `/flow settings`");
    expect(app.slack.callsTo("views.open")).toHaveLength(0);
    expect(await limits()).toEqual([]);
  });

  it("opens a modal of its own, recorded for the admin, with the stages and the statuses that are not done", async () => {
    const { id, view } = await openLimits();
    expect(view.callback_id).toBe("flow_settings_limits");
    expect(JSON.parse(view.private_metadata)).toEqual({ projectId, channelId: "C0PROJECT" });
    const [row] = await app.sql`select kind, user_id from slack_views where view_id = ${id}`;
    expect(row).toEqual({ kind: "limits", user_id: ADMIN });
    const inputs = view.blocks.filter((b) => b.type === "input").map((b) => `${b.block_id}=${b.label?.text}`);
    expect(inputs).toEqual([
      "wip_alert_at_once=Immediate alert",
      "wip_stage:not_started=Not started",
      "wip_stage:active=Active",
      "wip_stage:blocked=Blocked",
      // Seen statuses, most frequent first; "complete" is done and takes no limit.
      "wip_status:to do=to do",
      "wip_status:review=review",
      "wip_status:in progress=in progress",
    ]);
  });

  it("answers bad limits inline, naming the status, and saves nothing", async () => {
    const { id } = await openLimits();
    const cases: [Record<string, unknown>, string, string][] = [
      [{ "wip_status:review": input("-1") }, "wip_status:review", "The limit of “review” can't be negative"],
      [
        { "wip_stage:active": input("2.5") },
        "wip_stage:active",
        "“Active” must be a whole number of tasks, not 2.5",
      ],
      [
        { "wip_status:in progress": input("lots") },
        "wip_status:in progress",
        "“in progress” must be a whole number",
      ],
      [{ "wip_status:review": input("100000") }, "wip_status:review", "“review” is at most 10000"],
    ];
    for (const [state, block, message] of cases) {
      const res = await app.modals.submit(id, { wip_alert_at_once: alert(true), ...state });
      expect(res.status).toBe(200);
      const body = res.body as unknown as Errors;
      expect(body.response_action, message).toBe("errors");
      expect(body.errors[block], message).toContain(message);
      expect(res.top).toBe(id);
    }
    expect(await limits()).toEqual([]);
    expect(await alertSetting()).toBeUndefined();
  });

  it("saves an admin's limits, confirms privately, and shows them when opened again", async () => {
    const { id } = await openLimits();
    const res = await app.modals.submit(id, {
      wip_alert_at_once: alert(true),
      "wip_stage:active": input(" 5 "),
      "wip_stage:blocked": input(""),
      "wip_status:review": input("1"),
      "wip_status:in progress": input(null),
    });
    expect(res.status).toBe(200);
    expect(await limits()).toEqual([
      { target_kind: "stage", target: "active", wip_limit: 5, fired: false, updated_by: ADMIN },
      { target_kind: "status", target: "review", wip_limit: 1, fired: false, updated_by: ADMIN },
    ]);
    expect(await alertSetting()).toEqual({ alert_at_once: true });
    await expect
      .poll(() =>
        app.slack
          .ephemerals()
          .map((e) => e.text)
          .join("\n"),
      )
      .toContain("WIP limits: Active (stage) 5, review 1; the channel is alerted at once");
    // Saving judges the limits at once: review holds 2 of 1, so the channel hears it once.
    await expect
      .poll(() => app.slack.messages("C0PROJECT").map((m) => m.text))
      .toContain(":rotating_light: review is over its WIP limit: 2 / 1");
    const { view } = await openLimits();
    const byId = new Map(view.blocks.map((b) => [b.block_id, b]));
    expect(byId.get("wip_status:review")!.element!.initial_value).toBe("1");
    expect(byId.get("wip_stage:active")!.element!.initial_value).toBe("5");
    expect(byId.get("wip_alert_at_once")!.element!.initial_options).toHaveLength(1);
  });

  it("refuses a submission forged by a member from the admin's modal, and writes nothing", async () => {
    const { id } = await openLimits();
    const before = await limits();
    const res = await app.modals.submit(id, { "wip_status:review": input("9") }, (p) => ({
      ...p,
      user: { id: MEMBER, team_id: TEAM },
    }));
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).toContain("Only flowbot admins can change WIP limits");
    expect(await limits()).toEqual(before);
  });
});
