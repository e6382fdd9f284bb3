import type { WebClient } from "@slack/web-api";
import type { Sql } from "postgres";
import { beforeAll, describe, expect, it } from "vitest";
import { arrivalsAndDepartures, wipLimitCounts } from "../../src/flow/metrics/wip-limits.ts";
import { loadWipLimits, saveWipLimits } from "../../src/flow/metrics/wip-limits-settings.ts";
import { postWipLimitAlerts } from "../../src/slack/limits/post-wip-limit-alerts.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { useTestDatabase } from "../helpers/test-database.ts";
import { STATUS, type StatusKey, seedCase, seedProject } from "./report-fixtures.ts";

// WIP limits and arrivals/departures (docs/flow-metrics.md §10) on real Postgres, on §10's examples.
const database = useTestDatabase();
const logger = captureLogs().logger;
const BY = { userId: "U0ADMIN", at: new Date("2026-12-01T09:00:00Z") };

/** Moves a case to `to` at `at`, as sync records it: a transition and the case's new current status. */
async function move(sql: Sql, caseId: number, from: StatusKey, to: StatusKey, at: Date) {
  const [f, t] = [STATUS[from], STATUS[to]];
  await sql`
    insert into status_transitions (case_id, binding_id, from_status, from_type, from_orderindex, to_status,
                                    to_type, to_orderindex, occurred_at, source, history_item_id)
    select id, binding_id, ${f.name}, ${f.type}, ${f.orderindex}, ${t.name}, ${t.type}, ${t.orderindex},
           ${at}::timestamptz, 'webhook', ${`m-${caseId}-${at.getTime()}`}
    from tracked_cases where id = ${caseId}`;
  await sql`
    update tracked_cases set status_name = ${t.name}, status_type = ${t.type}, status_orderindex = ${t.orderindex},
                             date_updated = ${at.toISOString()}
    where id = ${caseId}`;
}

/** A Slack client that records the channel messages posted. */
function recordingSlack() {
  const posts: { channel: string; text: string }[] = [];
  const slack = {
    chat: {
      postMessage: async (m: { channel: string; text: string }) => {
        posts.push(m);
        return { ok: true };
      },
    },
  } as unknown as WebClient;
  return { posts, slack };
}

describe("the immediate alert (§10.1's example: limit on review = 3)", () => {
  let projectId: number;
  let bindingId: number;
  const at = (hour: number) => new Date(`2026-12-01T${String(hour).padStart(2, "0")}:00:00Z`);
  const cases: Record<string, number> = {};

  beforeAll(async () => {
    ({ projectId, bindingId } = await seedProject(database.sql, { teamId: "T1", channelId: "C0REVIEW" }));
    // Two already in review at 09:00; X, Y, Z and V in progress, waiting to enter.
    for (const name of ["A", "B"]) {
      cases[name] = await seedCase(database.sql, bindingId, {
        name,
        path: [
          ["todo", at(7)],
          ["review", at(8)],
        ],
      });
    }
    for (const name of ["X", "Y", "Z", "V"]) {
      cases[name] = await seedCase(database.sql, bindingId, {
        name,
        path: [
          ["todo", at(7)],
          ["progress", at(8)],
        ],
      });
    }
    await saveWipLimits(
      database.sql,
      projectId,
      { limits: [{ kind: "status", key: "review", limit: 3 }], alertAtOnce: true },
      BY,
    );
  });

  it("fires once on going over, stays fired, and re-arms at the limit", async () => {
    const { posts, slack } = recordingSlack();
    const deps = { database, logger, slack };
    const step = async () => (await postWipLimitAlerts(deps, projectId)).map((c) => `${c.count}/${c.limit}`);
    const state = async () =>
      (
        await database.sql<{ fired: boolean }[]>`select fired from wip_limits where project_id = ${projectId}`
      )[0]!.fired;

    expect(await step()).toEqual([]); // 09:00: 2
    expect(await state()).toBe(false);
    await move(database.sql, cases.X!, "progress", "review", at(10));
    expect(await step()).toEqual([]); // 3: at the limit is not over
    expect(await state()).toBe(false);
    await move(database.sql, cases.Y!, "progress", "review", at(11));
    expect(await step()).toEqual(["4/3"]);
    expect(await state()).toBe(true);
    await move(database.sql, cases.Z!, "progress", "review", at(12));
    expect(await step()).toEqual([]); // 5, already fired
    await move(database.sql, cases.X!, "review", "complete", at(13));
    expect(await step()).toEqual([]); // 4, still fired
    expect(await state()).toBe(true);
    await move(database.sql, cases.Y!, "review", "complete", at(14));
    expect(await step()).toEqual([]); // 3: armed again
    expect(await state()).toBe(false);
    await move(database.sql, cases.V!, "progress", "review", at(15));
    expect(await step()).toEqual(["4/3"]);

    expect(posts).toEqual([
      { channel: "C0REVIEW", text: ":rotating_light: review is over its WIP limit: 4 / 3" },
      { channel: "C0REVIEW", text: ":rotating_light: review is over its WIP limit: 4 / 3" },
    ]);
    expect(await wipLimitCounts(database.sql, projectId)).toEqual([
      { kind: "status", target: "review", label: "review", limit: 3, count: 4, over: true },
    ]);
  });

  it("changing a limit re-arms it; keeping it keeps its state; two concurrent runs post once", async () => {
    // Fired now (4 / 3). Saving the same number keeps it fired; 2 re-arms it, and it fires again.
    const save = (limit: number) =>
      saveWipLimits(
        database.sql,
        projectId,
        { limits: [{ kind: "status", key: "review", limit }], alertAtOnce: true },
        BY,
      );
    await save(3);
    const { posts, slack } = recordingSlack();
    const deps = { database, logger, slack };
    expect(await postWipLimitAlerts(deps, projectId)).toEqual([]);
    await save(2);
    const runs = await Promise.all([
      postWipLimitAlerts(deps, projectId),
      postWipLimitAlerts(deps, projectId),
      postWipLimitAlerts(deps, projectId),
    ]);
    expect(runs.flat().map((c) => `${c.count}/${c.limit}`)).toEqual(["4/2"]);
    expect(posts.map((p) => p.text)).toEqual([":rotating_light: review is over its WIP limit: 4 / 2"]);
  });

  it("judges nothing while the alert is off", async () => {
    await saveWipLimits(
      database.sql,
      projectId,
      { limits: [{ kind: "status", key: "review", limit: 1 }], alertAtOnce: false },
      BY,
    );
    const { posts, slack } = recordingSlack();
    expect(await postWipLimitAlerts({ database, logger, slack }, projectId)).toEqual([]);
    expect(posts).toEqual([]);
    expect(await loadWipLimits(database.sql, projectId)).toEqual({
      limits: [{ kind: "status", key: "review", limit: 1 }],
      alertAtOnce: false,
    });
  });

  it("turning the alert on arms a limit left fired from before", async () => {
    // Fired while the alert was on, then the alert went off: nobody judged the counts since.
    await database.sql`update wip_limits set fired = true where project_id = ${projectId}`;
    await saveWipLimits(
      database.sql,
      projectId,
      { limits: [{ kind: "status", key: "review", limit: 1 }], alertAtOnce: true },
      BY,
    );
    const { posts, slack } = recordingSlack();
    expect((await postWipLimitAlerts({ database, logger, slack }, projectId)).map((c) => c.count)).toEqual([
      4,
    ]);
    expect(posts).toHaveLength(1);
  });

  it("counts a stage across its statuses", async () => {
    await saveWipLimits(
      database.sql,
      projectId,
      {
        limits: [
          { kind: "stage", stage: "active", limit: 5 },
          { kind: "status", key: "in progress", limit: 0 },
        ],
        alertAtOnce: false,
      },
      BY,
    );
    // Now: A, B, Z, V in review; X, Y complete; nothing in progress.
    expect(await wipLimitCounts(database.sql, projectId)).toEqual([
      { kind: "stage", target: "active", label: "Active", limit: 5, count: 4, over: false },
      { kind: "status", target: "in progress", label: "in progress", limit: 0, count: 0, over: false },
    ]);
  });
});

