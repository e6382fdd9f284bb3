export { recomputeProjectRework } from "./recompute-project-rework.ts";
export { recordCaseTransitions, recordTransition, type TransitionInput } from "./record-transition.ts";
