import { type FlowStage, stageOf, statusKey } from "../../flow/stage-mapping.ts";
import type { SqlClient } from "./sql-client.ts";

export type ReworkKind = "flow_back" | "reopen";

/** One side of a transition as rework needs it. */
export type StatusRef = { name: string; type: string | null; orderindex: number | null };

/**
 * The rework a single transition is, if any (docs/flow-metrics.md §4.7): a move backwards in workflow order from
 * one `active` status to another, or a reopen (leaving `done` for a non-done stage). Moves into or out
 * of `blocked` and done → done (e.g. done → closed) are not rework; a task's first status never is.
 */
export function classifyRework(
  from: StatusRef | null,
  to: StatusRef,
  overrides: ReadonlyMap<string, FlowStage>,
): ReworkKind | null {
  if (!from) return null;
  const fromStage = stageOf(from.name, from.type, overrides);
  const toStage = stageOf(to.name, to.type, overrides);
  if (fromStage === "done") return toStage === "done" ? null : "reopen";
  if (
    fromStage === "active" &&
    toStage === "active" &&
    from.orderindex !== null &&
    to.orderindex !== null &&
    to.orderindex < from.orderindex
  )
    return "flow_back";
  return null;
}

/** A project's stage overrides, keyed as {@link statusKey} keys them. */
export async function loadStageOverrides(sql: SqlClient, projectId: number): Promise<Map<string, FlowStage>> {
  const rows = await sql<{ statusKey: string; statusName: string; stage: FlowStage }[]>`
    select status_key as "statusKey", status_name as "statusName", stage
    from stage_overrides where project_id = ${projectId}`;
  return overridesMap(rows);
}

/** Override rows (as stored) to the map {@link stageOf} reads. */
export function overridesMap(rows: readonly { statusKey: string; statusName: string; stage: FlowStage }[]) {
  const map = new Map<string, FlowStage>();
  // stageOf looks a status up by its normalised name; a row keyed otherwise (e.g. by status id)
  // still carries the name it was set for.
  for (const r of rows) {
    map.set(statusKey(r.statusName), r.stage);
    map.set(statusKey(r.statusKey), r.stage);
  }
  return map;
}
