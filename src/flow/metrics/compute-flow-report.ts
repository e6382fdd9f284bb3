import type { Sql } from "postgres";
import { FLOW_STAGES } from "../stage-mapping.ts";
import { blockedFlowEfficiency } from "./blocked.ts";
import { cyclePercentiles, cycleScatter, finishedStats } from "./cycle-lead-time.ts";
import { reworkEvents } from "./rework.ts";
import { judgeBySegment, loadSegmentJudge, overThresholdBySegment } from "./segment-ageing.ts";
import { segmentBreakdown, segmentCaseIds, segmentThreshold } from "./segments.ts";
import { timeInStatus } from "./time-in-status.ts";
import type {
  AgeingWip,
  FlowReport,
  Headline,
  MetricsOptions,
  SegmentSummary,
  TimeInStage,
} from "./types.ts";
import { DAY_MS, loadMetricsSettings, type MetricsSettings, windowOf } from "./window-settings.ts";
import { ageingItems, sleOf, thresholdsOf, wipCounts } from "./wip-ageing.ts";

/** How many ageing tasks, rework events and scatter points a report carries (totals are counted). */
const REPORT_LIMITS = { ageing: 100, reworkEvents: 50, cycleScatter: 2000 } as const;

/**
 * The Flow view of a project (docs/flow-metrics.md §4) over the last `windowDays` days (default: the project's
 * window_days): a handful of queries over the per-case flow facts, run concurrently.
 */
export async function computeFlowReport(
  sql: Sql,
  projectId: number,
  opts: MetricsOptions,
): Promise<FlowReport> {
  const project = await loadMetricsSettings(sql, projectId);
  const days = opts.windowDays ?? project.windowDays;
  const { from, to } = windowOf(opts.now, days);
  // A filtered report reads every metric through the segment's scope, its cases found once; its SLE
  // rule also needs the project's own percentiles (docs/flow-metrics.md §7).
  const [caseIds, projectCycle] = opts.scope
    ? await Promise.all([
        segmentCaseIds(sql, projectId, opts.scope, from, to),
        cyclePercentiles(sql, project, from, to),
      ])
    : [undefined, null];
  const scope = opts.scope && caseIds !== undefined ? { ...opts.scope, caseIds } : undefined;
  const s: MetricsSettings = scope ? { ...project, scope } : project;
  const [fin, statuses, rework, scatter, segments, blocked, judge] = await Promise.all([
    finishedStats(sql, s, from, to),
    timeInStatus(sql, s, from, to),
    reworkEvents(sql, s, from, to, REPORT_LIMITS.reworkEvents),
    cycleScatter(sql, s, from, to, REPORT_LIMITS.cycleScatter),
    opts.breakdown && !opts.scope ? segmentBreakdown(sql, project, opts.breakdown, from, to) : null,
    // Tag, field and dependency rules take their time out of active time (docs/flow-metrics.md §9.3).
    blockedFlowEfficiency(sql, projectId, from, to, caseIds),
    // Per-segment thresholds (§8.1) of the whole project's report, for its ageing list and count.
    scope ? null : loadSegmentJudge(sql, project, { from, to }),
  ]);
  const efficiency = blocked ? blocked.efficiency : fin.flowEfficiency;
  const segment =
    opts.scope && projectCycle
      ? {
          title: opts.scope.segmenter.title,
          value: opts.scope.value,
          note: opts.scope.segmenter.note,
          ...segmentThreshold(project, fin.cycleTime, projectCycle),
        }
      : null;
  const thresholds = segment ? segment.thresholds : thresholdsOf(s, fin.cycleTime);
  // A one-segment report already measures against that segment; the whole project's report measures
  // each case against its own segment (§8.1), its count as its list, with one read of the thresholds.
  const [counts, listed, bySegment] = await Promise.all([
    wipCounts(sql, s, opts.now, thresholds.thresholdDays),
    ageingItems(sql, s, opts.now, thresholds, REPORT_LIMITS.ageing),
    judge ? overThresholdBySegment(sql, project, { from, to }, opts.now, judge) : null,
  ]);
  const ageing = judge ? await judgeBySegment(sql, project, { from, to }, listed, judge) : listed;
  const byStage = new Map<string, TimeInStage>();
  for (const t of statuses) {
    const cur = byStage.get(t.stage) ?? { stage: t.stage, days: 0, estimated: false };
    cur.days += t.days;
    cur.estimated ||= t.estimated;
    byStage.set(t.stage, cur);
  }
  return {
    projectId,
    window: { days, from, to, timeZone: s.timeZone, clock: s.clock },
    cycleTime: fin.cycleTime,
    leadTime: fin.leadTime,
    sle: segment ? sleOfSegment(segment.sle) : sleOf(s, fin.cycleTime.p85),
    throughput: { total: fin.finished, perWeek: fin.throughput },
    wipNow: counts.wip,
    flowEfficiency: efficiency === null ? null : Math.min(1, efficiency),
    timeInStatus: statuses,
    timeInStage: FLOW_STAGES.flatMap((stage) => byStage.get(stage) ?? []),
    rework: {
      rate: fin.finished === 0 ? null : fin.finishedWithRework / fin.finished,
      finishedWithRework: fin.finishedWithRework,
      finished: fin.finished,
      events: rework.events,
      eventsTotal: rework.total,
    },
    skippedWorkflow: fin.skipped,
    ageing,
    ageingTotal: counts.wip,
    ageingOverThreshold: bySegment ?? counts.overThreshold,
    ageingBySegment: bySegment !== null,
    cycleScatter: scatter,
    ageingThresholdDays: thresholds.thresholdDays,
    thresholds,
    ...(segment ? { segment } : {}),
    ...(segments ? { segments } : {}),
  };
}

