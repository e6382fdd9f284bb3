export { ageingWip, computeFlowReport, computeHeadline, REPORT_LIMITS } from "./compute-flow-report.ts";
export {
  DEFAULT_REBUILD_BATCH,
  deferFlowRebuild,
  enqueueFlowRebuild,
  hasDirtyCases,
  rebuildDirtyCases,
} from "./deferred-rebuild.ts";
export { PERCENTILES } from "./percentiles.ts";
export { rebuildProjectFlow } from "./refresh.ts";
export type * from "./types.ts";
export { ProjectNotFoundError } from "./window-settings.ts";
export { paceOf } from "./wip-ageing.ts";
