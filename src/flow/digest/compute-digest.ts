import { eq } from "drizzle-orm";
import { projects } from "../../../db/schema.ts";
import type { Database } from "../../db/connect-database.ts";
import { type BlockedNow, blockedNow } from "../metrics/blocked.ts";
import { ageingWip, headlineOfWip } from "../metrics/index.ts";
import { reworkEventsIn } from "../metrics/rework.ts";
import { wipSignals } from "../metrics/signals.ts";
import { loadSignalSettings } from "../metrics/signals-settings.ts";
import { type StuckCase, statusVisits } from "../metrics/signals-stuck.ts";
import type { AgeingItem, Assignee, FlowClock, Headline } from "../metrics/types.ts";
import { metricsSettingsOf, windowOf } from "../metrics/window-settings.ts";
import { type WipLimitCount, wipLimitCounts } from "../metrics/wip-limits.ts";
import { type Friction, markFriction } from "../sentiment/friction.ts";
import { statusKey } from "../stage-mapping.ts";
import { type AlertLevel, alertLadder, levelOf, shouldAlert } from "./alert-levels.ts";

/** Why a task is stuck in its status (docs/flow-metrics.md §8.2), as the digest says it. */
export type StuckReason = {
  status: string;
  daysSoFar: number;
  /** Visits to the status that covers, the current one included; null when not counted (see VISITS_COUNTED). */
  visits: number | null;
  limitDays: number;
  limitSource: "p85" | "rule";
  estimated: boolean;
};

/** Why a task is stalled (§8.3): its quiet time in working days, and when its last activity was. */
export type StalledReason = { quietDays: number; lastActivityAt: Date };

