import { eq } from "drizzle-orm";
import { projects } from "../../../db/schema.ts";
import type { Database } from "../../db/connect-database.ts";
import { type BlockedNow, blockedNow } from "../metrics/blocked.ts";
import { ageingWip, computeHeadline } from "../metrics/index.ts";
import { reworkEventsIn } from "../metrics/rework.ts";
import type { Assignee, FlowClock, Headline } from "../metrics/types.ts";
import { metricsSettingsOf } from "../metrics/window-settings.ts";
import { type AlertLevel, alertLadder, levelOf, shouldAlert } from "./alert-levels.ts";

export type DigestTask = {
  caseId: number;
  name: string;
  url: string;
  status: string;
  daysInStatus: number;
  ageDays: number;
  assignees: Assignee[];
  estimated: boolean;
  /** The rung this digest alerts the task for. */
  level: AlertLevel;
};

export type DigestRework = {
  transitionId: number;
  caseId: number;
  name: string;
  url: string;
  kind: "flow_back" | "reopen";
  from: string;
  to: string;
  at: Date;
  actorName: string | null;
};

/** An alert_log row to write once the digest is posted. */
export type DigestAlert = { caseId: number; kind: "ageing" | "rework"; threshold: string };

export type Digest = {
  projectId: number;
  slackTeamId: string;
  /** Where the digest goes: the digest channel, or the project channel. */
  channelId: string;
  projectChannelId: string;
  generatedAt: Date;
  timeZone: string;
  clock: FlowClock;
  headline: Headline;
  /** Newly past the ageing threshold (or a higher rung), oldest first. */
  ageing: DigestTask[];
  /** Newly past the 70th percentile, oldest first. */
  atRisk: DigestTask[];
  /** Rework not reported before, newest first. */
  rework: DigestRework[];
  /** WIP tasks blocked now, longest blocked run first (docs/flow-metrics.md §9.4). */
  blocked: BlockedNow[];
  /**
   * What the rework list covers: since the previous digest, or — for a project's first digest — its
   * window of this many days.
   */
  reworkPeriod: { since: "last_digest" } | { since: "window"; days: number };
  /** Whether a quiet digest posts one short "all flowing" line. */
  allFlowingLine: boolean;
  alerts: DigestAlert[];
  /** Snoozes that have ended (time passed, or the task moved); removed when the digest is posted. */
  endedSnoozeIds: number[];
};

/** Late-applied webhook deliveries can carry events from shortly before the last digest. */
const REWORK_OVERLAP_HOURS = 24;
const REWORK_CAP = 1000;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * What a project's digest would say now: tasks newly past a rung of the ageing ladder (dedupe via
 * alert_log, snoozed tasks left out), rework not reported yet, and the headline. Reads only; the
 * caller records the alerts once the message is out. Undefined when the project does not exist.
 */