/** A segment's SLE in the report's terms: its own 85th percentile, or the project's (by hand or p85). */
function sleOfSegment(sle: SegmentSummary["sle"]): FlowReport["sle"] {
  if (sle.source === "own") return { days: sle.days, source: "p85" };
  if (sle.source === "project") return { days: sle.days, source: sle.projectSource };
  return { days: null, source: "none" };
}

/** `settings`: the project's metrics settings when the caller has them already (read once per digest). */
type ComputeOptions = { now: Date; settings?: MetricsSettings };

/** The headline numbers (App Home, digest): WIP, last week's throughput, SLE and how many tasks are ageing. */
export async function computeHeadline(sql: Sql, projectId: number, opts: ComputeOptions): Promise<Headline> {
  const s = opts.settings ?? (await loadMetricsSettings(sql, projectId));
  const { from, to } = windowOf(opts.now, s.windowDays);
  const weekAgo = new Date(opts.now.getTime() - 7 * DAY_MS);
  const [p, [week]] = await Promise.all([
    cyclePercentiles(sql, s, from, to),
    sql<{ n: number }[]>`
      select count(*)::int as n from flow_cases
      where project_id = ${projectId}
        and finished_at > ${weekAgo}::timestamptz and finished_at <= ${opts.now}::timestamptz`,
  ]);
  const thresholds = thresholdsOf(s, p);
  const [counts, bySegment] = await Promise.all([
    wipCounts(sql, s, opts.now, thresholds.thresholdDays),
    overThresholdBySegment(sql, s, { from, to }, opts.now),
  ]);
  return {
    wipNow: counts.wip,
    throughputLastWeek: week?.n ?? 0,
    sleDays: thresholds.sleDays,
    // In a segmented project each case is over its own segment's threshold (§8.1).
    ageingCount: bySegment ?? counts.overThreshold,
  };
}

/**
 * The headline from a WIP list the caller has already (the digest's, every WIP task judged by its own
 * segment): the same numbers as computeHeadline without reading the WIP twice.
 */
export async function headlineOfWip(
  sql: Sql,
  projectId: number,
  now: Date,
  wip: AgeingWip,
): Promise<Headline> {
  const weekAgo = new Date(now.getTime() - 7 * DAY_MS);
  const [week] = await sql<{ n: number }[]>`
    select count(*)::int as n from flow_cases
    where project_id = ${projectId}
      and finished_at > ${weekAgo}::timestamptz and finished_at <= ${now}::timestamptz`;
  return {
    wipNow: wip.items.length,
    throughputLastWeek: week?.n ?? 0,
    sleDays: wip.thresholds.sleDays,
    ageingCount: wip.items.filter((i) => i.overThreshold).length,
  };
}

/** Every WIP task, oldest first, with its age, pace and the thresholds (the digest's input). */
export async function ageingWip(sql: Sql, projectId: number, opts: ComputeOptions): Promise<AgeingWip> {
  const s = opts.settings ?? (await loadMetricsSettings(sql, projectId));
  const { from, to } = windowOf(opts.now, s.windowDays);
  const thresholds = thresholdsOf(s, await cyclePercentiles(sql, s, from, to));
  const items = await judgeBySegment(
    sql,
    s,
    { from, to },
    await ageingItems(sql, s, opts.now, thresholds, null),
  );
  return { thresholds, clock: s.clock, timeZone: s.timeZone, items };
}
