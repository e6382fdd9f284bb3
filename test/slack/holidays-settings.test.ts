import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN,
  type App,
  addTask,
  MEMBER,
  STATUSES,
  seedProject,
  startApp,
  TEAM,
} from "../flow/digest-test-kit.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

// `/flow settings holidays` as an admin meets it (docs/flow-metrics.md §11): the command opens the modal,
// the admin submits it; bad countries, regions and dates come back inline naming the entry, nobody else can
// submit it, and a save re-derives the project's working-day numbers.

const NOW = Date.UTC(2027, 0, 10, 10, 0);

let db: TestDatabase;
let app: App;
let projectId: number;

type Block = { type: string; block_id?: string; element?: Record<string, unknown> };
type View = { callback_id: string; private_metadata: string; blocks: Block[] };

beforeAll(async () => {
  db = await createTestDatabase();
  app = await startApp({ databaseUrl: db.url, now: () => NOW });
  let bindingId: number;
  ({ projectId, bindingId } = await seedProject(app.sql, {
    settings: { time_zone: "Europe/Berlin", working_days: true },
  }));
  // §11's year-boundary example: Thu 24 Dec 2026 12:00 → Mon 4 Jan 2027 12:00 Berlin.
  await addTask(app.sql, bindingId, {
    createdAt: new Date("2026-12-01T09:00:00Z"),
    path: [
      [STATUSES.doing, new Date("2026-12-24T11:00:00Z")],
      [STATUSES.done, new Date("2027-01-04T11:00:00Z")],
    ],
  });
});
afterAll(async () => {
  await app?.flowbot.stop();
  await db?.drop();
});

const setting = async () =>
  (
    await app.sql<Record<string, unknown>[]>`
      select country, region, blackouts, updated_by from holiday_settings where project_id = ${projectId}`
  )[0];
const cycleWorkDays = async () =>
  (
    await app.sql<
      { v: number }[]
    >`select cycle_work_days as v from flow_cases where project_id = ${projectId}`
  )[0]?.v;

const input = (value: string | null) => ({ type: "plain_text_input", value });
const values = (country: string | null, region: string | null, blackouts: string | null) => ({
  holiday_country: { value: input(country) },
  holiday_region: { value: input(region) },
  holiday_blackouts: { value: input(blackouts) },
});

async function openHolidays(): Promise<{ id: string; view: View }> {
  const id = await app.modals.open(async () => expect(await app.run("settings holidays")).toEqual({}));
  return { id, view: app.slack.view(id) as unknown as View };
}

type Errors = { response_action: string; errors: Record<string, string> };

describe("/flow settings holidays", () => {
  it("refuses a member who is not an admin: no modal, nothing written", async () => {
    const answer = await app.run("settings holidays", { user: MEMBER });
    expect(answer.text).toContain("Only flowbot admins can run `/flow settings`");
    expect(app.slack.callsTo("views.open")).toHaveLength(0);
    expect(await setting()).toBeUndefined();
  });

  it("opens a modal of its own, recorded for the admin", async () => {
    const { id, view } = await openHolidays();
    expect(view.callback_id).toBe("flow_settings_holidays");
    expect(JSON.parse(view.private_metadata)).toEqual({ projectId, channelId: "C0PROJECT" });
    const [row] = await app.sql`select kind, user_id from slack_views where view_id = ${id}`;
    expect(row).toEqual({ kind: "holidays", user_id: ADMIN });
    expect(JSON.stringify(view.blocks)).toContain("Holidays: no holiday calendar, no blackout dates.");
  });

  it("answers bad values inline, naming the entry, and saves nothing", async () => {
    const { id } = await openHolidays();
    const cases: [ReturnType<typeof values>, string, string][] = [
      [values("XX", null, null), "holiday_country", '"XX" is not a country'],
      [values("DE", "ZZ", null), "holiday_region", '"ZZ" is not a region of DE'],
      [values(null, "BY", null), "holiday_region", "needs a country"],
      [values("DE", null, "2026-12-24\n2026-13-01"), "holiday_blackouts", '"2026-13-01" is not a date'],
      [values("DE", null, "2026-02-30"), "holiday_blackouts", '"2026-02-30" is not a date'],
      [
        values("DE", null, "2027-01-02..2026-12-30"),
        "holiday_blackouts",
        '"2027-01-02..2026-12-30" ends before',
      ],
    ];
    for (const [state, block, message] of cases) {
      const res = await app.modals.submit(id, state);
      expect(res.status).toBe(200);
      const body = res.body as unknown as Errors;
      expect(body.response_action, message).toBe("errors");
      expect(body.errors[block], message).toContain(message);
      expect(res.top).toBe(id);
    }
    expect(await setting()).toBeUndefined();
    expect(await cycleWorkDays()).toBeCloseTo(7, 10);
  });

  it("refuses a submission forged by a member from the admin's modal, and writes nothing", async () => {
    const { id } = await openHolidays();
    const res = await app.modals.submit(id, values("DE", null, null), (p) => ({
      ...p,
      user: { id: MEMBER, team_id: TEAM },
    }));
    expect(res.body).toMatchObject({ response_action: "update" });
    expect(JSON.stringify(res.body)).toContain("Only flowbot admins can change holiday settings");
    expect(await setting()).toBeUndefined();
    expect(await app.sql`select 1 from project_holidays where project_id = ${projectId}`).toHaveLength(0);
    expect(await cycleWorkDays()).toBeCloseTo(7, 10);
  });

  it("saves DE, then DE with blackouts: the cycle time goes 7.0 → 5.0 → 3.5 working days", async () => {
    const first = await openHolidays();
    await app.modals.submit(first.id, values(" de ", null, null));
    await expect
      .poll(() =>
        app.slack
          .ephemerals()
          .map((e) => e.text)
          .join("\n"),
      )
      .toContain(
        "Holidays: public holidays of DE, no blackout dates. Working-day numbers are recomputed with them.",
      );
    expect(await setting()).toEqual({ country: "DE", region: null, blackouts: [], updated_by: ADMIN });
    expect(await cycleWorkDays()).toBeCloseTo(5, 10);

    const second = await openHolidays();
    const shown = new Map(second.view.blocks.map((b) => [b.block_id, b]));
    expect(shown.get("holiday_country")!.element!.initial_value).toBe("DE");
    await app.modals.submit(second.id, values("DE", "", "2026-12-24, 2026-12-31"));
    await expect.poll(() => cycleWorkDays()).toBeCloseTo(3.5, 10);
    expect(await setting()).toMatchObject({ blackouts: ["2026-12-24", "2026-12-31"] });
  });
});
