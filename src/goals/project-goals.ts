import type { Sql } from "postgres";
import type { StoredKeyResult } from "./read-goals.ts";

type ProjectGoal = {
  goalId: string;
  name: string;
  dueAt: Date | null;
  /** ClickUp's percent_completed of the goal, 0–100. */
  percent: number | null;
  url: string | null;
  keyResults: StoredKeyResult[];
  /** The project's tracked tasks the linked key results name or cover that are not finished. */
  openTaskIds: string[];
};

export type ProjectGoals = { goals: ProjectGoal[]; skipped: number };

/**
 * The goals linked to a project's bindings (docs/clickup.md §19.4), soonest due first, with the number of
 * goals the token could not see at the last read (§19.6).
 */
export async function projectGoals(sql: Sql, projectId: number): Promise<ProjectGoals> {
  const rows = await sql<
    {
      goal_id: string;
      name: string;
      due_at: Date | null;
      percent: number | null;
      url: string | null;
      key_results: StoredKeyResult[];
    }[]
  >`
    select distinct on (g.goal_id) g.goal_id, g.name, g.due_at, g.percent_completed as percent, g.url, g.key_results
    from binding_goals g join bindings b on b.id = g.binding_id
    where b.project_id = ${projectId}
    order by g.goal_id, g.read_at desc`;
  const [state] = await sql<{ skipped: number }[]>`
    select s.goals_skipped as skipped from people_sync_state s
    join connections c on c.id = s.connection_id
    join projects p on p.slack_team_id = c.slack_team_id
    where p.id = ${projectId}`;
  const goals: ProjectGoal[] = [];
  for (const r of rows) {
    const tasks = r.key_results.flatMap((k) => k.taskIds);
    const lists = r.key_results.flatMap((k) => k.listIds);
    const open = await sql<{ task_id: string }[]>`
      select distinct tc.task_id from tracked_cases tc
      join bindings b on b.id = tc.binding_id
      left join flow_cases fc on fc.case_id = tc.id
      where b.project_id = ${projectId} and tc.tracked and tc.deleted_at is null
        and fc.finished_at is null
        and (tc.task_id = any(${tasks}::text[]) or tc.home_list_id = any(${lists}::text[]))`;
    goals.push({
      goalId: r.goal_id,
      name: r.name,
      dueAt: r.due_at,
      percent: r.percent,
      url: r.url,
      keyResults: r.key_results,
      openTaskIds: open.map((o) => o.task_id).sort(),
    });
  }
  goals.sort(
    (a, b) =>
      (a.dueAt?.getTime() ?? Infinity) - (b.dueAt?.getTime() ?? Infinity) || a.name.localeCompare(b.name),
  );
  return { goals, skipped: state?.skipped ?? 0 };
}
