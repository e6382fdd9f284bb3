import type { FlowStage } from "../stage-mapping.ts";

/*
 * Blocked time by rule (docs/flow-metrics.md §9.3, §9.4), pure: from a case's timeline as stage spans and its
 * blocked intervals. A case is blocked at an instant when it is in a blocked-stage status, or in an active
 * status while any interval holds; overlapping and touching intervals count once; in not_started or done
 * it is never blocked. Instants are epoch milliseconds.
 */

/** One visit of the timeline: the status entered at `from`, left at `to` (null: still in it). */
export interface StageSpan {
  from: number;
  to: number | null;
  status: string;
  stage: FlowStage;
}

/** A blocked interval [start, end) with its reason; `end` null while it holds. */
export interface RuleInterval {
  start: number;
  end: number | null;
  reason: string;
}

type Piece = [number, number];

/** The union of pieces, sorted, with overlapping and touching ones merged. */
function merge(pieces: Piece[]): Piece[] {
  const sorted = pieces.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  const out: Piece[] = [];
  for (const [a, b] of sorted) {
    const last = out.at(-1);
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** The pieces of [from, to) during which the case is blocked, merged. */
function blockedPieces(
  spans: readonly StageSpan[],
  intervals: readonly RuleInterval[],
  from: number,
  to: number,
): Piece[] {
  const rules = merge(intervals.map((i) => [i.start, i.end ?? to]));
  const pieces: Piece[] = [];
  for (const s of spans) {
    const a = Math.max(s.from, from);
    const b = Math.min(s.to ?? to, to);
    if (b <= a) continue;
    if (s.stage === "blocked") pieces.push([a, b]);
    else if (s.stage === "active") {
      for (const [ra, rb] of rules) pieces.push([Math.max(a, ra), Math.min(b, rb)]);
    }
  }
  return merge(pieces);
}

/** Blocked and active milliseconds of the cycle [started, end) (end = finished, or now for WIP). */
export function blockedAndActive(
  spans: readonly StageSpan[],
  intervals: readonly RuleInterval[],
  started: number,
  end: number,
): { blockedMs: number; activeMs: number } {
  const blockedMs = blockedPieces(spans, intervals, started, end).reduce((n, [a, b]) => n + b - a, 0);
  let activeTotal = 0;
  for (const s of spans) {
    if (s.stage !== "active") continue;
    activeTotal += Math.max(0, Math.min(s.to ?? end, end) - Math.max(s.from, started));
  }
  const blockedInBlockedStage = spans
    .filter((s) => s.stage === "blocked")
    .reduce((n, s) => n + Math.max(0, Math.min(s.to ?? end, end) - Math.max(s.from, started)), 0);
  return { blockedMs, activeMs: activeTotal - (blockedMs - blockedInBlockedStage) };
}

/**
 * The current blocked run at `now` (§9.4): the start of the uninterrupted blocked time that reaches now, and
 * the reasons holding now in the order they began (the status as "status <name>"), or null when not blocked.
 */
export function currentBlockedRun(
  spans: readonly StageSpan[],
  intervals: readonly RuleInterval[],
  started: number,
  now: number,
): { since: number; reasons: string[] } | null {
  const run = blockedPieces(spans, intervals, started, now).find(([, b]) => b >= now);
  const current = spans.find((s) => s.from <= now && (s.to === null || s.to > now));
  if (!run || !current || run[0] >= now) return null;
  const holding: { at: number; reason: string }[] = intervals
    .filter((i) => i.start <= now && (i.end === null || i.end > now))
    .map((i) => ({ at: i.start, reason: i.reason }));
  if (current.stage === "blocked") holding.push({ at: current.from, reason: `status ${current.status}` });
  else if (current.stage !== "active") return null;
  return { since: run[0], reasons: holding.sort((x, y) => x.at - y.at).map((h) => h.reason) };
}
