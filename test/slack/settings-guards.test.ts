import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, seedProject, startApp } from "../flow/digest-test-kit.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

// What every settings modal shares (src/slack/settings/settings-metadata.ts), driven through the running
// app for each of the six: the command in a channel that is no project names the command to run again;
// a submission whose private_metadata was altered on its way through Slack, or whose project went away
// while the modal was open (its record goes with it, src/slack/access/), is answered with a notice and
// saves nothing in any project's settings.

const NOW = Date.UTC(2026, 10, 23, 10, 0);

const AREAS = [
  { args: "settings", command: "/flow settings", title: "Flow settings" },
  { args: "settings limits", command: "/flow settings limits", title: "WIP limits" },
  { args: "settings signals", command: "/flow settings signals", title: "Ageing signals" },
  { args: "settings blocked", command: "/flow settings blocked", title: "Blocked rules" },
  { args: "settings holidays", command: "/flow settings holidays", title: "Holidays" },
  { args: "settings segments", command: "/flow settings segments", title: "Segments" },
];

let db: TestDatabase;
let app: App;
let projectId: number;
let otherProjectId: number;

beforeAll(async () => {
  db = await createTestDatabase();
  app = await startApp({ databaseUrl: db.url, now: () => NOW });
  ({ projectId } = await seedProject(app.sql));
  ({ projectId: otherProjectId } = await seedProject(app.sql, { channelId: "C0DIGEST" }));
});
afterAll(async () => {
  await app?.flowbot.stop();
  await db?.drop();
});

/** Every row of every table keyed by a project, as text: what a save would change. */
async function projectSettings(): Promise<string> {
  const tables = await app.sql<{ table_name: string }[]>`
    select table_name::text from information_schema.columns
    where table_schema = 'public' and column_name = 'project_id' order by 1`;
  const parts = [JSON.stringify(await app.sql`select * from projects order by id`)];
  for (const { table_name } of tables) {
    parts.push(JSON.stringify(await app.sql`select * from ${app.sql(table_name)} order by 1`));
  }
  return parts.join("\n");
}

type Notice = {
  response_action: string;
  view: { title: { text: string }; blocks: { text?: { text: string } }[] };
};
const noticeText = (body: unknown) => (body as Notice).view.blocks.map((b) => b.text?.text ?? "").join(" ");

describe("every settings modal", () => {
  it("answers a command in a channel with no project by naming the command to run again, and opens nothing", async () => {
    for (const area of AREAS) {
      const opened = app.slack.callsTo("views.open").length;
      const answer = await app.run(area.args, { channel: "C0OUTSIDE" });
      expect(answer.text, area.command).toBe(
        `This channel is not a flowbot project yet. Bind a ClickUp list here first with \`/flow bind\`, then run \`${area.command}\` again.`,
      );
      expect(app.slack.callsTo("views.open")).toHaveLength(opened);
    }
  });

  it("refuses a submission whose metadata names another project or channel: a notice, nothing saved", async () => {
    for (const area of AREAS) {
      const id = await app.modals.open(() => app.run(area.args));
      const before = await projectSettings();
      for (const metadata of [
        { projectId: otherProjectId, channelId: "C0DIGEST" },
        { projectId: otherProjectId, channelId: "C0PROJECT" },
        { projectId, channelId: "C0DIGEST" },
        "not json",
      ]) {
        const res = await app.modals.submit(id, {}, (payload) => {
          const view = payload.view as Record<string, unknown>;
          const forged = typeof metadata === "string" ? metadata : JSON.stringify(metadata);
          return { ...payload, view: { ...view, private_metadata: forged } };
        });
        expect(res.status, area.command).toBe(200);
        expect((res.body as Notice).response_action).toBe("update");
        expect((res.body as Notice).view.title.text).toBe(area.title);
        expect(noticeText(res.body)).toContain(
          `This dialog is damaged; nothing was saved. Run \`${area.command}\` again.`,
        );
      }
      expect(await projectSettings(), area.command).toBe(before);
    }
  });

  it("refuses a submission whose project went away while the modal was open: a notice, nothing saved", async () => {
    const opened: { id: string; area: (typeof AREAS)[number] }[] = [];
    for (const area of AREAS) opened.push({ id: await app.modals.open(() => app.run(area.args)), area });
    // The channel's project is gone (its last list unbound) and another takes the channel's place.
    await app.sql`delete from projects where id = ${projectId}`;
    const { projectId: replacement } = await seedProject(app.sql);
    expect(replacement).not.toBe(projectId);
    const before = await projectSettings();
    for (const { id, area } of opened) {
      const res = await app.modals.submit(id, {});
      expect(res.status, area.command).toBe(200);
      expect((res.body as Notice).response_action, area.command).toBe("update");
      expect(noticeText(res.body), area.command).toContain(
        `so nothing was done. Run \`${area.command}\` again.`,
      );
    }
    expect(await projectSettings()).toBe(before);
  });
});
