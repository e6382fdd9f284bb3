import type { Segmenter } from "../segments/segmenter.ts";
import type { FlowStage } from "../stage-mapping.ts";
import type { SegmentBreakdown, SegmentThreshold } from "./segments.ts";
import type { SegmentScope } from "./segments-scope.ts";

/**
 * The Flow view's numbers for one project (docs/flow-metrics.md §4). Durations are in days (fractional, not
 * rounded); instants are Date objects. "estimated" marks values that rest on ClickUp's per-status totals
 * (status_timings) rather than an exact status timeline.
 */

/** Which clock day counts use: elapsed calendar time (default) or working days (Mon–Fri) in the project's zone. */
export type FlowClock = "calendar" | "working";

/** Where a work item stands against the cycle-time percentiles of the window. */
export type Pace = "≤p50" | "p50–p70" | "p70–p85" | "p85–p95" | ">p95";

interface FlowWindow {
  /** Length of the window in days (default: the project's window_days, 90). */
  days: number;
  /** Start (inclusive) and end (= now) of the window. */
  from: Date;
  to: Date;
  /** The project's IANA time zone, used for day counting and week starts. */
  timeZone: string;
  clock: FlowClock;
}

export interface Percentiles {
  /** Number of values the percentiles are taken from. */
  n: number;
  /** Nearest-rank percentiles in days; null when n = 0. */
  p50: number | null;
  p70: number | null;
  p85: number | null;
  p95: number | null;
  /** How many of the n values rest on time-in-status estimates. */
  estimated: number;
}

/** Cycle time also in ActionableAgile's calendar-days convention: date(finished) − date(started) + 1. */
export interface CycleTimePercentiles extends Percentiles {
  calendarDays: { p50: number | null; p70: number | null; p85: number | null; p95: number | null };
}

interface Sle {
  /** "85% of tasks finish within N days"; null when there is no finished task and none was set by hand. */
  days: number | null;
  source: "p85" | "manual" | "none";
}

export interface ThroughputWeek {
  /** Monday 00:00 of the week in the project's time zone. */
  weekStart: Date;
  count: number;
}

export interface TimeInStatus {
  status: string;
  stage: FlowStage;
  /** Total days spent in this status by the tasks finished in the window. */
  days: number;
  /** True when some of this time comes from time-in-status estimates. */
  estimated: boolean;
}

export interface TimeInStage {
  stage: FlowStage;
  days: number;
  estimated: boolean;
}

export interface ReworkEventItem {
  caseId: number;
  taskName: string;
  url: string;
  kind: "flow_back" | "reopen";
  from: string;
  to: string;
  at: Date;
  actorName: string | null;
}

interface Rework {
  /** finishedWithRework ÷ finished, or null when nothing finished in the window. */
  rate: number | null;
  finishedWithRework: number;
  finished: number;
  /** Rework events in the window, newest first (capped; see eventsTotal). */
  events: ReworkEventItem[];
  eventsTotal: number;
}

export interface Assignee {
  id: number;
  username: string | null;
  email: string | null;
}

export interface AgeingItem {
  caseId: number;
  taskId: string;
  name: string;
  url: string;
  status: string;
  stage: FlowStage;
  /** When the task entered its current status. */
  statusSince: Date;
  daysInStatus: number;
  /** now − started, in the report's clock. */
  ageDays: number;
  startedAt: Date;
  assignees: Assignee[];
  pace: Pace | null;
  /** Age exceeds the ageing threshold (SLE by default, or the configured percentile / fixed days). */
  overThreshold: boolean;
  /** Age exceeds the 70th percentile but not the threshold. */
  atRisk: boolean;
  estimated: boolean;
  /** With a segment dimension: the case's segment value and the thresholds it is judged by (§8.1). */
  segment?: string;
  thresholds?: AgeingThresholds;
  /** With a segment: whether those thresholds are the segment's own (a full sample) or the project's (§7). */
  segmentOwnSample?: boolean;
}

export interface CycleScatterPoint {
  caseId: number;
  name: string;
  url: string;
  finishedAt: Date;
  cycleDays: number;
  estimated: boolean;
}

export interface FlowReport {
  projectId: number;
  window: FlowWindow;
  cycleTime: CycleTimePercentiles;
  leadTime: Percentiles;
  sle: Sle;
  throughput: { total: number; perWeek: ThroughputWeek[] };
  wipNow: number;
  /** Active time ÷ cycle time over tasks finished in the window; null when there is none. */
  flowEfficiency: number | null;
  timeInStatus: TimeInStatus[];
  timeInStage: TimeInStage[];
  rework: Rework;
  /** Tasks finished in the window that went from not started straight to done (no cycle time). */
  skippedWorkflow: number;
  /** WIP tasks, oldest first (capped; see ageingTotal). */
  ageing: AgeingItem[];
  ageingTotal: number;
  /** WIP tasks older than the ageing threshold (their own segment's in a segmented project, §8.1). */
  ageingOverThreshold: number;
  /** True when each WIP task was measured against its own segment's threshold (a segment dimension is set). */
  ageingBySegment: boolean;
  cycleScatter: CycleScatterPoint[];
  /** The threshold an ageing task is measured against, in days; null when unknown (no history, no fixed days). */
  ageingThresholdDays: number | null;
  /** The cycle-time percentiles and configured threshold the ageing list is measured against. */
  thresholds: AgeingThresholds;
  /** Set when the report covers one segment only (docs/flow-metrics.md §7): which, and its SLE rule. */
  segment?: SegmentSummary;
  /** Set when asked for (the project has a segment dimension): the per-segment section (§7). */
  segments?: SegmentBreakdown;
}

/** The segment a filtered report covers: every number of the report counts its cases only. */
export interface SegmentSummary extends SegmentThreshold {
  /** The dimension's name, e.g. "task type". */
  title: string;
  value: string;
  note: string | null;
}

export interface Headline {
  wipNow: number;
  /** Tasks finished in the 7 days before now. */
  throughputLastWeek: number;
  sleDays: number | null;
  /** WIP tasks over the ageing threshold. */
  ageingCount: number;
}

export interface AgeingThresholds {
  p50: number | null;
  p70: number | null;
  p85: number | null;
  p95: number | null;
  /** The configured ageing threshold in days (percentile or fixed days); null when unknown. */
  thresholdDays: number | null;
  thresholdSource: "percentile" | "fixed" | "none";
  /** The configured percentile (50/70/85/95), when the threshold is a percentile. */
  percentile: number | null;
  sleDays: number | null;
}

export interface AgeingWip {
  thresholds: AgeingThresholds;
  clock: FlowClock;
  timeZone: string;
  /** Every WIP task, oldest first. */
  items: AgeingItem[];
}

export interface MetricsOptions {
  now: Date;
  windowDays?: number;
  /** Report on this segment's cases only (docs/flow-metrics.md §7). */
  scope?: SegmentScope;
  /** Add the per-segment section of this dimension (§7). */
  breakdown?: Segmenter;
}
