export { ageingWip, computeFlowReport, computeHeadline, REPORT_LIMITS } from "./compute-flow-report.ts";
export {
  DEFAULT_REBUILD_BATCH,
  deferFlowRebuild,
  enqueueFlowRebuild,
  hasDirtyCases,
  rebuildDirtyCases,
} from "./deferred-rebuild.ts";
export { PERCENTILES } from "./percentiles.ts";
export { paceOf } from "./queries.ts";
export { rebuildProjectFlow } from "./refresh.ts";
export { ProjectNotFoundError } from "./settings.ts";
export type * from "./types.ts";