describe("arrivals and departures per ISO week (§10.2's example, Europe/Berlin)", () => {
  it("buckets starts and final finishes by the project's weeks", async () => {
    const { projectId, bindingId } = await seedProject(database.sql, { teamId: "T1", channelId: "C0WEEKS" });
    await database.sql`update projects set time_zone = 'Europe/Berlin' where id = ${projectId}`;
    const d = (iso: string) => new Date(iso);
    const seed = (name: string, path: [StatusKey, Date][]) =>
      seedCase(database.sql, bindingId, { name, path });
    await seed("C1", [
      ["todo", d("2026-12-20T09:00:00Z")],
      ["progress", d("2026-12-28T09:00:00Z")],
    ]);
    await seed("C2", [
      ["todo", d("2026-12-20T09:00:00Z")],
      ["progress", d("2027-01-03T23:30:00Z")],
    ]);
    await seed("C3", [
      ["todo", d("2026-12-20T09:00:00Z")],
      ["progress", d("2026-12-23T08:00:00Z")],
      ["complete", d("2027-01-01T10:00:00Z")],
    ]);
    await seed("C4", [
      ["todo", d("2026-12-20T09:00:00Z")],
      ["complete", d("2026-12-30T14:00:00Z")],
    ]);
    await seed("C5", [
      ["todo", d("2026-12-20T09:00:00Z")],
      ["progress", d("2026-12-22T08:00:00Z")],
      ["complete", d("2026-12-29T08:00:00Z")],
      ["progress", d("2026-12-31T08:00:00Z")],
      ["complete", d("2027-01-05T15:00:00Z")],
    ]);
    const weeks = await arrivalsAndDepartures(
      database.sql,
      projectId,
      "Europe/Berlin",
      d("2026-12-22T12:00:00Z"),
      d("2027-01-06T12:00:00Z"),
    );
    expect(weeks).toEqual([
      { weekStart: d("2026-12-20T23:00:00Z"), label: "2026-W52", arrivals: 2, departures: 0 },
      { weekStart: d("2026-12-27T23:00:00Z"), label: "2026-W53", arrivals: 1, departures: 2 },
      { weekStart: d("2027-01-03T23:00:00Z"), label: "2027-W01", arrivals: 1, departures: 1 },
    ]);
  });
});
