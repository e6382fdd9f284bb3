import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, type App, MEMBER, seedProject, startApp, TEAM } from "../flow/digest-test-kit.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

// `/flow settings segments` as an admin meets it: the command opens the modal (views.open to the Slack
// fake), the admin submits it (a signed view_submission into the running app); bad values come back as
// inline errors naming what to fix, and nobody else can open or submit it.

const NOW = Date.UTC(2026, 10, 23, 10, 0);

let db: TestDatabase;
let app: App;
let projectId: number;

type Block = { type: string; block_id?: string; element?: Record<string, unknown>; hint?: { text: string } };
type View = { callback_id: string; private_metadata: string; blocks: Block[] };

beforeAll(async () => {
  db = await createTestDatabase();
  app = await startApp({ databaseUrl: db.url, now: () => NOW });
  let bindingId: number;
  ({ projectId, bindingId } = await seedProject(app.sql));
  await app.sql`
    insert into custom_field_definitions (binding_id, field_id, name, kind, options, fetched_at)
    values (${bindingId}, 'f-area', 'Area', 'labels',
            ${app.sql.json([{ id: "o-be", name: "Backend", orderindex: null }])}, ${new Date(NOW)}),
           (${bindingId}, 'f-sev', 'Severity', 'drop_down',
            ${app.sql.json([{ id: "o-s1", name: "S1", orderindex: 0 }])}, ${new Date(NOW)}),
           (${bindingId}, 'f-ok', 'Approved', 'checkbox', '[]', ${new Date(NOW)})`;
});
afterAll(async () => {
  await app?.flowbot.stop();
  await db?.drop();
});

const setting = async () =>
  (
    await app.sql<Record<string, unknown>[]>`
      select dimension::text, tag_group_name, tag_group_tags, field_id, updated_by
      from segment_settings where project_id = ${projectId}`
  )[0];

const radio = (value: string) => ({
  type: "radio_buttons",
  selected_option: { value, text: { type: "plain_text", text: value } },
});
const input = (value: string | null) => ({ type: "plain_text_input", value });
const values = (dimension: string, more: { name?: string; tags?: string; field?: string } = {}) => ({
  segment_dimension: { value: radio(dimension) },
  segment_group_name: { value: input(more.name ?? null) },
  segment_group_tags: { value: input(more.tags ?? null) },
  segment_field: { value: input(more.field ?? null) },
});

async function openSegments(): Promise<{ id: string; view: View }> {
  const id = await app.modals.open(async () => expect(await app.run("settings segments")).toEqual({}));
  return { id, view: app.slack.view(id) as unknown as View };
}

type Errors = { response_action: string; errors: Record<string, string> };

