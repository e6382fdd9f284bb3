export { recomputeProjectRework } from "./recompute-project-rework.ts";
export {
  type RecordedTransition,
  recordCaseTransitions,
  recordTransition,
  type TransitionInput,
} from "./record-transition.ts";
export { classifyRework, loadStageOverrides, type ReworkKind, type StatusRef } from "./rework.ts";
export type { SqlClient } from "./sql-client.ts";
