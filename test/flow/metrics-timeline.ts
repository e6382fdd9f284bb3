import type { Sql } from "postgres";
import { recordTransition } from "../../src/sync/timeline/index.ts";

/*
 * Builds hand-written task timelines in real Postgres the way the app does: a tracked case in its first
 * status, then each move recorded with recordTransition (which also derives rework events), or — for
 * history from before a binding — ClickUp time-in-status totals in status_timings.
 */

export const STATUSES = {
  todo: { name: "to do", type: "open", orderindex: 0 },
  progress: { name: "in progress", type: "custom", orderindex: 1 },
  review: { name: "review", type: "custom", orderindex: 2 },
  blocked: { name: "blocked", type: "custom", orderindex: 3 },
  complete: { name: "complete", type: "done", orderindex: 4 },
  closed: { name: "closed", type: "closed", orderindex: 5 },
} as const;
export type StatusKey = keyof typeof STATUSES;

export const DAY = 86_400_000;
/** 2026-01-05 00:00 UTC (a Monday) plus `n` days. */
export const day = (n: number) => new Date(Date.UTC(2026, 0, 5) + n * DAY);

let seq = 0;

export interface ProjectSettings {
  timeZone?: string;
  workingDays?: boolean;
  sleDays?: number | null;
  ageingFixedDays?: number | null;
  ageingPercentile?: number;
  windowDays?: number;
}

export async function newProject(sql: Sql, settings: ProjectSettings = {}) {
  seq += 1;
  const [project] = await sql<{ id: number }[]>`
    insert into projects (slack_team_id, channel_id, time_zone, working_days, sle_days, ageing_fixed_days,
                          ageing_percentile, window_days)
    values ('T1', ${`C${seq}`}, ${settings.timeZone ?? "UTC"}, ${settings.workingDays ?? false},
            ${settings.sleDays ?? null}, ${settings.ageingFixedDays ?? null}, ${settings.ageingPercentile ?? 85},
            ${settings.windowDays ?? 90})
    returning id::int as id`;
  const projectId = project!.id;
  const bindingId = await newBinding(sql, projectId);
  return { projectId, bindingId };
}

export async function newBinding(sql: Sql, projectId: number) {
  seq += 1;
  const [binding] = await sql<{ id: number }[]>`
    insert into bindings (project_id, container_type, container_id, container_name, container_path, space_id,
                          created_by, sync_status)
    values (${projectId}, 'list', ${`L${seq}`}, 'Sprint', 'Eng › Sprint', 'S1', 'U1', 'synced')
    returning id::int as id`;
  return binding!.id;
}

export interface CaseSpec {
  name?: string;
  /** First status at date_created, then each move: [status, at]. */
  path: [StatusKey, Date][];
  assignees?: { id: number; username: string; email: string | null }[];
}

/** A tracked case created in path[0] and moved through the rest of `path` with recordTransition. */
export async function addCase(sql: Sql, bindingId: number, spec: CaseSpec): Promise<number> {
  const [first, ...moves] = spec.path;
  if (!first) throw new Error("a path needs at least its first status");
  const caseId = await insertCase(sql, bindingId, spec.name, first[0], first[1], spec.assignees ?? []);
  let prev = first[0];
  for (const [to, at] of moves) {
    const from = STATUSES[prev];
    const next = STATUSES[to];
    seq += 1;
    await recordTransition(sql, {
      caseId,
      fromStatus: from.name,
      fromType: from.type,
      fromOrderindex: from.orderindex,
      toStatus: next.name,
      toType: next.type,
      toOrderindex: next.orderindex,
      occurredAt: at,
      actorId: 7,
      actorName: "Ada",
      source: "webhook",
      historyItemId: `h${seq}`,
    });
    prev = to;
  }
  return caseId;
}

export async function insertCase(
  sql: Sql,
  bindingId: number,
  name: string | undefined,
  status: StatusKey,
  created: Date,
  assignees: { id: number; username: string; email: string | null }[] = [],
): Promise<number> {
  seq += 1;
  const s = STATUSES[status];
  const [row] = await sql<{ id: number }[]>`
    insert into tracked_cases (binding_id, task_id, name, url, home_list_id, status_name, status_type,
                               status_orderindex, date_created, date_updated, assignees)
    values (${bindingId}, ${`t${seq}`}, ${name ?? `Task ${seq}`}, ${`https://app.clickup.com/t/t${seq}`}, 'L',
            ${s.name}, ${s.type}, ${s.orderindex}, ${created.toISOString()}, ${created.toISOString()},
            ${sql.json(assignees)})
    returning id::int as id`;
  return row!.id;
}

/** ClickUp time-in-status totals for a case, as the backfill stores them. */
export async function addTimings(
  sql: Sql,
  caseId: number,
  rows: { status: StatusKey; minutes: number; since: Date; current?: boolean }[],
) {
  for (const r of rows) {
    const s = STATUSES[r.status];
    await sql`
      insert into status_timings (case_id, status_name, status_type, status_orderindex, total_minutes, since, is_current)
      values (${caseId}, ${s.name}, ${s.type}, ${s.orderindex}, ${r.minutes}, ${r.since.toISOString()}, ${r.current ?? false})`;
  }
}
