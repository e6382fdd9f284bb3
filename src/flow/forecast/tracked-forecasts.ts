import type { Sql } from "postgres";

/*
 * Tracked forecasts (docs/flow-metrics.md §12.7): the rows of tracked_forecasts and the bands of the
 * chance of finishing by the date. A run lowers a track's alerted band with one conditional update, and
 * only the run whose update changed the row posts: several workers running the same night post a drop
 * once between them.
 */

/** The alert levels, highest first; 100 stands for "none alerted". */
const ALERT_LEVELS = [85, 70, 50] as const;
export type Band = 100 | (typeof ALERT_LEVELS)[number];

/** The band of a chance (0–1): the lowest level it is below, or 100 when at or above 85%. */
export function bandOf(chance: number): Band {
  const percent = chance * 100;
  let band: Band = 100;
  for (const level of ALERT_LEVELS) if (percent < level) band = level;
  return band;
}

export type TrackedForecast = {
  id: number;
  projectId: number;
  setText: string;
  setKey: string;
  setLabel: string;
  targetDate: string;
  createdBy: string;
  lastChance: number | null;
  lastOpen: number | null;
  lastRunAt: Date | null;
  alertedBand: Band;
};

const columns = (sql: Sql) => sql`
  id::int, project_id::int as "projectId", set_text as "setText", set_key as "setKey", set_label as "setLabel",
  target_date::text as "targetDate", created_by as "createdBy", last_chance as "lastChance",
  last_open as "lastOpen", last_run_at as "lastRunAt", alerted_band as "alertedBand"`;

/** Tracks a set by a date (one track per set of a project: tracking it again moves its date). */
export async function saveTrack(
  sql: Sql,
  t: {
    projectId: number;
    setText: string;
    setKey: string;
    setLabel: string;
    targetDate: string;
    createdBy: string;
    chance: number;
    open: number;
    at: Date;
  },
): Promise<TrackedForecast> {
  // The first run's band is where it starts: no alert for a chance already low when tracked (§12.7).
  const [row] = await sql<TrackedForecast[]>`
    insert into tracked_forecasts (project_id, set_text, set_key, set_label, target_date, created_by,
                                   last_chance, last_open, last_run_at, alerted_band)
    values (${t.projectId}, ${t.setText}, ${t.setKey}, ${t.setLabel}, ${t.targetDate}::date, ${t.createdBy},
            ${t.chance}, ${t.open}, ${t.at}, ${bandOf(t.chance)})
    on conflict (project_id, set_key) do update set
      set_text = excluded.set_text, set_label = excluded.set_label, target_date = excluded.target_date,
      created_by = excluded.created_by, created_at = now(), last_chance = excluded.last_chance,
      last_open = excluded.last_open, last_run_at = excluded.last_run_at, alerted_band = excluded.alerted_band
    returning ${columns(sql)}`;
  return row!;
}

export function listTracks(sql: Sql, projectId?: number): Promise<TrackedForecast[]> {
  return sql<TrackedForecast[]>`
    select ${columns(sql)} from tracked_forecasts
    ${projectId === undefined ? sql`` : sql`where project_id = ${projectId}`}
    order by project_id, id`;
}

/** Removes a project's track by its id or its set's key; the tracks removed. */
export function removeTrack(sql: Sql, projectId: number, which: { id: number } | { setKey: string }) {
  return sql<TrackedForecast[]>`
    delete from tracked_forecasts
    where project_id = ${projectId}
      and ${"id" in which ? sql`id = ${which.id}` : sql`set_key = ${which.setKey}`}
    returning ${columns(sql)}`;
}

/** What a run found to say: the band newly dropped into, and the chance of the run before. */
export type TrackAlert = { band: Exclude<Band, 100>; previous: number | null };

/**
 * Records a night's chance; returns the alert to post when this run is the one that lowered the band.
 * A chance back in a higher band re-arms the levels below it.
 */
export async function recordRun(
  sql: Sql,
  track: TrackedForecast,
  run: { chance: number; open: number; at: Date },
): Promise<TrackAlert | null> {
  const band = bandOf(run.chance);
  const [claimed] = await sql<{ id: number }[]>`
    update tracked_forecasts set alerted_band = ${band}
    where id = ${track.id} and alerted_band > ${band}
    returning id::int`;
  if (!claimed) {
    await sql`update tracked_forecasts set alerted_band = ${band} where id = ${track.id} and alerted_band < ${band}`;
  }
  await sql`
    update tracked_forecasts set last_chance = ${run.chance}, last_open = ${run.open}, last_run_at = ${run.at}
    where id = ${track.id}`;
  return claimed && band !== 100 ? { band, previous: track.lastChance } : null;
}
