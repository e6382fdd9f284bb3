import { describe, expect, it } from "vitest";
import { seededFake } from "./fixtures.ts";

const MIN = 60_000;

describe("ClickUp fake: time in status", () => {
  it("aggregates per status, adds re-entries, and counts the current status up to now", async () => {
    const { fake, get, list, clock } = seededFake();
    const start = clock.now();
    const task = fake.addTask({ listId: list.id });
    clock.advance(30 * MIN);
    fake.setTaskStatus(task.id, "in progress");
    clock.advance(45 * MIN);
    fake.setTaskStatus(task.id, "to do");
    clock.advance(10 * MIN);
    fake.setTaskStatus(task.id, "in progress");
    clock.advance(5 * MIN + 59_000);

    const { status, body } = await get(`/v2/task/${task.id}/time_in_status`);
    expect(status).toBe(200);
    expect(body.current_status).toEqual({
      status: "in progress",
      color: "#4194f6",
      total_time: { by_minute: 50, since: String(start + 85 * MIN) },
    });
    expect(body.status_history).toEqual([
      {
        status: "to do",
        color: "#d3d3d3",
        type: "open",
        orderindex: 0,
        total_time: { by_minute: 40, since: String(start + 75 * MIN) },
      },
      {
        status: "in progress",
        color: "#4194f6",
        type: "custom",
        orderindex: 1,
        total_time: { by_minute: 50, since: String(start + 85 * MIN) },
      },
    ]);
  });

  it("can be backfilled from a seeded history", async () => {
    const { fake, get, list, clock } = seededFake();
    const t0 = clock.now() - 10 * 24 * 60 * MIN;
    const task = fake.addTask({
      listId: list.id,
      history: [
        { status: "to do", at: t0 },
        { status: "review", at: t0 + 60 * MIN },
        { status: "complete", at: t0 + 90 * MIN },
      ],
    });
    expect(task.dateClosed).toBe(t0 + 90 * MIN);
    const { body } = await get(`/v2/task/${task.id}/time_in_status`);
    expect(
      body.status_history.map((h: { status: string; total_time: { by_minute: number } }) => [
        h.status,
        h.total_time.by_minute,
      ]),
    ).toEqual([
      ["to do", 60],
      ["review", 30],
      ["complete", 10 * 24 * 60 - 90],
    ]);
  });

  it("bulk returns an object keyed by task id and skips unknown ids", async () => {
    const { fake, get, list } = seededFake();
    const a = fake.addTask({ listId: list.id });
    const b = fake.addTask({ listId: list.id, status: "review" });
    const { status, body } = await get(
      `/v2/task/bulk_time_in_status/task_ids?task_ids=${a.id}&task_ids=${b.id}&task_ids=nope`,
    );
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual([a.id, b.id].sort());
    expect(body[b.id].current_status.status).toBe("review");
  });

  it("bulk accepts 100 ids and rejects 101 with 400 {err, ECODE}", async () => {
    const { fake, get, list } = seededFake();
    const tasks = Array.from({ length: 101 }, () => fake.addTask({ listId: list.id, emit: false }).id);
    const q = (n: number) =>
      tasks
        .slice(0, n)
        .map((id) => `task_ids=${id}`)
        .join("&");
    const ok = await get(`/v2/task/bulk_time_in_status/task_ids?${q(100)}`);
    expect(ok.status).toBe(200);
    expect(Object.keys(ok.body)).toHaveLength(100);
    const tooMany = await get(`/v2/task/bulk_time_in_status/task_ids?${q(101)}`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toEqual({ err: expect.any(String), ECODE: expect.any(String) });
  });

  it("answers 4xx {err, ECODE} when the ClickApp is disabled for the workspace", async () => {
    const { fake, get, list, team } = seededFake();
    const task = fake.addTask({ listId: list.id });
    fake.setTimeInStatusEnabled(team.id, false);
    for (const path of [
      `/v2/task/${task.id}/time_in_status`,
      `/v2/task/bulk_time_in_status/task_ids?task_ids=${task.id}`,
    ]) {
      const res = await get(path);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(Object.keys(res.body).sort()).toEqual(["ECODE", "err"]);
    }
    fake.setTimeInStatusEnabled(team.id, true);
    expect((await get(`/v2/task/${task.id}/time_in_status`)).status).toBe(200);
  });
});
