import type { Db } from "../../db/connect-database.ts";
import { ageingWip, computeHeadline } from "../metrics/index.ts";
import type { AgeingWip, Headline, MetricsOptions } from "../metrics/types.ts";

/** The Flow metrics a digest reads (src/flow/metrics); injectable so the bench and tests time or vary them. */
export type DigestMetrics = {
  ageingWip(db: Db, projectId: number, options: MetricsOptions): Promise<AgeingWip>;
  computeHeadline(db: Db, projectId: number, options: MetricsOptions): Promise<Headline>;
};

/** The real metrics engine. */
export const flowMetrics: DigestMetrics = { ageingWip, computeHeadline };
