import type { Sql } from "postgres";
import { type ClickUpClient, isClickUpError } from "../clickup/index.ts";
import type { ClickUpGoalSummary } from "../clickup/people-schemas.ts";
import { sqlJson } from "../db/sql-json.ts";
import { connectionHeld } from "../people/refresh-members.ts";

/** A linked key result as kept in binding_goals.key_results. */
export type StoredKeyResult = {
  id: string;
  name: string;
  type: string;
  /** 0–100, or null when ClickUp sends none. */
  percent: number | null;
  completed: boolean;
  taskIds: string[];
  listIds: string[];
};

export type GoalsRead = { goals: number; linked: number; skipped: number; opened: number };

/** A goal opened less recently than this is opened again even when the list shows no change. */
const REREAD_MS = 24 * 60 * 60 * 1000;

type CachedRead = {
  goal_id: string;
  version: string;
  visible: boolean;
  url: string | null;
  key_results: StoredKeyResult[];
  read_at: Date;
};

type LinkableGoal = {
  id: string;
  name: string;
  dueDate: number | null;
  percent: number | null;
  url: string | null;
  keyResults: StoredKeyResult[];
};

/** The goal list's fields that change with the goal, so an unchanged one need not be opened. */
const versionOf = (g: ClickUpGoalSummary) =>
  [g.date_updated, g.last_update, g.percent_completed, g.key_result_count].map((v) => v ?? "").join("|");

/**
 * Reads the workspace's goals (docs/clickup.md §19) and keeps, per binding of the workspace, those with a key
 * result linked to a task the binding tracks or a list it covers (§19.4). A goal the token cannot open is
 * skipped and counted for the note (§19.6); a bad token still fails the read. A goal is opened only when the
 * list shows it changed or a day has passed (§19.5, clickup_goal_reads). Each read replaces the bindings'
 * goals, so a goal unlinked in ClickUp disappears.
 */
