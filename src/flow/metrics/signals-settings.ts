import type { Sql } from "postgres";

/** A project's ageing signals (docs/flow-metrics.md §8), as `/flow settings signals` sets them. */
export type SignalSettings = {
  overSleOn: boolean;
  stuckOn: boolean;
  stalledOn: boolean;
  /** N: a WIP case is stalled after at least this many quiet working days (§8.3), 1–60. */
  stalledDays: number;
  /** Days of the stuck signal's project rule (§8.2); null = the project's SLE. */
  stuckRuleDays: number | null;
};

export const STALLED_DAYS_MIN = 1;
export const STALLED_DAYS_MAX = 60;

/** What a project without a signal_settings row has: every signal on, N = 5, the SLE as the rule. */
const DEFAULT_SIGNAL_SETTINGS: SignalSettings = {
  overSleOn: true,
  stuckOn: true,
  stalledOn: true,
  stalledDays: 5,
  stuckRuleDays: null,
};

export async function loadSignalSettings(sql: Sql, projectId: number): Promise<SignalSettings> {
  const [row] = await sql<SignalSettings[]>`
    select over_sle_on as "overSleOn", stuck_on as "stuckOn", stalled_on as "stalledOn",
           stalled_days as "stalledDays", stuck_rule_days as "stuckRuleDays"
    from signal_settings where project_id = ${projectId}`;
  return row ?? DEFAULT_SIGNAL_SETTINGS;
}

export async function saveSignalSettings(
  sql: Sql,
  projectId: number,
  s: SignalSettings,
  updatedBy: string,
): Promise<void> {
  await sql`
    insert into signal_settings (project_id, over_sle_on, stuck_on, stalled_on, stalled_days, stuck_rule_days,
                                 updated_by, updated_at)
    values (${projectId}, ${s.overSleOn}, ${s.stuckOn}, ${s.stalledOn}, ${s.stalledDays}, ${s.stuckRuleDays},
            ${updatedBy}, now())
    on conflict (project_id) do update set
      over_sle_on = excluded.over_sle_on, stuck_on = excluded.stuck_on, stalled_on = excluded.stalled_on,
      stalled_days = excluded.stalled_days, stuck_rule_days = excluded.stuck_rule_days,
      updated_by = excluded.updated_by, updated_at = excluded.updated_at`;
}
