import type { Sql } from "postgres";
import { addJobSql, sqlValue } from "../../worker/add-job-sql.ts";
import type { JobPayload } from "../../worker/job-catalog.ts";

/** Asks a digest's job to tell this user how it went (used by `/flow digest now`). */
export type DigestRequester = { userId: string; channelId: string };

/** dueAt is the ISO instant the digest was due; with projectId, the digest_runs key. */
export type PostDigestPayload = JobPayload<"post-digest">;

/**
 * Claims one due time of a project's digest and queues `post-digest` for it, in one statement: the
 * digest_runs row is inserted with ON CONFLICT DO NOTHING and the job is added only for a row that
 * was inserted, so any number of schedulers racing on the same due time queue it once.
 * Jobs of one digest channel share a named queue, so they post one after another.
 * @returns true when this call claimed the due time.
 */
export async function enqueueDigest(
  sql: Sql,
  projectId: number,
  dueAt: Date,
  requestedBy?: DigestRequester,
): Promise<boolean> {
  const payload: PostDigestPayload = {
    projectId,
    dueAt: dueAt.toISOString(),
    ...(requestedBy ? { requestedBy } : {}),
  };
  const digestQueue = sqlValue<string>(sql`'flowbot-digest:' || coalesce(p.digest_channel_id, p.channel_id)`);
  const rows = await sql`
    with claimed as (
      insert into digest_runs (project_id, due_at) values (${projectId}, ${dueAt}::timestamptz)
      on conflict do nothing
      returning project_id
    )
    select ${addJobSql(sql, "post-digest", payload, { queueName: digestQueue })} as job
    from claimed join projects p on p.id = claimed.project_id`;
  return rows.length > 0;
}
