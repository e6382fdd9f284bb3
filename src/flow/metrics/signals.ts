import type { Sql } from "postgres";
import { computeHeadline } from "./compute-flow-report.ts";
import { loadSignalSettings, type SignalSettings } from "./signals-settings.ts";
import { type StalledCase, stalledCases } from "./signals-stalled.ts";
import { type StuckCase, stuckCases } from "./signals-stuck.ts";
import type { AgeingItem, Headline } from "./types.ts";
import { loadMetricsSettings, type MetricsSettings, windowOf } from "./window-settings.ts";

/*
 * The ageing signals a WIP case can carry (docs/flow-metrics.md §8): over SLE (§8.1, today's ageing
 * threshold, read from the WIP items), stuck in status (§8.2) and stalled (§8.3), each on or off per
 * project. A case may carry any of them at once.
 */

export type SignalKind = "over_sle" | "stuck" | "stalled";

/** The stuck and stalled WIP cases of a project at an instant, by case id; empty for a signal that is off. */
export type WipSignals = {
  stuck: Map<number, StuckCase>;
  stalled: Map<number, StalledCase>;
};

/**
 * Stuck and stalled cases in two concurrent queries (none for a signal switched off). `from`–`to` is the
 * window whose finished cases give each status its history (the project's window in the digest, the
 * report's in the Flow view).
 */
export async function wipSignals(
  sql: Sql,
  s: MetricsSettings,
  signals: SignalSettings,
  opts: { now: Date; from: Date; to: Date },
): Promise<WipSignals> {
  const [stuck, stalled] = await Promise.all([
    signals.stuckOn ? stuckCases(sql, s, { ...opts, rule: signals.stuckRuleDays ?? "sle" }) : [],
    signals.stalledOn ? stalledCases(sql, s, opts.now, signals.stalledDays) : [],
  ]);
  return {
    stuck: new Map(stuck.map((c) => [c.caseId, c])),
    stalled: new Map(stalled.map((c) => [c.caseId, c])),
  };
}

/** The App Home's numbers: the headline and how many WIP cases carry each signal (null: switched off). */
export type SignalHeadline = Headline & {
  signals: Record<SignalKind, number | null>;
};

export async function computeSignalHeadline(
  sql: Sql,
  projectId: number,
  opts: { now: Date },
): Promise<SignalHeadline> {
  const [settings, signals] = await Promise.all([
    loadMetricsSettings(sql, projectId),
    loadSignalSettings(sql, projectId),
  ]);
  const { from, to } = windowOf(opts.now, settings.windowDays);
  const [headline, found] = await Promise.all([
    computeHeadline(sql, projectId, { now: opts.now, settings }),
    wipSignals(sql, settings, signals, { now: opts.now, from, to }),
  ]);
  return {
    ...headline,
    signals: {
      over_sle: signals.overSleOn ? headline.ageingCount : null,
      stuck: signals.stuckOn ? found.stuck.size : null,
      stalled: signals.stalledOn ? found.stalled.size : null,
    },
  };
}

/** Which signals each case carries (a case with none is left out). */
function signalsByCase(overSle: Iterable<number>, found: WipSignals): Map<number, SignalKind[]> {
  const byCase = new Map<number, SignalKind[]>();
  const add = (caseId: number, kind: SignalKind) => byCase.set(caseId, [...(byCase.get(caseId) ?? []), kind]);
  for (const id of overSle) add(id, "over_sle");
  for (const id of found.stuck.keys()) add(id, "stuck");
  for (const id of found.stalled.keys()) add(id, "stalled");
  return byCase;
}

/** A project's stuck and stalled cases over a window, with whether over SLE is on (for the Flow view). */
export type ProjectSignals = { overSleOn: boolean; found: WipSignals };

export async function projectSignals(
  sql: Sql,
  projectId: number,
  opts: { now: Date; from: Date; to: Date },
): Promise<ProjectSignals> {
  const [settings, signals] = await Promise.all([
    loadMetricsSettings(sql, projectId),
    loadSignalSettings(sql, projectId),
  ]);
  return { overSleOn: signals.overSleOn, found: await wipSignals(sql, settings, signals, opts) };
}

/**
 * The signals each WIP task carries, for the Flow view's ageing chart: over SLE as the view's ageing list
 * says it (`overThreshold`, the case's own threshold), stuck and stalled as found. A task with none is
 * left out.
 */
export function signalsOfWip(wip: readonly AgeingItem[], p: ProjectSignals): Map<number, SignalKind[]> {
  const overSle = p.overSleOn ? wip.filter((i) => i.overThreshold).map((i) => i.caseId) : [];
  return signalsByCase(overSle, p.found);
}