export async function readGoals(
  deps: { sql: Sql; clickup: ClickUpClient; now: Date },
  connection: { id: number; clickupTeamId: string; slackTeamId: string },
  signal?: AbortSignal,
): Promise<GoalsRead> {
  const { sql } = deps;
  const [bound] = await sql<{ n: number }[]>`
    select count(*)::int as n from bindings b join projects p on p.id = b.project_id
    where p.slack_team_id = ${connection.slackTeamId}`;
  // No binding, no goal can be linked: no request is spent.
  if (!bound?.n) return { goals: 0, linked: 0, skipped: 0, opened: 0 };
  const summaries = [
    ...new Map(
      (await deps.clickup.getGoals(connection.clickupTeamId, { signal })).map((g) => [g.id, g]),
    ).values(),
  ];
  const cached = new Map(
    (
      await sql<CachedRead[]>`
        select goal_id, version, visible, url, key_results, read_at from clickup_goal_reads
        where connection_id = ${connection.id}`
    ).map((r) => [r.goal_id, r]),
  );
  const goals: LinkableGoal[] = [];
  const reads: CachedRead[] = [];
  let skipped = 0;
  for (const summary of summaries) {
    const version = versionOf(summary);
    let read = cached.get(summary.id);
    // Opened again only when the list shows a change, or after a day (docs/clickup.md §19.5).
    if (!read || read.version !== version || read.read_at.getTime() < deps.now.getTime() - REREAD_MS) {
      read = { goal_id: summary.id, version, visible: false, url: null, key_results: [], read_at: deps.now };
      try {
        const goal = await deps.clickup.getGoal(summary.id, { signal });
        read.visible = true;
        read.url = goal.pretty_url ?? null;
        read.key_results = goal.key_results.map((k) => ({
          id: k.id,
          name: k.name,
          type: k.type,
          percent: k.percent_completed,
          completed: k.completed,
          taskIds: k.task_ids,
          listIds: k.subcategory_ids,
        }));
      } catch (err) {
        if (!cannotSee(err)) throw err;
      }
      reads.push(read);
    }
    if (!read.visible) {
      skipped += 1;
      continue;
    }
    goals.push({
      id: summary.id,
      name: summary.name,
      dueDate: summary.due_date,
      percent: summary.percent_completed,
      url: read.url,
      keyResults: read.key_results,
    });
  }
  const bindings = await sql<{ id: number; lists: string[]; tasks: string[] }[]>`
    select b.id::float8 as id,
           array_remove(array_agg(distinct tc.home_list_id) || case when b.container_type = 'list'
             then array[b.container_id] else array[]::text[] end, null) as lists,
           array_remove(array_agg(distinct tc.task_id), null) as tasks
    from bindings b join projects p on p.id = b.project_id
    left join tracked_cases tc on tc.binding_id = b.id and tc.deleted_at is null
    where p.slack_team_id = ${connection.slackTeamId}
    group by b.id`;

  const rows = bindings.flatMap((b) => {
    const lists = new Set(b.lists);
    const tasks = new Set(b.tasks);
    return goals.flatMap((g) => {
      const linked = g.keyResults.filter(
        (k) => k.taskIds.some((t) => tasks.has(t)) || k.listIds.some((l) => lists.has(l)),
      );
      if (linked.length === 0) return [];
      return [
        {
          binding_id: b.id,
          goal_id: g.id,
          name: g.name,
          due_at: g.dueDate === null ? null : new Date(g.dueDate).toISOString(),
          percent_completed: g.percent,
          url: g.url,
          key_results: linked,
        },
      ];
    });
  });

  await sql.begin(async (tx) => {
    if (!(await connectionHeld(tx, connection.id))) return;
    await tx`
      delete from binding_goals where binding_id in (
        select b.id from bindings b join projects p on p.id = b.project_id
        where p.slack_team_id = ${connection.slackTeamId})`;
    if (rows.length > 0) {
      await tx`
        insert into binding_goals (binding_id, goal_id, name, due_at, percent_completed, url, key_results, read_at)
        select r.binding_id, r.goal_id, r.name, r.due_at, r.percent_completed, r.url, r.key_results,
               ${deps.now}::timestamptz
        from jsonb_to_recordset(${sqlJson(tx, rows)}) as r(binding_id int8, goal_id text, name text,
          due_at timestamptz, percent_completed real, url text, key_results jsonb)`;
    }
    await tx`
      delete from clickup_goal_reads
      where connection_id = ${connection.id} and not (goal_id = any(${summaries.map((g) => g.id)}::text[]))`;
    if (reads.length > 0) {
      await tx`
        insert into clickup_goal_reads (connection_id, goal_id, version, visible, url, key_results, read_at)
        select ${connection.id}, r.goal_id, r.version, r.visible, r.url, r.key_results, r.read_at
        from jsonb_to_recordset(${sqlJson(tx, reads)}) as r(goal_id text, version text, visible boolean,
          url text, key_results jsonb, read_at timestamptz)
        on conflict (connection_id, goal_id) do update set version = excluded.version,
          visible = excluded.visible, url = excluded.url, key_results = excluded.key_results,
          read_at = excluded.read_at`;
    }
    await tx`
      insert into people_sync_state (connection_id, goals_read_at, goals_skipped)
      values (${connection.id}, ${deps.now}::timestamptz, ${skipped})
      on conflict (connection_id) do update
        set goals_read_at = excluded.goals_read_at, goals_skipped = excluded.goals_skipped`;
  });
  return {
    goals: goals.length,
    linked: new Set(rows.map((r) => r.goal_id)).size,
    skipped,
    opened: reads.length,
  };
}

/** 401/403 with a code that is not a dead token, an ACCESS_ code, or gone meanwhile (docs/clickup.md §19.6). */
function cannotSee(err: unknown): boolean {
  if (!isClickUpError(err)) return false;
  if (err.code === "not_authorized" || err.code === "not_found") return true;
  return err.code === "bad_request" && (err.ecode ?? "").startsWith("ACCESS_");
}
