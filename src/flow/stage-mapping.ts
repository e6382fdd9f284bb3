/**
 * Status → stage mapping (docs/flow-metrics.md §2). Every ClickUp status a project has seen maps to
 * one stage; admins override per project in `stage_overrides`, keyed by {@link statusKey}. The same
 * default exists in SQL as `flowbot_default_stage(name, type)` (db/functions/stage-of-status.sql) so metrics can be
 * computed in the database with identical rules.
 */
export const FLOW_STAGES = ["not_started", "active", "blocked", "done"] as const;
export type FlowStage = (typeof FLOW_STAGES)[number];

/**
 * The default stage: `done`/`closed` types are done; otherwise a name containing "block" or "wait"
 * is blocked; `open` is not started; every other (custom) status is active.
 */
export function defaultStage(statusName: string, statusType: string | null | undefined): FlowStage {
  const type = statusKey(statusType ?? "");
  if (type === "done" || type === "closed") return "done";
  const name = statusKey(statusName);
  if (name.includes("block") || name.includes("wait")) return "blocked";
  if (type === "open") return "not_started";
  return "active";
}

/**
 * Overrides are per status name, as admins see them across lists: the name with spaces, tabs and line
 * breaks trimmed and A–Z lower-cased — nothing else, exactly as `flowbot_status_key` in SQL, whatever the
 * database's locale.
 */
export function statusKey(statusName: string): string {
  return statusName.replace(/^[ \t\n\r]+|[ \t\n\r]+$/g, "").replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** The stage of a status in a project, given that project's overrides (statusKey → stage). */
export function stageOf(
  statusName: string,
  statusType: string | null | undefined,
  overrides: ReadonlyMap<string, FlowStage>,
): FlowStage {
  return overrides.get(statusKey(statusName)) ?? defaultStage(statusName, statusType);
}
