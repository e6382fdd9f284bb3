import { and, eq, inArray, type SQL, sql } from "drizzle-orm";
import { bindings, projects } from "../../db/schema.ts";
import type { Db } from "../db/connect-database.ts";

/** What the Flow view needs to know about a project besides its metrics. */
export type ReportProject = {
  id: number;
  slackTeamId: string;
  channelId: string;
  channelName: string | null;
  windowDays: number;
  timeZone: string;
};

const columns = {
  id: projects.id,
  slackTeamId: projects.slackTeamId,
  channelId: projects.channelId,
  channelName: projects.channelName,
  windowDays: projects.windowDays,
  timeZone: projects.timeZone,
};

/**
 * A project is a channel with at least one binding. Unbound bindings count: their flow data is kept for
 * the metrics, so the channel still has a report.
 */
const hasBinding = sql`exists (select 1 from ${bindings} where ${bindings.projectId} = ${projects.id})`;

/** The team's project with a binding that also meets `which` (its channel, or its id). */
async function findReportProject(db: Db, slackTeamId: string, which: SQL): Promise<ReportProject | null> {
  const [row] = await db
    .select(columns)
    .from(projects)
    .where(and(eq(projects.slackTeamId, slackTeamId), which, hasBinding));
  return row ?? null;
}

export function findProjectByChannel(db: Db, slackTeamId: string, channelId: string) {
  return findReportProject(db, slackTeamId, eq(projects.channelId, channelId));
}

export function findProjectById(db: Db, slackTeamId: string, id: number) {
  return findReportProject(db, slackTeamId, eq(projects.id, id));
}

/** The team's projects among the given channels, by channel name. */
export async function projectsInChannels(
  db: Db,
  slackTeamId: string,
  channelIds: readonly string[],
): Promise<ReportProject[]> {
  if (channelIds.length === 0) return [];
  return db
    .select(columns)
    .from(projects)
    .where(
      and(eq(projects.slackTeamId, slackTeamId), inArray(projects.channelId, [...channelIds]), hasBinding),
    )
    .orderBy(projects.channelName, projects.channelId);
}

/** Workflow order of the statuses a project's tasks are in now (ClickUp's orderindex; lowest first). */
export async function statusOrder(db: Db, projectId: number): Promise<Map<string, number>> {
  const rows = await db.execute<{ status_name: string; orderindex: number }>(sql`
    select tc.status_name, min(tc.status_orderindex)::int as orderindex
    from tracked_cases tc
    join bindings b on b.id = tc.binding_id
    where b.project_id = ${projectId} and tc.deleted_at is null
    group by tc.status_name`);
  return new Map(rows.map((r) => [r.status_name, r.orderindex]));
}
