import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSignalSettings } from "../../src/flow/metrics/signals-settings.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";
import { ADMIN, type App, CHANNEL, MEMBER, seedProject, startApp, TEAM } from "./digest-test-kit.ts";

// `/flow settings signals` as an admin meets it: the command opens a modal of its own (views.open to the
// Slack fake), the admin edits and submits it (a signed view_submission into the running app); bad values
// come back inline; members cannot open it, nor submit one an admin opened.

const NOW = Date.UTC(2026, 2, 19, 12, 0);

let db: TestDatabase;
let app: App;
let projectId: number;

type Block = { type: string; block_id?: string; element?: Record<string, unknown> };
type View = { id: string; callback_id: string; blocks: Block[] };

beforeAll(async () => {
  db = await createTestDatabase();
  app = await startApp({ databaseUrl: db.url, now: () => NOW });
  ({ projectId } = await seedProject(app.sql));
});
afterAll(async () => {
  await app?.flowbot.stop();
  await db?.drop();
});

async function openSignals(): Promise<View> {
  const viewId = await app.modals.open(async () => expect(await app.run("settings signals")).toEqual({}));
  const call = app.slack.callsTo("views.open").at(-1)!;
  return { ...(call.args.view as View), id: viewId };
}

const option = (value: string) => ({ value, text: { type: "plain_text", text: value } });

/** The state Slack sends for the signals modal: the boxes ticked, and the two fields' text. */
const state = (on: string[], stalledDays: string, ruleDays = "") => ({
  signals_on: { value: { type: "checkboxes", selected_options: on.map(option) } },
  stalled_days: { value: { type: "plain_text_input", value: stalledDays } },
  stuck_rule_days: { value: { type: "plain_text_input", value: ruleDays } },
});

const rows = () => app.sql`select * from signal_settings`;

describe("/flow settings signals", () => {
  it("is for admins only: a member's command opens nothing", async () => {
    const answer = await app.run("settings signals", { user: MEMBER });
    expect(answer.text).toContain("Only flowbot admins can run `/flow settings`");
    expect(app.slack.callsTo("views.open")).toHaveLength(0);
  });

  it("opens its own modal with the defaults: every signal on, stalled after 5 working days, the SLE as the rule", async () => {
    const view = await openSignals();
    expect(view.callback_id).toBe("flow_signal_settings");
    const byId = new Map(view.blocks.map((b) => [b.block_id, b]));
    const ticked = (byId.get("signals_on")!.element!.initial_options as { value: string }[]).map(
      (o) => o.value,
    );
    expect(ticked).toEqual(["over_sle", "stuck", "stalled"]);
    expect(byId.get("stalled_days")!.element!.initial_value).toBe("5");
    expect(byId.get("stuck_rule_days")!.element!.initial_value).toBeUndefined();
    expect(await app.sql`select kind from slack_views where view_id = ${view.id}`).toEqual([
      { kind: "signals" },
    ]);
  });

  it("names each bad value inline and saves nothing", async () => {
    const view = await openSignals();
    const cases: [string, string, string, RegExp, RegExp?][] = [
      ["0", "", "stalled_days", /at least 1 working day, not 0/],
      ["-3", "", "stalled_days", /at least 1 working day, not -3/],
      ["2.5", "", "stalled_days", /“2.5” is not a whole number/],
      ["61", "", "stalled_days", /At most 60 working days, not 61/],
      ["soon", "", "stalled_days", /“soon” is not a number/],
      ["", "", "stalled_days", /Enter a whole number of working days from 1 to 60/],
      ["5", "-2", "stuck_rule_days", /“-2” is not a number of days above 0/],
      ["5", "0", "stuck_rule_days", /“0” is not a number of days above 0/],
      ["70", "lots", "stalled_days", /At most 60/, /“lots” is not a number of days/],
    ];
    for (const [stalled, rule, field, message, other] of cases) {
      const res = await app.modals.submit(view.id, state(["stuck"], stalled, rule));
      const body = res.body as { response_action: string; errors: Record<string, string> };
      expect(body.response_action, stalled).toBe("errors");
      expect(body.errors[field], `${stalled} / ${rule}`).toMatch(message);
      if (other) expect(body.errors.stuck_rule_days).toMatch(other);
      else expect(Object.keys(body.errors)).toEqual([field]);
    }
    expect(await rows()).toEqual([]);
  });

  it("saves what the admin chose and confirms it; the modal reopens with it", async () => {
    const view = await openSignals();
    const before = app.slack.ephemerals().length;
    const res = await app.modals.submit(view.id, state(["over_sle", "stalled"], " 7 ", "4,5"));
    expect(res.status).toBe(200);
    expect(res.body).toBeUndefined();
    expect(await loadSignalSettings(app.sql, projectId)).toEqual({
      overSleOn: true,
      stuckOn: false,
      stalledOn: true,
      stalledDays: 7,
      stuckRuleDays: 4.5,
    });
    expect(await app.sql`select updated_by from signal_settings`).toEqual([{ updated_by: ADMIN }]);
    await expect.poll(() => app.slack.ephemerals().length).toBe(before + 1);
    const confirm = app.slack.ephemerals().at(-1)!;
    expect(confirm).toMatchObject({ channel: CHANNEL, user: ADMIN });
    expect(confirm.text).toContain("Stuck in status: off (where a status has little history: 4.5 d)");
    expect(confirm.text).toContain("Stalled: on, after 7 working days without activity");

    const again = await openSignals();
    const byId = new Map(again.blocks.map((b) => [b.block_id, b]));
    expect(
      (byId.get("signals_on")!.element!.initial_options as { value: string }[]).map((o) => o.value),
    ).toEqual(["over_sle", "stalled"]);
    expect(byId.get("stalled_days")!.element!.initial_value).toBe("7");
    expect(byId.get("stuck_rule_days")!.element!.initial_value).toBe("4.5");
  });

  it("refuses a member's submission from the admin's modal, and writes nothing", async () => {
    const view = await openSignals();
    const before = await rows();
    const res = await app.modals.submit(view.id, state([], "60"), (p) => ({
      ...p,
      user: { id: MEMBER, team_id: TEAM },
    }));
    expect(res.body).toMatchObject({ response_action: "update" });
    expect(JSON.stringify(res.body)).toContain("Only flowbot admins can change the ageing signals");
    expect(await rows()).toEqual(before);
  });

  it("refuses the settings modal's record for a signals submission (each modal kind is its own)", async () => {
    const signals = await openSignals();
    const before = await rows();
    // An admin's /flow settings modal, its submission dressed up as the signals one.
    const settingsId = await app.modals.open(async () => expect(await app.run("settings")).toEqual({}));
    const res = await app.modals.submit(settingsId, state([], "60"), (p) => ({
      ...p,
      view: { ...(p.view as object), callback_id: signals.callback_id },
    }));
    expect(JSON.stringify(res.body)).toContain(
      "This dialog was not opened by you with `/flow settings signals`",
    );
    expect(await rows()).toEqual(before);
  });
});
