import { describe, expect, it } from "vitest";
import { createClickUpClient, createRateLimitRegistry, isClickUpError } from "../../src/clickup/index.ts";
import { createClickUpFake } from "../fakes/clickup/index.ts";
import { rejectionOf } from "./setup-client.ts";

const H = 3_600_000;
const T0 = Date.UTC(2026, 10, 2, 9);

function setup() {
  const fake = createClickUpFake({ now: () => T0 + 48 * H });
  const team = fake.addWorkspace({ name: "Acme" });
  const owner = fake.addUser({ token: "pk_owner", teamIds: [team.id], role: 1 });
  const member = fake.addUser({ token: "pk_member", teamIds: [team.id], role: 3 });
  const space = fake.addSpace({ teamId: team.id });
  const list = fake.addList({ spaceId: space.id, name: "Sprint" });
  const task = fake.addTask({ listId: list.id, name: "A" });
  const rateLimits = createRateLimitRegistry();
  const client = (token: string) =>
    createClickUpClient({ baseUrl: "http://clickup.test/api", token, fetch: fake.fetch, rateLimits });
  return { fake, team, owner, member, list, task, client };
}

describe("ClickUp client: time entries (docs/clickup.md §18)", () => {
  it("reads entries whose start is in the range, running timers with a negative duration", async () => {
    const { fake, team, owner, member, task, client } = setup();
    const done = fake.people.addTimeEntry({
      userId: member.id,
      taskId: task.id,
      start: T0,
      durationMs: 2 * H,
    });
    const running = fake.people.addTimeEntry({
      userId: owner.id,
      taskId: task.id,
      start: T0 + 40 * H,
      running: true,
    });
    fake.people.addTimeEntry({ userId: owner.id, taskId: task.id, start: T0 - 72 * H, durationMs: H });
    const entries = await client("pk_owner").getTimeEntries(team.id, {
      startMs: T0 - H,
      endMs: T0 + 48 * H,
      assignees: [owner.id, member.id],
    });
    expect(entries.map((e) => [e.id, e.task?.id, e.start, e.duration])).toEqual([
      [done.id, task.id, T0, 2 * H],
      [running.id, task.id, T0 + 40 * H, -(T0 + 40 * H)],
    ]);
    // Without assignee: the token owner's entries only.
    const own = await client("pk_owner").getTimeEntries(team.id, { startMs: T0 - H, endMs: T0 + 48 * H });
    expect(own.map((e) => e.id)).toEqual([running.id]);
  });

  it("refuses other users' entries to a plain member as not authorized", async () => {
    const { team, owner, client } = setup();
    const err = await rejectionOf(
      client("pk_member").getTimeEntries(team.id, { startMs: T0, endMs: T0 + H, assignees: [owner.id] }),
    );
    expect(isClickUpError(err, "not_authorized")).toBe(true);
  });
});

describe("ClickUp client: goals (docs/clickup.md §19)", () => {
  it("lists goals and reads a goal's key results with their task and list targets", async () => {
    const { fake, team, owner, list, task, client } = setup();
    const goal = fake.people.addGoal({
      teamId: team.id,
      name: "Ship v2",
      dueDate: T0 + 30 * 24 * H,
      percent: 40,
      creatorId: owner.id,
      keyResults: [{ name: "Tasks", taskIds: [task.id], listIds: [list.id], percent: 40 }],
    });
    fake.people.addGoal({
      teamId: team.id,
      name: "Done one",
      dueDate: T0,
      percent: 100,
      creatorId: owner.id,
    });
    const goals = await client("pk_owner").getGoals(team.id);
    expect(goals.map((g) => g.name).sort()).toEqual(["Done one", "Ship v2"]);
    const read = await client("pk_owner").getGoal(goal.id);
    expect(read).toMatchObject({ name: "Ship v2", due_date: T0 + 30 * 24 * H, percent_completed: 40 });
    expect(read.key_results).toEqual([
      {
        id: goal.keyResults[0]!.id,
        name: "Tasks",
        type: "automatic",
        percent_completed: 40,
        completed: false,
        task_ids: [task.id],
        subcategory_ids: [list.id],
      },
    ]);
  });

  it("answers a private goal the token may not open with 401 or 403, both not authorized", async () => {
    const { fake, team, owner, client } = setup();
    const hidden401 = fake.people.addGoal({
      teamId: team.id,
      name: "x",
      dueDate: T0,
      creatorId: owner.id,
      private: true,
    });
    const hidden403 = fake.people.addGoal({
      teamId: team.id,
      name: "y",
      dueDate: T0,
      creatorId: owner.id,
      private: true,
      denial: 403,
    });
    for (const id of [hidden401.id, hidden403.id]) {
      const err = await rejectionOf(client("pk_member").getGoal(id));
      expect(isClickUpError(err, "not_authorized")).toBe(true);
    }
    expect((await client("pk_owner").getGoal(hidden403.id)).name).toBe("y");
  });
});