export async function computeDigest(
  database: Pick<Database, "db" | "sql">,
  projectId: number,
  options: { now: Date },
): Promise<Digest | undefined> {
  const { db, sql } = database;
  const [project] = await db.select().from(projects).where(eq(projects.id, projectId));
  if (!project) return undefined;
  const now = options.now;
  const settings = metricsSettingsOf(projectId, project);
  // Instants go to SQL as ISO text: drizzle makes postgres.js pass timestamp values through untouched.
  // Rework since the previous digest; a first digest covers the project's window and says so.
  const reworkSince = project.lastDigestAt
    ? new Date(project.lastDigestAt.getTime() - REWORK_OVERLAP_HOURS * HOUR_MS)
    : new Date(now.getTime() - project.windowDays * DAY_MS);
  const [wip, headline, blocked, snoozeRows, reworkRows] = await Promise.all([
    ageingWip(sql, projectId, { now, settings }),
    computeHeadline(sql, projectId, { now, settings }),
    blockedNow(sql, projectId, now, { timeZone: project.timeZone, working: settings.clock === "working" }),
    sql<{ id: number; caseId: number; active: boolean; createdAt: Date }[]>`
      select s.id::int as id, s.case_id::int as "caseId",
        s.created_at as "createdAt",
        case
          when s.until_status_changes_from is not null then
            lower(trim(c.status_name)) = lower(trim(s.until_status_changes_from))
            and not exists (select 1 from status_transitions t
              where t.case_id = s.case_id and t.occurred_at > s.created_at)
            and (s.until is null or s.until > ${now}::timestamptz)
          else s.until > ${now}::timestamptz
        end as active
      from snoozes s join tracked_cases c on c.id = s.case_id
      where s.project_id = ${projectId}`,
    sql<
      {
        transitionId: number;
        caseId: number;
        name: string;
        url: string;
        kind: "flow_back" | "reopen";
        from: string;
        to: string;
        at: Date;
        actorName: string | null;
      }[]
    >`
      select r.transition_id::int as "transitionId", r.case_id::int as "caseId", c.name, c.url, r.kind,
        r.from_status as "from", r.to_status as "to", r.occurred_at as "at",
        r.actor_name as "actorName"
      from (select r.* ${reworkEventsIn(sql, projectId, { from: reworkSince, fromInclusive: false, to: now })}
            and not exists (select 1 from alert_log a where a.project_id = ${projectId} and a.case_id = r.case_id
              and a.kind = 'rework' and a.threshold = r.transition_id::text)) r
      join tracked_cases c on c.id = r.case_id
      order by r.occurred_at desc
      limit ${REWORK_CAP}`,
  ]);

  const activeSnoozes = new Set(snoozeRows.filter((s) => s.active).map((s) => s.caseId));
  const ended = snoozeRows.filter((s) => !s.active);
  // Once a snooze ends, alerts from before it no longer count: the task may alert again at its rung.
  const resetBefore = new Map<number, number>();
  for (const s of ended)
    resetBefore.set(s.caseId, Math.max(resetBefore.get(s.caseId) ?? 0, s.createdAt.getTime()));
  const ladder = alertLadder(wip.thresholds);
  // Only tasks on a rung and not snoozed can alert; their alert history is all that needs reading.
  const candidates = wip.items.flatMap((item) => {
    const at = activeSnoozes.has(item.caseId) ? undefined : levelOf(ladder, item.ageDays);
    return at ? [{ item, at }] : [];
  });
  const alertRows = candidates.length
    ? await sql<{ caseId: number; threshold: string; alertedAt: Date }[]>`
        select case_id::int as "caseId", threshold,
          alerted_at as "alertedAt"
        from alert_log
        where project_id = ${projectId} and kind = 'ageing'
          and case_id in (select jsonb_array_elements_text(${sql.json(candidates.map((c) => c.item.caseId))})::bigint)`
    : [];
  const alerted = new Map<number, string[]>();
  for (const a of alertRows) {
    if (a.alertedAt.getTime() <= (resetBefore.get(a.caseId) ?? Number.NEGATIVE_INFINITY)) continue;
    alerted.set(a.caseId, [...(alerted.get(a.caseId) ?? []), a.threshold]);
  }

  const ageing: DigestTask[] = [];
  const atRisk: DigestTask[] = [];
  const alerts: DigestAlert[] = [];
  for (const { item, at } of candidates) {
    if (!shouldAlert(ladder, at.rank, alerted.get(item.caseId) ?? [])) continue;
    const task: DigestTask = {
      caseId: item.caseId,
      name: item.name,
      url: item.url,
      status: item.status,
      daysInStatus: item.daysInStatus,
      ageDays: item.ageDays,
      assignees: item.assignees,
      estimated: item.estimated,
      level: at.level,
    };
    (at.level.kind === "ageing" ? ageing : atRisk).push(task);
    alerts.push({ caseId: item.caseId, kind: "ageing", threshold: at.level.key });
  }
  const byAge = (a: DigestTask, b: DigestTask) => b.ageDays - a.ageDays;
  const rework = reworkRows;
  for (const r of rework)
    alerts.push({ caseId: r.caseId, kind: "rework", threshold: String(r.transitionId) });

  return {
    projectId,
    slackTeamId: project.slackTeamId,
    channelId: project.digestChannelId ?? project.channelId,
    projectChannelId: project.channelId,
    generatedAt: now,
    timeZone: project.timeZone,
    clock: wip.clock,
    headline,
    ageing: ageing.sort(byAge),
    atRisk: atRisk.sort(byAge),
    rework,
    blocked,
    reworkPeriod: project.lastDigestAt
      ? { since: "last_digest" }
      : { since: "window", days: project.windowDays },
    allFlowingLine: project.digestAllFlowingLine,
    alerts,
    endedSnoozeIds: ended.map((s) => s.id),
  };
}

/** True when the digest has nothing to alert about. */
export function isQuiet(digest: Digest): boolean {
  return (
    digest.ageing.length === 0 &&
    digest.atRisk.length === 0 &&
    digest.rework.length === 0 &&
    digest.blocked.length === 0
  );
}
