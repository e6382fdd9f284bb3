import type { Database } from "../db/connect-database.ts";
import { addJobSql } from "../worker/add-job-sql.ts";

/**
 * Queues a backfill of one binding. The job key keeps at most one pending backfill per binding:
 * clicking "Backfill now" twice replaces the waiting job instead of running two.
 */
export async function enqueueBackfill(
  database: Database,
  bindingId: number,
  /** Where to keep a progress message, and who to tell if it fails. */
  requestedBy?: { channelId: string; userId: string },
): Promise<void> {
  const payload = { bindingId, ...requestedBy };
  await database.sql`select ${addJobSql(database.sql, "backfill-binding", payload, { jobKeyMode: "replace" })}`;
}