/** A task the digest alerts for, with each signal it newly carries (at least one). */
export type DigestTask = {
  caseId: number;
  name: string;
  url: string;
  status: string;
  daysInStatus: number;
  ageDays: number;
  assignees: Assignee[];
  estimated: boolean;
  /** Over SLE (§8.1): the rung of the ageing ladder this digest alerts the task for. */
  level?: AlertLevel;
  /** In a segmented project: the task's segment, and whether its ladder is the segment's own (§7). */
  segment?: { value: string; own: boolean };
  stuck?: StuckReason;
  stalled?: StalledReason;
  /** Ageing or stuck with negative comments (docs/flow-metrics.md §14.3). */
  friction?: Friction;
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

/**
 * An alert_log row to write once the digest is posted. `threshold` says what was alerted: the ageing
 * rung's key, the rework event's transition id, the stuck visit, or the stalled quiet period.
 */
export type DigestAlert = { caseId: number; kind: AlertKind; threshold: string };
type AlertKind = "ageing" | "rework" | "stuck" | "stalled";

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
  /*
   * The tasks newly carrying a signal, each listed once, under the first of: ageing, stuck, stalled, at
   * risk; a task carries every signal it newly alerts for, whichever list it is in.
   */
  /** Newly past the ageing threshold (or a higher rung), oldest first. */
  ageing: DigestTask[];
  /** Newly stuck in their status and not ageing, longest in it first. */
  stuck: DigestTask[];
  /** Newly stalled and neither ageing nor stuck, quietest first. */
  stalled: DigestTask[];
  /** Newly past the 70th percentile and nothing else, oldest first. */
  atRisk: DigestTask[];
  /** N of the stalled signal, in working days. */
  stalledDays: number;
  /** Rework not reported before, newest first. */
  rework: DigestRework[];
  /** WIP tasks blocked now, longest blocked run first (docs/flow-metrics.md §9.4). */
  blocked: BlockedNow[];
  /**
   * What the rework list covers: since the previous digest, or — for a project's first digest — its
   * window of this many days.
   */
  reworkPeriod: { since: "last_digest" } | { since: "window"; days: number };
  /** Statuses and stages over their WIP limit at the digest's instant (docs/flow-metrics.md §10.1). */
  overLimit: WipLimitCount[];
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
 * A stuck task's number of visits is counted for the first this many tasks the digest lists: more than
 * one message can show (Slack's 50 blocks, two per task); the rest are counted in its "and N more" line.
 */
const VISITS_COUNTED = 30;

/**
 * What a project's digest would say now (docs/flow-metrics.md §5, §8.5): tasks newly carrying an ageing
 * signal — a rung of the ageing ladder climbed (over SLE), a visit to a status gone past its stuck limit,
 * a quiet period that reached N working days — deduped through alert_log, snoozed tasks left out; rework
 * not reported yet; and the headline. Reads only; the caller records the alerts once the message is
 * out. Undefined when the project does not exist.
 */
export async function computeDigest(
  database: Pick<Database, "db" | "sql">,
  projectId: number,
  options: { now: Date },
): Promise<Digest | undefined> {
  const { db, sql } = database;
  const [[project], signals] = await Promise.all([
    db.select().from(projects).where(eq(projects.id, projectId)),
    loadSignalSettings(sql, projectId),
  ]);
  if (!project) return undefined;
  const now = options.now;
  const settings = metricsSettingsOf(projectId, project);
  const { from, to } = windowOf(now, project.windowDays);
  // Instants go to SQL as ISO text: drizzle makes postgres.js pass timestamp values through untouched.
  // Rework since the previous digest; a first digest covers the project's window and says so.
  const reworkSince = project.lastDigestAt
    ? new Date(project.lastDigestAt.getTime() - REWORK_OVERLAP_HOURS * HOUR_MS)
    : new Date(now.getTime() - project.windowDays * DAY_MS);
  const [wip, found, limits, blocked, snoozeRows, reworkRows] = await Promise.all([
    ageingWip(sql, projectId, { now, settings }),
    wipSignals(sql, settings, signals, { now, from, to }),
    wipLimitCounts(sql, projectId),
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

  const headline = await headlineOfWip(sql, projectId, now, wip);
  const activeSnoozes = new Set(snoozeRows.filter((s) => s.active).map((s) => s.caseId));
  const ended = snoozeRows.filter((s) => !s.active);
  // Once a snooze ends, alerts from before it no longer count: the task may alert again for what it
  // carries then (its rung, its visit, its quiet period).
  const resetBefore = new Map<number, number>();
  for (const s of ended)
    resetBefore.set(s.caseId, Math.max(resetBefore.get(s.caseId) ?? 0, s.createdAt.getTime()));
  // The ladder a case climbs: its segment's when the project has a segment dimension (§7, §8.1), else
  // the project's.
  const projectLadder = alertLadder(wip.thresholds);
  const ladderOf = (item: AgeingItem) => (item.thresholds ? alertLadder(item.thresholds) : projectLadder);

  // What each WIP case carries now; a snoozed case carries nothing the digest may say (§8.5).
  const candidates = wip.items.flatMap((item) => {
    if (activeSnoozes.has(item.caseId)) return [];
    const ladder = ladderOf(item);
    const at = signals.overSleOn ? levelOf(ladder, item.ageDays) : undefined;
    const stuck = found.stuck.get(item.caseId);
    const stalled = found.stalled.get(item.caseId);
    if (!at && !stuck && !stalled) return [];
    return [
      {
        item,
        ladder,
        at,
        stuck: stuck && { key: stuckKey(stuck.status, stuck.visitSince), reason: stuck },
        stalled: stalled && { key: stalled.lastActivityAt.toISOString(), reason: stalled },
      },
    ];
  });
  // Their alert history is all that needs reading: one query for every kind.
  const alertRows = candidates.length
    ? await sql<{ caseId: number; kind: AlertKind; threshold: string; alertedAt: Date }[]>`
        select case_id::int as "caseId", kind, threshold, alerted_at as "alertedAt"
        from alert_log
        where project_id = ${projectId} and kind in ('ageing', 'stuck', 'stalled')
          and case_id in (select jsonb_array_elements_text(${sql.json(candidates.map((c) => c.item.caseId))})::bigint)`
    : [];
  const alerted = new Map<string, string[]>();
  for (const a of alertRows) {
    if (a.alertedAt.getTime() <= (resetBefore.get(a.caseId) ?? Number.NEGATIVE_INFINITY)) continue;
    const key = `${a.kind}:${a.caseId}`;
    alerted.set(key, [...(alerted.get(key) ?? []), a.threshold]);
  }
  const was = (kind: AlertKind, caseId: number) => alerted.get(`${kind}:${caseId}`) ?? [];

  const ageing: DigestTask[] = [];
  const stuckList: DigestTask[] = [];
  const stalledList: DigestTask[] = [];
  const atRisk: DigestTask[] = [];
  const alerts: DigestAlert[] = [];
  for (const c of candidates) {
    const { item } = c;
    // Over SLE climbs the ladder (once per rung, §4.9); stuck alerts once per visit, stalled once per
    // quiet period: a new visit or a new period has a key of its own.
    const level =
      c.at && shouldAlert(c.ladder, c.at.rank, was("ageing", item.caseId)) ? c.at.level : undefined;
    const stuck = c.stuck && !was("stuck", item.caseId).includes(c.stuck.key) ? c.stuck : undefined;
    const stalled = c.stalled && !was("stalled", item.caseId).includes(c.stalled.key) ? c.stalled : undefined;
    if (!level && !stuck && !stalled) continue;
    const task: DigestTask = {
      caseId: item.caseId,
      name: item.name,
      url: item.url,
      status: item.status,
      daysInStatus: item.daysInStatus,
      ageDays: item.ageDays,
      assignees: item.assignees,
      estimated: item.estimated,
      ...(item.segment === undefined
        ? {}
        : { segment: { value: item.segment, own: item.segmentOwnSample ?? false } }),
      ...(level ? { level } : {}),
      ...(stuck ? { stuck: stuckReason(stuck.reason) } : {}),
      ...(stalled ? { stalled: stalledReason(stalled.reason) } : {}),
    };
    if (level) alerts.push({ caseId: item.caseId, kind: "ageing", threshold: level.key });
    if (stuck) alerts.push({ caseId: item.caseId, kind: "stuck", threshold: stuck.key });
    if (stalled) alerts.push({ caseId: item.caseId, kind: "stalled", threshold: stalled.key });
    if (level?.kind === "ageing") ageing.push(task);
    else if (stuck) stuckList.push(task);
    else if (stalled) stalledList.push(task);
    else atRisk.push(task);
  }
  const byAge = (a: DigestTask, b: DigestTask) => b.ageDays - a.ageDays;
  ageing.sort(byAge);
  stuckList.sort((a, b) => b.stuck!.daysSoFar - a.stuck!.daysSoFar || byAge(a, b));
  stalledList.sort((a, b) => b.stalled!.quietDays - a.stalled!.quietDays || byAge(a, b));
  atRisk.sort(byAge);
  const listed = [...ageing, ...stuckList, ...stalledList, ...atRisk].slice(0, VISITS_COUNTED);
  const visits = await statusVisits(
    sql,
    listed.flatMap((t) => (t.stuck ? [t.caseId] : [])),
  );
  for (const t of listed) if (t.stuck) t.stuck.visits = visits.get(t.caseId) ?? null;
  await markFriction(sql, [...ageing, ...stuckList]);
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
    ageing,
    stuck: stuckList,
    stalled: stalledList,
    atRisk,
    stalledDays: signals.stalledDays,
    rework,
    blocked,
    reworkPeriod: project.lastDigestAt
      ? { since: "last_digest" }
      : { since: "window", days: project.windowDays },
    overLimit: limits.filter((l) => l.over),
    allFlowingLine: project.digestAllFlowingLine,
    alerts,
    endedSnoozeIds: ended.map((s) => s.id),
  };
}

/** alert_log's key for one visit to a status: the status (by key, §2) and when the visit began. */
function stuckKey(status: string, since: Date): string {
  return `${statusKey(status)}@${since.toISOString()}`;
}

function stuckReason(c: StuckCase): StuckReason {
  return {
    status: c.status,
    daysSoFar: c.daysSoFar,
    visits: null,
    limitDays: c.limitDays,
    limitSource: c.limitSource,
    estimated: c.estimated,
  };
}

function stalledReason(c: StalledReason): StalledReason {
  return { quietDays: c.quietDays, lastActivityAt: c.lastActivityAt };
}

/** True when the digest has nothing to alert about. */
export function isQuiet(digest: Digest): boolean {
  return (
    digestTasks(digest).length === 0 &&
    digest.rework.length === 0 &&
    digest.overLimit.length === 0 &&
    digest.blocked.length === 0
  );
}

/** Every task the digest alerts for, in the order it lists them. */
export function digestTasks(digest: Digest): DigestTask[] {
  return [...digest.ageing, ...digest.stuck, ...digest.stalled, ...digest.atRisk];
}
