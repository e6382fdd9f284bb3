import { formatDays } from "../format-days.ts";
import type { AgeingThresholds } from "../metrics/types.ts";

/**
 * One rung of the ageing ladder. A task alerts when it climbs onto a rung it has not been alerted for:
 * past the 70th percentile it is "at risk"; past the ageing threshold (the SLE = 85th percentile by
 * default, or the configured percentile or fixed days) it is "ageing", and again past the 95th
 * percentile and past twice the SLE.
 */
export type AlertLevel = {
  /** Stored in alert_log.threshold: "p70", "p85", "p95", "2xsle", or "fixed:10d". */
  key: string;
  /** Age in days the task must exceed. */
  days: number;
  kind: "at_risk" | "ageing";
  /** For people: "the 95th percentile (12.5 d)". */
  label: string;
};

const days = (n: number) => formatDays(n, { precision: "tenth" });

/** The ladder for a project's current thresholds, lowest first; rungs that would not be higher are dropped. */
export function alertLadder(t: AgeingThresholds): AlertLevel[] {
  if (t.thresholdDays === null) {
    return t.p70 === null
      ? []
      : [{ key: "p70", days: t.p70, kind: "at_risk", label: `the 70th percentile (${days(t.p70)})` }];
  }
  const threshold = t.thresholdDays;
  const candidates: Omit<AlertLevel, "kind">[] = [];
  if (t.p70 !== null)
    candidates.push({ key: "p70", days: t.p70, label: `the 70th percentile (${days(t.p70)})` });
  const thresholdRung =
    t.thresholdSource === "fixed"
      ? { key: `fixed:${threshold}d`, days: threshold, label: `the ageing threshold (${days(threshold)})` }
      : {
          key: `p${t.percentile ?? 85}`,
          days: threshold,
          label: `the ${t.percentile ?? 85}th percentile${(t.percentile ?? 85) === 85 ? ", the SLE" : ""} (${days(threshold)})`,
        };
  candidates.push(thresholdRung);
  if (t.p95 !== null)
    candidates.push({ key: "p95", days: t.p95, label: `the 95th percentile (${days(t.p95)})` });
  if (t.sleDays !== null) {
    candidates.push({ key: "2xsle", days: 2 * t.sleDays, label: `twice the SLE (${days(2 * t.sleDays)})` });
  }
  const seen = new Set<string>();
  const ladder: AlertLevel[] = [];
  // On a tie the threshold's rung comes first and the other is dropped: a 70th percentile equal to the
  // SLE makes a task past it ageing, and it is told so ("past the SLE"), not "past the 70th percentile".
  const tieFirst = (c: Omit<AlertLevel, "kind">) => (c === thresholdRung ? 0 : 1);
  for (const c of candidates.sort((a, b) => a.days - b.days || tieFirst(a) - tieFirst(b))) {
    if (seen.has(c.key)) continue;
    seen.add(c.key);
    if (ladder.length > 0 && c.days <= ladder.at(-1)!.days) continue;
    ladder.push({ ...c, kind: c.days >= threshold ? "ageing" : "at_risk" });
  }
  return ladder;
}

/** The highest rung an age has passed, if any. */
export function levelOf(
  ladder: readonly AlertLevel[],
  ageDays: number,
): { level: AlertLevel; rank: number } | undefined {
  for (let rank = ladder.length - 1; rank >= 0; rank--) {
    if (ageDays > ladder[rank]!.days) return { level: ladder[rank]!, rank };
  }
  return undefined;
}

/**
 * Whether a task at `rank` alerts, given the rungs it was already alerted for: only when it is above
 * every rung alerted before (rungs no longer on the ladder, e.g. after a settings change, are ignored).
 */
export function shouldAlert(
  ladder: readonly AlertLevel[],
  rank: number,
  alertedKeys: Iterable<string>,
): boolean {
  let highest = -1;
  for (const key of alertedKeys) {
    highest = Math.max(
      highest,
      ladder.findIndex((l) => l.key === key),
    );
  }
  return rank > highest;
}
