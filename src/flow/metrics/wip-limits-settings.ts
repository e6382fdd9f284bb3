import type { Sql } from "postgres";

/*
 * A project's WIP limits and whether they alert its channel at once (docs/flow-metrics.md §10.1), as
 * `/flow settings limits` saves them in wip_limits and wip_alert_settings.
 */

/** The stages a limit may be set on: `done` takes none. */
export const LIMITED_STAGES = ["not_started", "active", "blocked"] as const;
export type LimitedStage = (typeof LIMITED_STAGES)[number];

/** What a limit is on: a status by its key (§2), or a stage. */
type LimitTarget = { kind: "status"; key: string } | { kind: "stage"; stage: LimitedStage };

export type WipLimit = LimitTarget & { limit: number };

export type WipLimitSettings = { limits: WipLimit[]; alertAtOnce: boolean };

type Row = { kind: "status" | "stage"; target: string; limit: number };

const targetOf = (t: LimitTarget) => (t.kind === "status" ? t.key : t.stage);

function limitOf(row: Row): WipLimit {
  return row.kind === "status"
    ? { kind: "status", key: row.target, limit: row.limit }
    : { kind: "stage", stage: row.target as LimitedStage, limit: row.limit };
}

/** The project's limits (stages first, then statuses by key) and its alert switch (off without a row). */
export async function loadWipLimits(sql: Sql, projectId: number): Promise<WipLimitSettings> {
  const [rows, [alert]] = await Promise.all([
    sql<Row[]>`
      select target_kind::text as kind, target, wip_limit as "limit"
      from wip_limits where project_id = ${projectId}
      order by target_kind desc, target`,
    sql<
      { on: boolean }[]
    >`select alert_at_once as on from wip_alert_settings where project_id = ${projectId}`,
  ]);
  return { limits: rows.map(limitOf), alertAtOnce: alert?.on ?? false };
}

/**
 * Replaces the project's limits with `settings.limits` in one transaction. A limit kept at the same
 * number keeps its alert state; a new or changed one starts armed (§10.1); one left out is removed.
 * Turning the alert on arms them all.
 */
export async function saveWipLimits(
  sql: Sql,
  projectId: number,
  settings: WipLimitSettings,
  by: { userId: string; at: Date },
): Promise<void> {
  const kinds = settings.limits.map((l) => l.kind);
  const targets = settings.limits.map(targetOf);
  const numbers = settings.limits.map((l) => l.limit);
  await sql.begin(async (tx) => {
    await tx`
      delete from wip_limits l
      where l.project_id = ${projectId}
        and not exists (select 1 from unnest(${kinds}::text[], ${targets}::text[]) as k(kind, target)
                        where k.kind = l.target_kind::text and k.target = l.target)`;
    await tx`
      insert into wip_limits (project_id, target_kind, target, wip_limit, fired, updated_by, updated_at)
      select ${projectId}, k.kind::wip_limit_target, k.target, k.n, false, ${by.userId}, ${by.at}::timestamptz
      from unnest(${kinds}::text[], ${targets}::text[], ${numbers}::int[]) as k(kind, target, n)
      on conflict (project_id, target_kind, target) do update set
        wip_limit = excluded.wip_limit, updated_by = excluded.updated_by, updated_at = excluded.updated_at,
        fired = case when wip_limits.wip_limit = excluded.wip_limit then wip_limits.fired else false end`;
    // Turning the alert on starts every limit armed: a state left from before it was off says nothing
    // about the counts since, which nobody judged.
    if (settings.alertAtOnce) {
      await tx`
        update wip_limits set fired = false
        where project_id = ${projectId} and fired
          and not coalesce((select alert_at_once from wip_alert_settings where project_id = ${projectId}), false)`;
    }
    await tx`
      insert into wip_alert_settings (project_id, alert_at_once, updated_by, updated_at)
      values (${projectId}, ${settings.alertAtOnce}, ${by.userId}, ${by.at}::timestamptz)
      on conflict (project_id) do update set
        alert_at_once = excluded.alert_at_once, updated_by = excluded.updated_by, updated_at = excluded.updated_at`;
  });
}
