import type { Database } from "../../db/connect-database.ts";
import { dueTimesBetween } from "./due-times.ts";
import { enqueueDigest } from "./enqueue-digest.ts";

/**
 * How far back a scheduler run looks for due times, in ms. Cron runs every minute (and graphile-worker
 * fills in up to 5 missed minutes), so this covers short outages; a digest more than this late is skipped
 * rather than posted long after its time.
 */
const DUE_LOOKBACK_MS = 10 * 60_000;

/**
 * Queues the digests due in (now − lookback, now] in each project's own zone. Projects count when their
 * digest is on, their workspace's ClickUp module is on and they still bind something.
 * @returns how many due times this run claimed (others may have been claimed by a concurrent run).
 */
export async function scheduleDueDigests(database: Database, now: number): Promise<number> {
  const projects = await database.sql<
    { id: number; timeZone: string; days: number[]; time: string; createdMs: number }[]
  >`
    select p.id::int as id, p.time_zone as "timeZone", p.digest_days::int[] as days, p.digest_time as time,
      -- In ms with its fraction: created_at has microseconds, a Date would round them away.
      (extract(epoch from p.created_at) * 1000)::float8 as "createdMs"
    from projects p
    join connections c on c.slack_team_id = p.slack_team_id and c.module_enabled
    where p.digest_enabled
      and exists (select 1 from bindings b where b.project_id = p.id and b.unbound_at is null)`;
  let claimed = 0;
  for (const project of projects) {
    // A project never gets a digest for a due time from before it existed.
    const from = Math.max(now - DUE_LOOKBACK_MS, project.createdMs);
    for (const dueAt of dueTimesBetween(project, from, now)) {
      if (await enqueueDigest(database.sql, project.id, dueAt)) claimed++;
    }
  }
  return claimed;
}