describe("/flow settings segments", () => {
  it("refuses a member who is not an admin: no modal, nothing written", async () => {
    const answer = await app.run("settings segments", { user: MEMBER });
    expect(answer.text).toContain("Only flowbot admins can run `/flow settings`");
    expect(app.slack.callsTo("views.open")).toHaveLength(0);
    expect(await setting()).toBeUndefined();
  });

  it("names an unknown settings area", async () => {
    const answer = await app.run("settings segmnts");
    expect(answer.text).toContain("`/flow settings segmnts` is not a settings area");
    expect(answer.text).toContain("`/flow settings segments`");
  });

  it("opens a modal of its own, recorded for the admin, with the project's fields in the hint", async () => {
    const { id, view } = await openSegments();
    expect(view.callback_id).toBe("flow_settings_segments");
    expect(JSON.parse(view.private_metadata)).toEqual({ projectId, channelId: "C0PROJECT" });
    const [row] = await app.sql`select kind, user_id from slack_views where view_id = ${id}`;
    expect(row).toEqual({ kind: "segments", user_id: ADMIN });
    const byId = new Map(view.blocks.map((b) => [b.block_id, b]));
    expect((byId.get("segment_dimension")!.element!.initial_option as { value: string }).value).toBe("none");
    expect(byId.get("segment_field")!.hint!.text).toContain("Area (labels), Severity (drop-down)");
    expect(JSON.stringify(view.blocks)).toContain("Segments: none");
  });

  it("answers bad values inline, naming what to fix, and saves nothing", async () => {
    const { id } = await openSegments();
    const cases: [ReturnType<typeof values>, string, string][] = [
      [values("tag_group", { name: "kind", tags: " , \n" }), "segment_group_tags", "The tag group is empty"],
      [
        values("tag_group", { name: "kind", tags: "bug, Feature, BUG, feature" }),
        "segment_group_tags",
        "“bug”, “feature” are listed twice",
      ],
      [values("tag_group", { tags: "bug" }), "segment_group_name", "Name the tag group"],
      [
        values("labels", { field: "Aera" }),
        "segment_field",
        "No custom field is named “Aera” on this project's lists. This project's labels fields: “Area”.",
      ],
      [
        values("drop_down", { field: "area" }),
        "segment_field",
        "“Area” is a labels field, not a drop-down one",
      ],
      [values("labels", { field: "Approved" }), "segment_field", "A checkbox can't segment tasks"],
      [
        values("drop_down"),
        "segment_field",
        "Name the drop-down field. This project's drop-down fields: “Severity”.",
      ],
    ];
    for (const [state, block, message] of cases) {
      const res = await app.modals.submit(id, state);
      expect(res.status).toBe(200);
      const body = res.body as unknown as Errors;
      expect(body.response_action, message).toBe("errors");
      expect(body.errors[block], message).toContain(message);
      expect(res.top).toBe(id); // the modal stays open, showing the errors
    }
    expect(await setting()).toBeUndefined();
  });

  it("saves a tag group as keys in the admin's order, and confirms privately", async () => {
    const { id } = await openSegments();
    const res = await app.modals.submit(
      id,
      values("tag_group", { name: "kind", tags: " Bug,\nfeature , chore" }),
    );
    expect(res.status).toBe(200);
    expect(await setting()).toEqual({
      dimension: "tag_group",
      tag_group_name: "kind",
      tag_group_tags: ["bug", "feature", "chore"],
      field_id: null,
      updated_by: ADMIN,
    });
    await expect
      .poll(() =>
        app.slack
          .ephemerals()
          .map((e) => e.text)
          .join("\n"),
      )
      .toContain("Segments: by the tag group “kind” (bug, feature, chore).");
    // Opened again, the modal shows what was saved.
    const { view } = await openSegments();
    const byId = new Map(view.blocks.map((b) => [b.block_id, b]));
    expect((byId.get("segment_dimension")!.element!.initial_option as { value: string }).value).toBe(
      "tag_group",
    );
    expect(byId.get("segment_group_tags")!.element!.initial_value).toBe("bug, feature, chore");
  });

  it("saves a field dimension by the field's id, and task type", async () => {
    const { id } = await openSegments();
    await app.modals.submit(id, values("labels", { field: " area " }));
    expect(await setting()).toMatchObject({ dimension: "labels", field_id: "f-area", tag_group_tags: [] });
    const again = await openSegments();
    await app.modals.submit(again.id, values("type"));
    expect(await setting()).toMatchObject({ dimension: "type", field_id: null, tag_group_name: null });
  });

  it("`/flow settings` says what the project segments by when it saves", async () => {
    const updated = app.slack.callsTo("views.update").length;
    const viewId = await app.modals.open(async () => expect(await app.run("settings")).toEqual({}));
    await expect.poll(() => app.slack.callsTo("views.update").length).toBe(updated + 1);
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
    expect(app.slack.ephemerals().at(-1)!.text).toContain(
      "Segments: by task type. Change with `/flow settings segments`.",
    );
  });

  it("refuses a submission forged by a member from the admin's modal, and writes nothing", async () => {
    const { id } = await openSegments();
    const before = await setting();
    const res = await app.modals.submit(id, values("priority"), (p) => ({
      ...p,
      user: { id: MEMBER, team_id: TEAM },
    }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ response_action: "update" });
    expect(JSON.stringify(res.body)).toContain("Only flowbot admins can change segment settings");
    expect(await setting()).toEqual(before);
  });

  it("refuses a submission from the main settings modal sent as the segments one", async () => {
    const before = await setting();
    const settingsId = await app.modals.open(async () => expect(await app.run("settings")).toEqual({}));
    const res = await app.modals.submit(settingsId, values("priority"), (p) => ({
      ...p,
      view: { ...(p.view as object), callback_id: "flow_settings_segments" },
    }));
    expect(JSON.stringify(res.body)).toContain(
      "This dialog was not opened by you with `/flow settings segments`",
    );
    expect(await setting()).toEqual(before);
  });
});
