import type { Database } from "../../db/connect-database.ts";
import { recomputeProjectRework } from "../../sync/timeline/index.ts";

/**
 * Brings stored derivations in line with a changed stage mapping. The per-case flow facts follow
 * stage_overrides through database triggers; rework events are rebuilt here, since what counts as a
 * flow-back depends on which statuses are active.
 * @returns how many rework events the project has now.
 */
export async function applyStageMappingChange(database: Database, projectId: number): Promise<number> {
  return recomputeProjectRework(database.sql, projectId);
}
