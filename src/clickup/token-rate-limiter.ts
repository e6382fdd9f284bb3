import type { Clock } from "./clock.ts";

/** What `/flow status` shows: the token's budget as ClickUp last reported it. */
export interface RateLimitSnapshot {
  limit: number;
  remaining: number;
  /** End of the current window per X-RateLimit-Reset; null before the first response. */
  resetAt: Date | null;
}

export interface TokenRateLimiterOptions {
  clock: Clock;
  /** Assumed until the first response says otherwise: the smallest ClickUp plan, 100 per minute. */
  initialLimit?: number;
  initialWindowMs?: number;
  /**
   * The window length the server is known to use (ClickUp's: a minute). It caps each window's end (as
   * does a shorter length learned from back-to-back windows): X-RateLimit-Reset is in whole seconds and
   * may lie up to a second past the real end, which over a short window would spread its budget far too
   * thin. A 429, or an answer counted in a window we had judged over, proves it too short and drops it.
   * Default 60 s.
   */
  windowMs?: number;
  /** Extra wait past the estimated window end, to absorb clock skew and latency jitter. */
  safetyMarginMs?: number;
}

/** A granted slot. Call `settle` exactly once with the response (or null after a network error). */
export interface Permit {
  readonly dispatchedAt: number;
  settle(response: { status: number; headers: Headers } | null): void;
}

