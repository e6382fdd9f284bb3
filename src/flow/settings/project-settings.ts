import { and, eq, sql } from "drizzle-orm";
import { projects, stageOverrides } from "../../../db/schema.ts";
import type { Db } from "../../db/connect-database.ts";
import { defaultStage, type FlowStage, statusKey } from "../stage-mapping.ts";

/** The `projects` columns `/flow settings` edits. */
export type ProjectSettings = {
  digestChannelId: string | null;
  digestEnabled: boolean;
  /** ISO weekdays, 1 = Monday … 7 = Sunday. */
  digestDays: number[];
  /** Local "HH:MM". */
  digestTime: string;
  timeZone: string;
  digestAllFlowingLine: boolean;
  /** 50, 70, 85 or 95; ignored while ageingFixedDays is set. */
  ageingPercentile: number;
  ageingFixedDays: number | null;
  workingDays: boolean;
};

export type ProjectRow = typeof projects.$inferSelect;

/** A status the project has seen, with its default stage and the admin's override if any. */
export type SeenStatus = {
  key: string;
  name: string;
  type: string | null;
  defaultStage: FlowStage;
  override: FlowStage | null;
};

export async function findProject(
  db: Db,
  slackTeamId: string,
  channelId: string,
): Promise<ProjectRow | undefined> {
  const [row] = await db
    .select()
    .from(projects)
    .where(and(eq(projects.slackTeamId, slackTeamId), eq(projects.channelId, channelId)));
  return row;
}

/**
 * Every status name the project's tasks have been in — current statuses, both ends of transitions and
 * time-in-status totals — one per {@link statusKey}, with the most frequent spelling and type.
 */
export async function seenStatuses(db: Db, projectId: number): Promise<SeenStatus[]> {
  const rows = await db.execute<{ name: string; type: string | null; n: number }>(sql`
    with project_bindings as (select id from bindings where project_id = ${projectId}),
    names as (
      select c.status_name as name, c.status_type as type, count(*)::int as n
        from tracked_cases c where c.binding_id in (select id from project_bindings)
        group by 1, 2
      union all
      select t.to_status, t.to_type, count(*)::int
        from status_transitions t where t.binding_id in (select id from project_bindings)
        group by 1, 2
      union all
      select t.from_status, t.from_type, count(*)::int
        from status_transitions t
        where t.binding_id in (select id from project_bindings) and t.from_status is not null
        group by 1, 2
      union all
      select s.status_name, s.status_type, count(*)::int
        from status_timings s join tracked_cases c on c.id = s.case_id
        where c.binding_id in (select id from project_bindings)
        group by 1, 2
    )
    select name, type, sum(n)::int as n from names group by 1, 2 order by 3 desc, 1`);
  const overrides = await db
    .select({ key: stageOverrides.statusKey, stage: stageOverrides.stage })
    .from(stageOverrides)
    .where(eq(stageOverrides.projectId, projectId));
  const overrideOf = new Map(overrides.map((o) => [o.key, o.stage]));
  const byKey = new Map<string, SeenStatus>();
  for (const row of rows) {
    const key = statusKey(row.name);
    // Rows come most frequent first, so the first spelling and type of a key win.
    if (byKey.has(key)) continue;
    byKey.set(key, {
      key,
      name: row.name.trim(),
      type: row.type,
      defaultStage: defaultStage(row.name, row.type),
      override: overrideOf.get(key) ?? null,
    });
  }
  return [...byKey.values()].sort((a, b) => stageOrder(a.defaultStage) - stageOrder(b.defaultStage));
}

const stageOrder = (stage: FlowStage) => ["not_started", "active", "blocked", "done"].indexOf(stage);

/**
 * Saves settings and stage overrides in one transaction. A status set back to its default stage loses
 * its override row, so a later change of defaults applies to it again.
 * @param stages statusKey → chosen stage, for the statuses the modal showed.
 */
export async function saveProjectSettings(
  db: Db,
  projectId: number,
  settings: ProjectSettings,
  stages: ReadonlyMap<string, FlowStage>,
): Promise<{ overridesChanged: boolean }> {
  const statuses = await seenStatuses(db, projectId);
  return db.transaction(async (tx) => {
    await tx.update(projects).set(settings).where(eq(projects.id, projectId));
    let overridesChanged = false;
    for (const status of statuses) {
      const chosen = stages.get(status.key);
      if (!chosen) continue;
      const wanted = chosen === status.defaultStage ? null : chosen;
      if (wanted === status.override) continue;
      overridesChanged = true;
      if (wanted === null) {
        await tx
          .delete(stageOverrides)
          .where(and(eq(stageOverrides.projectId, projectId), eq(stageOverrides.statusKey, status.key)));
      } else {
        await tx
          .insert(stageOverrides)
          .values({ projectId, statusKey: status.key, statusName: status.name, stage: wanted })
          .onConflictDoUpdate({
            target: [stageOverrides.projectId, stageOverrides.statusKey],
            set: { stage: wanted, statusName: status.name },
          });
      }
    }
    return { overridesChanged };
  });
}
