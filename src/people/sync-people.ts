import type { Sql } from "postgres";
import type { ClickUpClient } from "../clickup/index.ts";
import { type GoalsRead, readGoals } from "../goals/read-goals.ts";
import type { Logger } from "../log/create-logger.ts";
import { readTimeEntries, type TimeEntriesRead } from "../time-tracking/read-time-entries.ts";
import { addJobSql } from "../worker/add-job-sql.ts";
import { type EmailLookup, type MembersRead, refreshMembers } from "./refresh-members.ts";

export type PeopleSyncDeps = {
  sql: Sql;
  clickup: ClickUpClient;
  slackUsers: EmailLookup | undefined;
  logger: Logger;
  now: Date;
};

export type PeopleSyncResult = { members: MembersRead; time: TimeEntriesRead; goals: GoalsRead };

/**
 * One connection's members, time entries and goals, in that order: the time-entry read asks for the members'
 * entries (docs/clickup.md §18.1). Each read's failure is its own: a workspace without goals still gets its
 * members and time. A bad token fails them all, and the error is rethrown for the job's retry.
 */
export async function syncPeople(
  deps: PeopleSyncDeps,
  connection: { id: number; clickupTeamId: string; slackTeamId: string },
  signal?: AbortSignal,
): Promise<Partial<PeopleSyncResult>> {
  const result: Partial<PeopleSyncResult> = {};
  let failure: unknown;
  const step = async <K extends keyof PeopleSyncResult>(key: K, run: () => Promise<PeopleSyncResult[K]>) => {
    try {
      result[key] = await run();
    } catch (err) {
      deps.logger.warn({ err, connectionId: connection.id, step: key }, "people sync step failed");
      failure ??= err;
    }
  };
  await step("members", () => refreshMembers(deps, connection, signal));
  await step("time", () => readTimeEntries(deps, connection, signal));
  await step("goals", () => readGoals(deps, connection, signal));
  if (failure) throw failure;
  return result;
}

/**
 * Queues the people sync of a connection, e.g. after a backfill: one waits at a time (the job key), and the
 * connection's runs share a queue, so a run queued while another runs starts after it, never beside it.
 */
export async function enqueuePeopleSync(sql: Sql, connectionId: number): Promise<void> {
  await sql`select ${addJobSql(sql, "sync-people", { connectionId }, { queueName: `sync-people:${connectionId}` })}`;
}

/** Queues it for every connection whose module is on (the hourly cron). */
export async function enqueueAllPeopleSyncs(sql: Sql): Promise<number> {
  const rows = await sql<{ id: number }[]>`select id::float8 as id from connections where module_enabled`;
  for (const r of rows) await enqueuePeopleSync(sql, r.id);
  return rows.length;
}