interface Window {
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

interface Waiter {
  resolve(permit: Permit): void;
  reject(reason: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

const MIN_PERIOD_MS = 100;
/** Requests in flight before the first answer has told the limit. */
const UNHEARD_IN_FLIGHT = 4;
const MAX_MARGIN_MS = 5_000;
const MAX_SKEW_MS = 30_000;

/**
 * Paces one token's requests across every caller in the process. ClickUp counts per token in fixed
 * windows and reports the end only in whole seconds, so waiting for that reset wastes up to a second per
 * window. We therefore also learn the real window length from when the server starts new windows, spread
 * the remaining budget evenly until the estimated end, and only fall back to the reported reset after a
 * 429 proves the estimate wrong. Windows shorter than a second are not supported: two of them can
 * report the same reset second and look like one (ClickUp's are a minute).
 */
export function createTokenRateLimiter(options: TokenRateLimiterOptions) {
  const { clock } = options;
  const initialWindowMs = options.initialWindowMs ?? 60_000;
  const baseMarginMs = options.safetyMarginMs ?? 50;
  let limit = options.initialLimit ?? 100;
  let extraMarginMs = 0;
  let periodMs: number | null = null;
  /** Documented window length, trusted until the server shows the window is longer. */
  let priorPeriodMs: number | null = options.windowMs ?? 60_000;
  /** How far the server's clock lags ours, learned from 429s; reset headers are read in server time. */
  let skewMs = 0;
  let inFlight = 0;
  /**
   * Until ClickUp has answered with its rate-limit headers, a few requests at a time instead of pacing
   * a guess: every ClickUp plan allows at least 100 a minute, so these few cannot overrun a fresh budget.
   */
  let heardFromServer = false;
  let lastDispatch = Number.NEGATIVE_INFINITY;
  /** Responses whose reset is at or before this belong to a window we already left. */
  let staleUpTo = Number.NEGATIVE_INFINITY;
  let previousStart: number | null = null;
  /** When we last judged a window over by our own estimate and started counting a new one. */
  let rolledAt = Number.NEGATIVE_INFINITY;
  let win: Window | null = null;
  const queue: Waiter[] = [];
  let timer: AbortController | null = null;
  let timerAt = Number.POSITIVE_INFINITY;

  /**
   * The window length to pace to: the shortest of the learned and the documented one. A learned sample
   * (the time between two window starts) only bounds the length from above: after an idle spell it is
   * the whole gap, so it must not override a shorter documented length.
   */
  const knownPeriod = (): number | null =>
    periodMs === null ? priorPeriodMs : priorPeriodMs === null ? periodMs : Math.min(periodMs, priorPeriodMs);

  const windowLength = () => {
    if (periodMs !== null) return Math.min(periodMs, priorPeriodMs ?? periodMs);
    if (win?.reset != null && win.start !== null)
      return Math.max(MIN_PERIOD_MS, win.reset + skewMs - win.start);
    return initialWindowMs;
  };
  /** A tenth of the budget: 10 of ClickUp's 100 a minute. */
  const burstSize = () => Math.max(1, Math.floor(limit / 10));
  const margin = () => Math.min(MAX_MARGIN_MS, baseMarginMs + extraMarginMs + windowLength() * 0.01);

  function estimatedEnd(w: Window): number {
    const reported = w.reset === null ? w.provisionalEnd : w.reset + skewMs;
    const period = knownPeriod();
    return period !== null && w.start !== null ? Math.min(reported, w.start + period) : reported;
  }

  function freshWindow(now: number): Window {
    return { reset: null, provisionalEnd: now + windowLength(), start: null, remaining: limit, burst: 0 };
  }

  /** 0 when a request may go now, else how long to wait before asking again. */
  function delayFor(now: number): number {
    // The first answer tells the real limit and window; pacing to an assumed 100/min before it
    // would slow every fresh token (and every admin's first click) for nothing.
    if (!heardFromServer) return inFlight >= UNHEARD_IN_FLIGHT ? 1000 : 0;
    if (!win) win = freshWindow(now);
    let end = estimatedEnd(win);
    if (now >= end + margin()) {
      // The window is over by our estimate: start counting a new one until a response confirms it.
      if (win.reset !== null) staleUpTo = Math.max(staleUpTo, win.reset);
      previousStart = win.start ?? previousStart;
      rolledAt = now;
      win = freshWindow(now);
      end = estimatedEnd(win);
      // The first request of a window may go at once; pacing restarts from it.
      lastDispatch = Number.NEGATIVE_INFINITY;
    }
    // In-flight requests may already be counted by the server, so they come off the budget.
    const available = win.remaining - inFlight;
    const timeLeft = end - now;
    if (available <= 0) return Math.max(1, end + margin() - now);
    // The first few requests of a window the server has confirmed go back to back: a caller that
    // needs only part of the budget (the end of a backfill, an admin's few clicks) is not spread
    // over the whole window, and the server's remaining count still bounds them.
    if (win.burst > 0) return 0;
    if (timeLeft <= 0) {
      // Past the estimated end with budget left: the next request fits whichever window the server
      // counts it in (the old one has room, a new one is fresh), so it need not wait out the margin.
      // Keep the pace of the limit itself until a response tells which window it landed in.
      const nextAt = lastDispatch + (knownPeriod() ?? windowLength()) / Math.max(1, limit);
      return nextAt <= now ? 0 : Math.ceil(nextAt - now);
    }
    // available + 1 gaps, so the last slot lands inside the window rather than on its edge.
    const nextAt = lastDispatch + timeLeft / (available + 1);
    return nextAt <= now ? 0 : Math.ceil(nextAt - now);
  }

  function settle(dispatchedAt: number, response: { status: number; headers: Headers } | null) {
    inFlight -= 1;
    const h = response?.headers;
    const reportedLimit = Number(h?.get("x-ratelimit-limit"));
    const remaining = Number(h?.get("x-ratelimit-remaining"));
    const resetSec = Number(h?.get("x-ratelimit-reset"));
    if (
      !response ||
      !h?.has("x-ratelimit-reset") ||
      !Number.isFinite(resetSec) ||
      !Number.isFinite(remaining)
    ) {
      pump();
      return;
    }
    if (Number.isFinite(reportedLimit) && reportedLimit > 0) limit = reportedLimit;
    heardFromServer = true;
    const reset = resetSec * 1000;
    const w = win ?? freshWindow(dispatchedAt);
    win = w;

    if (response.status === 429) {
      if (dispatchedAt >= reset + skewMs) {
        // Sent after the reported reset by our clock and still refused: the server's clock is behind.
        // Doubling finds a large lag in a few refusals instead of creeping up on it.
        skewMs = Math.min(MAX_SKEW_MS, Math.max(dispatchedAt - reset + baseMarginMs, skewMs * 2));
      } else {
        // The learned window length let a request through too early: trust the server's reset instead.
        periodMs = null;
        priorPeriodMs = null;
        extraMarginMs = Math.min(MAX_MARGIN_MS, Math.max(100, extraMarginMs * 2));
      }
      staleUpTo = Math.max(staleUpTo, (w.reset ?? reset) - 1);
      win = {
        reset: Math.max(reset, w.reset ?? reset),
        provisionalEnd: reset,
        start: w.start ?? dispatchedAt,
        remaining: 0,
        burst: 0,
      };
    } else if (reset <= staleUpTo || (w.reset !== null && reset < w.reset)) {
      // A late answer from a window we already left: nothing to learn about the current one. Unless it
      // was sent after we judged that window over: the server still counted it there, so the window is
      // longer than the length we paced to, and the server's reset decides from now on.
      if (dispatchedAt >= rolledAt) {
        periodMs = null;
        priorPeriodMs = null;
      }
    } else if (w.reset === null || reset > w.reset) {
      // First answer in a new server window; its dispatch time is the best guess of when it began.
      const before = w.reset === null ? previousStart : w.start;
      if (before !== null) learnPeriod(dispatchedAt - before);
      if (w.reset !== null) {
        staleUpTo = Math.max(staleUpTo, w.reset);
        previousStart = w.start;
      }
      win = { reset, provisionalEnd: reset, start: dispatchedAt, remaining, burst: burstSize() };
    } else {
      w.remaining = Math.min(w.remaining, remaining);
      w.start = w.start === null ? dispatchedAt : Math.min(w.start, dispatchedAt);
    }
    pump();
  }

  function learnPeriod(sample: number) {
    if (sample < MIN_PERIOD_MS) return;
    periodMs = periodMs === null ? sample : Math.min(periodMs, sample);
  }

  function grant(): Permit {
    const dispatchedAt = clock.now();
    inFlight += 1;
    lastDispatch = dispatchedAt;
    if (win && win.burst > 0) win.burst -= 1;
    let settled = false;
    return {
      dispatchedAt,
      settle(response) {
        if (settled) return;
        settled = true;
        settle(dispatchedAt, response);
      },
    };
  }

  function pump() {
    while (queue.length > 0) {
      const now = clock.now();
      const wait = delayFor(now);
      if (wait > 0) {
        schedule(now + wait);
        return;
      }
      const waiter = queue.shift()!;
      waiter.signal?.removeEventListener("abort", waiter.onAbort);
      waiter.resolve(grant());
    }
  }

  function schedule(at: number) {
    if (timer && timerAt <= at) return;
    timer?.abort();
    const ac = new AbortController();
    timer = ac;
    timerAt = at;
    clock.sleep(at - clock.now(), ac.signal).then(
      () => {
        if (timer !== ac) return;
        timer = null;
        timerAt = Number.POSITIVE_INFINITY;
        pump();
      },
      () => {},
    );
  }

  return {
    /** Waits (FIFO) for a slot in the token's budget. Rejects with `signal.reason` on abort. */
    acquire(signal?: AbortSignal): Promise<Permit> {
      if (signal?.aborted) return Promise.reject(signal.reason);
      return new Promise<Permit>((resolve, reject) => {
        const waiter: Waiter = {
          resolve,
          reject,
          signal,
          onAbort: () => {
            const i = queue.indexOf(waiter);
            if (i >= 0) queue.splice(i, 1);
            reject(signal?.reason);
            if (queue.length === 0) {
              timer?.abort();
              timer = null;
              timerAt = Number.POSITIVE_INFINITY;
            }
          },
        };
        signal?.addEventListener("abort", waiter.onAbort, { once: true });
        queue.push(waiter);
        pump();
      });
    },
    snapshot(): RateLimitSnapshot {
      return {
        limit,
        remaining: Math.max(0, win?.remaining ?? limit),
        resetAt: win?.reset != null ? new Date(win.reset) : null,
      };
    },
    /** Local ms at which the current window ends per the server, for deciding whether a 429 wait is too long. */
    reportedResetAt(): number | null {
      return win?.reset == null ? null : win.reset + skewMs;
    },
  };
}

export type TokenRateLimiter = ReturnType<typeof createTokenRateLimiter>;
