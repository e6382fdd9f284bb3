import type { Sql } from "postgres";
import { type ClickUpClient, isClickUpError } from "../clickup/index.ts";
import type { ClickUpTimeEntry } from "../clickup/people-schemas.ts";
import { sqlJson } from "../db/sql-json.ts";
import { connectionHeld } from "../people/refresh-members.ts";

/** Entries changed or stopped after they were read are read again within this overlap (docs/clickup.md §18.4). */
const OVERLAP_MS = 24 * 60 * 60 * 1000;
/** The first read of a connection goes this far back. */
const FIRST_READ_MS = 365 * 24 * 60 * 60 * 1000;
/** One request covers at most this much time, so a year's first read is four answers. */
const CHUNK_MS = 92 * 24 * 60 * 60 * 1000;
/** assignee= takes a comma-separated list; long lists are sent in groups. */
const ASSIGNEES_PER_CALL = 100;

export type TimeEntriesRead = { entries: number; running: number; removed: number; ownerOnly: boolean };

/**
 * Reads the time entries of the connection's tracked tasks by date range (docs/clickup.md §18), from the
 * connection's cursor minus an overlap — and never from later than the oldest timer still held as running,
 * so its stop is seen — up to now. Entries on tasks no binding of the workspace tracks are not kept. A timer
 * still running (negative duration) is kept with no duration. Within the range read, an entry ClickUp no
 * longer returns (deleted in ClickUp) is deleted.
 */
export async function readTimeEntries(
  deps: { sql: Sql; clickup: ClickUpClient; now: Date },
  connection: { id: number; clickupTeamId: string; slackTeamId: string },
  signal?: AbortSignal,
): Promise<TimeEntriesRead> {
  const { sql } = deps;
  const endMs = deps.now.getTime();
  const [state] = await sql<{ through: Date | null }[]>`
    select time_read_through as through from people_sync_state where connection_id = ${connection.id}`;
  const [cases] = await sql<{ created: Date | null }[]>`
    select min(c.date_created) as created
    from tracked_cases c join bindings b on b.id = c.binding_id join projects p on p.id = b.project_id
    where p.slack_team_id = ${connection.slackTeamId}`;
  // Nothing tracked yet (e.g. right after connecting): nothing to attach entries to, so no request is spent
  // and the cursor stays where it was.
  if (!cases?.created) return { entries: 0, running: 0, removed: 0, ownerOnly: false };
  const [running] = await sql<{ oldest: Date | null }[]>`
    select min(t.started_at) as oldest
    from time_entries t join tracked_cases c on c.id = t.case_id
    join bindings b on b.id = c.binding_id join projects p on p.id = b.project_id
    where p.slack_team_id = ${connection.slackTeamId} and t.duration_ms is null`;
  // The first read goes back a year, or to the oldest tracked task's creation if that is later: no entry
  // of a task predates the task.
  let startMs = state?.through
    ? state.through.getTime() - OVERLAP_MS
    : Math.max(endMs - FIRST_READ_MS, cases.created.getTime());
  if (running?.oldest) startMs = Math.min(startMs, running.oldest.getTime());

  const memberIds = (
    await sql<{ id: string }[]>`
      select clickup_user_id::text as id from clickup_members where connection_id = ${connection.id}
      order by clickup_user_id`
  ).map((r) => Number(r.id));

  // No members read yet: only the token owner's entries can be asked for, so the read counts as owner-only.
  let ownerOnly = memberIds.length === 0;
  const read: ClickUpTimeEntry[] = [];
  for (let from = startMs; from < endMs; from += CHUNK_MS) {
    const to = Math.min(endMs, from + CHUNK_MS - 1);
    const groups = ownerOnly ? [[]] : chunks(memberIds, ASSIGNEES_PER_CALL);
    for (const assignees of groups) {
      try {
        read.push(
          ...(await deps.clickup.getTimeEntries(
            connection.clickupTeamId,
            { startMs: from, endMs: to, assignees },
            { signal },
          )),
        );
      } catch (err) {
        // Only owners and admins may ask for others' entries (docs/clickup.md §18.6): read the token owner's.
        if (!isClickUpError(err, "not_authorized") || assignees.length === 0) throw err;
        ownerOnly = true;
        read.push(
          ...(await deps.clickup.getTimeEntries(
            connection.clickupTeamId,
            { startMs: from, endMs: to },
            { signal },
          )),
        );
        break;
      }
    }
  }

  const byId = new Map<string, ClickUpTimeEntry>();
  for (const e of read) if (e.task?.id) byId.set(e.id, e);
  const entries = [...byId.values()];
  const rows = entries.map((e) => ({
    entry_id: e.id,
    task_id: e.task!.id,
    user_id: e.user?.id !== undefined && Number.isSafeInteger(e.user.id) ? e.user.id : null,
    started_at: new Date(e.start),
    duration_ms: e.duration < 0 ? null : Math.round(e.duration),
  }));

  return sql.begin(async (tx) => {
    if (!(await connectionHeld(tx, connection.id))) return { entries: 0, running: 0, removed: 0, ownerOnly };
    const kept = rows.length
      ? await tx<{ n: number }[]>`
          insert into time_entries (case_id, entry_id, clickup_user_id, started_at, duration_ms)
          select c.id, r.entry_id, r.user_id, r.started_at, r.duration_ms
          from jsonb_to_recordset(${sqlJson(
            tx,
            rows.map((r) => ({ ...r, started_at: r.started_at.toISOString() })),
          )})
            as r(entry_id text, task_id text, user_id int8, started_at timestamptz, duration_ms int8)
          join tracked_cases c on c.task_id = r.task_id
          join bindings b on b.id = c.binding_id join projects p on p.id = b.project_id
          where p.slack_team_id = ${connection.slackTeamId}
          on conflict (case_id, entry_id) do update set
            clickup_user_id = excluded.clickup_user_id, started_at = excluded.started_at,
            duration_ms = excluded.duration_ms
          returning (duration_ms is null)::int as n`
      : [];
    // Owner-only reads cannot tell a deleted entry from another user's, so nothing is removed then.
    const removed = ownerOnly
      ? []
      : await tx`
          delete from time_entries t using tracked_cases c, bindings b, projects p
          where c.id = t.case_id and b.id = c.binding_id and p.id = b.project_id
            and p.slack_team_id = ${connection.slackTeamId}
            and t.started_at >= ${new Date(startMs)}::timestamptz and t.started_at <= ${deps.now}::timestamptz
            and not (t.entry_id = any(${entries.map((e) => e.id)}::text[]))
          returning 1`;
    await tx`
      insert into people_sync_state (connection_id, time_read_through, time_owner_only)
      values (${connection.id}, ${deps.now}::timestamptz, ${ownerOnly})
      on conflict (connection_id) do update
        set time_read_through = excluded.time_read_through, time_owner_only = excluded.time_owner_only`;
    return {
      entries: kept.length,
      running: kept.filter((k) => k.n === 1).length,
      removed: removed.length,
      ownerOnly,
    };
  });
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
