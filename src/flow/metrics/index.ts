export { ageingWip, computeFlowReport, computeHeadline, headlineOfWip } from "./compute-flow-report.ts";
export { deferFlowRebuild, hasDirtyCases, rebuildDirtyCases } from "./deferred-rebuild.ts";
export { PERCENTILES } from "./percentiles.ts";
export { rebuildProjectFlow } from "./refresh.ts";
export type * from "./types.ts";
