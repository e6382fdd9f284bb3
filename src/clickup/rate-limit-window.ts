import type { RateLimitHeaders } from "./read-rate-limit-headers.ts";

/**
 * One token's rate-limit state and the window arithmetic shared by plan-dispatch.ts (may a request go
 * now?) and record-answer.ts (what does an answer teach?). All are pure: state in, decision and new
 * state out, the time passed in. ClickUp counts each token's requests in fixed windows (docs/clickup.md §7) and
 * reports the window's end only in whole seconds, so waiting for that reset wastes up to a second per
 * window. The limiter therefore also learns the real window length from when the server starts new
 * windows, spreads the remaining budget evenly until the estimated end, and falls back to the reported
 * reset only after a 429 proves the estimate wrong. Windows shorter than a second are not supported:
 * two of them can report the same reset second and look like one (ClickUp's are a minute).
 *
 * Times are local milliseconds since the epoch unless named otherwise.
 */

export interface PacingWindow {
  /** Server reset in local ms, or null while we assume a fresh window nobody has confirmed yet. */
  reset: number | null;
  /** Our guess of the end while `reset` is unknown. */
  provisionalEnd: number;
  /** Dispatch time of the earliest request the server counted in this window. */
  start: number | null;
  /** Server's remaining as of the freshest response in this window. */
  remaining: number;
  /** Requests that may still go back to back in this window (set once the server confirms it). */
  burst: number;
}

export interface PacingState {
  /** Requests per window: ClickUp's X-RateLimit-Limit once it has said. */
  limit: number;
  /**
   * Until ClickUp has answered with its rate-limit headers, a few requests at a time instead of pacing
   * a guess: every ClickUp plan allows at least 100 a minute, so these few cannot overrun a fresh budget.
   */
  heardFromServer: boolean;
  /** Granted and not yet answered: the server may already have counted them. */
  inFlight: number;
  lastDispatch: number;
  window: PacingWindow | null;
  /** Shortest time seen between two window starts; null until seen, or once it proved too short. */
  learnedPeriodMs: number | null;
  /** The documented window length, trusted until the server shows the window is longer. */
  documentedPeriodMs: number | null;
  /** How far the server's clock lags ours, learned from 429s; reset headers are read in server time. */
  skewMs: number;
  /** Added to the margin after a 429 showed the estimated window end too early. */
  extraMarginMs: number;
  /** Answers whose reset is at or before this belong to a window we already left. */
  staleUpTo: number;
  /** Start of the window before the current one. */
  previousStart: number | null;
  /** When we last judged a window over by our own estimate and started counting a new one. */
  rolledAt: number;
}

export interface PacingConfig {
  /** Window length assumed before anything is known, ms. */
  initialWindowMs: number;
  /** Wait past the estimated window end, ms, before the margin grows with the window and with 429s. */
  baseMarginMs: number;
}

export interface PacingOptions {
  /** Assumed until the first answer says otherwise. Default 100, the smallest ClickUp plan's. */
  initialLimit?: number;
  /** Default 60 s. */
  initialWindowMs?: number;
  /**
   * The window length the server is known to use (ClickUp's: a minute). It caps each window's end (as
   * does a shorter length learned from back-to-back windows): X-RateLimit-Reset is in whole seconds and
   * may lie up to a second past the real end, which over a short window would spread its budget far too
   * thin. A 429, or an answer counted in a window we had judged over, proves it too short and drops it.
   * Default 60 s.
   */
  windowMs?: number;
  /** Extra wait past the estimated window end, to absorb clock skew and latency jitter. Default 50 ms. */
  safetyMarginMs?: number;
}

/** An answer as the limiter sees it: its status and its rate-limit headers, if it had usable ones. */
export interface PacingAnswer {
  status: number;
  headers: RateLimitHeaders | null;
}

export const MIN_PERIOD_MS = 100;
export const MAX_MARGIN_MS = 5_000;

export function pacingConfig(options: PacingOptions): PacingConfig {
  return { initialWindowMs: options.initialWindowMs ?? 60_000, baseMarginMs: options.safetyMarginMs ?? 50 };
}

export function initialPacing(options: PacingOptions): PacingState {
  return {
    limit: options.initialLimit ?? 100,
    heardFromServer: false,
    inFlight: 0,
    lastDispatch: Number.NEGATIVE_INFINITY,
    window: null,
    learnedPeriodMs: null,
    documentedPeriodMs: options.windowMs ?? 60_000,
    skewMs: 0,
    extraMarginMs: 0,
    staleUpTo: Number.NEGATIVE_INFINITY,
    previousStart: null,
    rolledAt: Number.NEGATIVE_INFINITY,
  };
}

/** Local ms at which the current window ends per the server; null before it has said. */
export function reportedResetAt(state: PacingState): number | null {
  return state.window?.reset == null ? null : state.window.reset + state.skewMs;
}

/** The budget as ClickUp last reported it (what `/flow status` shows). */
export function budgetOf(state: PacingState): { limit: number; remaining: number; resetAt: Date | null } {
  const { window, limit } = state;
  return {
    limit,
    remaining: Math.max(0, window?.remaining ?? limit),
    resetAt: window?.reset != null ? new Date(window.reset) : null,
  };
}

/**
 * The window length to pace to: the shortest of the learned and the documented one. A learned sample
 * must not override a shorter documented length.
 */
export function knownPeriod(state: PacingState): number | null {
  const { learnedPeriodMs: learned, documentedPeriodMs: documented } = state;
  if (learned === null) return documented;
  if (documented === null) return learned;
  return Math.min(learned, documented);
}

/** The length of a window opened now: learned, else told by the current window's reset, else assumed. */
export function windowLength(state: PacingState, config: PacingConfig): number {
  const { learnedPeriodMs: learned, window } = state;
  if (learned !== null) return Math.min(learned, state.documentedPeriodMs ?? learned);
  if (window?.reset != null && window.start !== null)
    return Math.max(MIN_PERIOD_MS, window.reset + state.skewMs - window.start);
  return config.initialWindowMs;
}

export function margin(state: PacingState, config: PacingConfig): number {
  return Math.min(
    MAX_MARGIN_MS,
    config.baseMarginMs + state.extraMarginMs + windowLength(state, config) * 0.01,
  );
}

export function estimatedEnd(state: PacingState, window: PacingWindow): number {
  const reported = window.reset === null ? window.provisionalEnd : window.reset + state.skewMs;
  const period = knownPeriod(state);
  return period !== null && window.start !== null ? Math.min(reported, window.start + period) : reported;
}

export function freshWindow(state: PacingState, config: PacingConfig, now: number): PacingWindow {
  return {
    reset: null,
    provisionalEnd: now + windowLength(state, config),
    start: null,
    remaining: state.limit,
    burst: 0,
  };
}
