import { describe, expect, it } from "vitest";
import { projectGoalForecast } from "../../src/goals/project-goal-forecast.ts";
import { seedProject } from "../flow/report-fixtures.ts";
import { useTestDatabase } from "../helpers/test-database.ts";
import { seedFinishedPerDay } from "./forecast-fixtures.ts";

// A goal's forecast line (docs/flow-metrics.md §12.8) on its worked example: a constant history of one
// finished case per sample day, so every trial finishes exactly one a day and the chances are 0 or 100%.
const database = useTestDatabase();

const ask = (projectId: number, open: number, due: string, now: Date) =>
  projectGoalForecast(database.sql)({
    projectId,
    goalId: "g1",
    openTaskIds: Array.from({ length: open }, (_, i) => `t${i}`),
    dueAt: new Date(due),
    now,
  });

describe("a goal's forecast (§12.8)", () => {
  // Today Mon 2 Mar 2026 (UTC); the 12-week window is Mon 8 Dec 2025 – Sun 1 Mar 2026.
  const now = new Date("2026-03-02T12:00:00Z");

  it("calendar clock: 3 open tasks are 0% by Wed 4 Mar and 100% by Thu 5 Mar, 85% by Thu 5 Mar either way", async () => {
    const { projectId, bindingId } = await seedProject(database.sql, { teamId: "T1", channelId: "C0GOAL1" });
    await seedFinishedPerDay(database.sql, bindingId, "2025-12-08", Array(84).fill(1));
    const wed = await ask(projectId, 3, "2026-03-04T17:00:00Z", now);
    expect(wed).toContain(
      "*0%* chance that its 3 open linked tasks finish by the due date (2 days from tomorrow)",
    );
    expect(wed).toContain("85% by Thu 5 Mar 2026");
    expect(wed).toContain("Mon 8 Dec 2025 – Sun 1 Mar 2026, 10,000 trials");
    const thu = await ask(projectId, 3, "2026-03-05T09:00:00Z", now);
    expect(thu).toContain(
      "*100%* chance that its 3 open linked tasks finish by the due date (3 days from tomorrow)",
    );
  });

  it("no line when the due date is today or past, or nothing linked is open", async () => {
    const { projectId, bindingId } = await seedProject(database.sql, { teamId: "T1", channelId: "C0GOAL2" });
    await seedFinishedPerDay(database.sql, bindingId, "2025-12-08", Array(84).fill(1));
    expect(await ask(projectId, 3, "2026-03-02T23:00:00Z", now)).toBeUndefined();
    expect(await ask(projectId, 3, "2026-02-20T12:00:00Z", now)).toBeUndefined();
    expect(await ask(projectId, 0, "2026-04-01T12:00:00Z", now)).toBeUndefined();
  });

  it("a thin or empty history says so instead of a number", async () => {
    const thin = await seedProject(database.sql, { teamId: "T1", channelId: "C0GOAL3" });
    await seedFinishedPerDay(database.sql, thin.bindingId, "2026-02-20", [1, 1, 1, 1, 1]);
    expect(await ask(thin.projectId, 2, "2026-04-01T12:00:00Z", now)).toBe(
      ":crystal_ball: _No forecast: only 5 days of the last 84 sample days had a finished task (10 needed)._",
    );
    const none = await seedProject(database.sql, { teamId: "T1", channelId: "C0GOAL4" });
    expect(await ask(none.projectId, 2, "2026-04-01T12:00:00Z", now)).toBe(
      ":crystal_ball: _No forecast: no task of the project finished in Mon 8 Dec 2025 – Sun 1 Mar 2026._",
    );
  });

  it("working-day clock: today Fri 27 Feb, due Tue 3 Mar is 2 working days: 2 open 100%, 3 open 0%", async () => {
    const { projectId, bindingId } = await seedProject(database.sql, { teamId: "T1", channelId: "C0GOAL5" });
    await database.sql`update projects set working_days = true where id = ${projectId}`;
    // One finished on every working date of the window Fri 5 Dec 2025 – Thu 26 Feb 2026 (84 dates).
    const first = Date.parse("2025-12-05T00:00:00Z");
    const perDay = Array.from({ length: 84 }, (_, i) => {
      const dow = new Date(first + i * 86_400_000).getUTCDay();
      return dow === 0 || dow === 6 ? 0 : 1;
    });
    await seedFinishedPerDay(database.sql, bindingId, "2025-12-05", perDay);
    const fri = new Date("2026-02-27T12:00:00Z");
    expect(await ask(projectId, 2, "2026-03-03T12:00:00Z", fri)).toContain(
      "*100%* chance that its 2 open linked tasks finish by the due date (2 working days from tomorrow)",
    );
    const three = await ask(projectId, 3, "2026-03-03T12:00:00Z", fri);
    expect(three).toContain("*0%* chance");
    expect(three).toContain("85% by Wed 4 Mar 2026");
  });
});
