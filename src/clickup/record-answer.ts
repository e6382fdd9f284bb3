import {
  freshWindow,
  MAX_MARGIN_MS,
  MIN_PERIOD_MS,
  type PacingAnswer,
  type PacingConfig,
  type PacingState,
  type PacingWindow,
} from "./rate-limit-window.ts";

const MAX_SKEW_MS = 30_000;

/**
 * The state after the answer to a request granted at `dispatchedAt`; `answer` null after a network
 * error or timeout. An answer without usable headers only frees its slot.
 */
export function recordAnswer(
  state: PacingState,
  config: PacingConfig,
  dispatchedAt: number,
  answer: PacingAnswer | null,
): PacingState {
  const answered = { ...state, inFlight: state.inFlight - 1 };
  const headers = answer?.headers;
  if (!answer || !headers) return answered;
  const limit = headers.limit ?? answered.limit;
  const heard = { ...answered, limit, heardFromServer: true };
  const known: PacingState = { ...heard, window: heard.window ?? freshWindow(heard, config, dispatchedAt) };
  const window = known.window!;
  const reset = headers.resetMs;
  if (answer.status === 429) return afterRefusal(known, config, window, dispatchedAt, reset);
  if (reset <= known.staleUpTo || (window.reset !== null && reset < window.reset))
    return afterLateAnswer(known, dispatchedAt);
  if (window.reset === null || reset > window.reset)
    return afterNewWindow(known, window, dispatchedAt, reset, headers.remaining);
  return {
    ...known,
    window: {
      ...window,
      remaining: Math.min(window.remaining, headers.remaining),
      start: window.start === null ? dispatchedAt : Math.min(window.start, dispatchedAt),
    },
  };
}

/** A 429: the window is spent until the reset it reported, and the estimate that let it through was wrong. */
function afterRefusal(
  state: PacingState,
  config: PacingConfig,
  window: PacingWindow,
  dispatchedAt: number,
  reset: number,
): PacingState {
  // Sent after the reported reset by our clock and still refused: the server's clock is behind.
  // Doubling finds a large lag in a few refusals instead of creeping up on it. Otherwise the learned
  // window length let a request through too early: trust the server's reset instead.
  const learned =
    dispatchedAt >= reset + state.skewMs
      ? {
          skewMs: Math.min(
            MAX_SKEW_MS,
            Math.max(dispatchedAt - reset + config.baseMarginMs, state.skewMs * 2),
          ),
        }
      : {
          learnedPeriodMs: null,
          documentedPeriodMs: null,
          extraMarginMs: Math.min(MAX_MARGIN_MS, Math.max(100, state.extraMarginMs * 2)),
        };
  return {
    ...state,
    ...learned,
    staleUpTo: Math.max(state.staleUpTo, (window.reset ?? reset) - 1),
    window: {
      reset: Math.max(reset, window.reset ?? reset),
      provisionalEnd: reset,
      start: window.start ?? dispatchedAt,
      remaining: 0,
      burst: 0,
    },
  };
}

/**
 * A late answer from a window we already left: nothing to learn about the current one. Unless it was
 * sent after we judged that window over: the server still counted it there, so the window is longer
 * than the length we paced to, and the server's reset decides from now on.
 */
function afterLateAnswer(state: PacingState, dispatchedAt: number): PacingState {
  if (dispatchedAt < state.rolledAt) return state;
  return { ...state, learnedPeriodMs: null, documentedPeriodMs: null };
}

/** The first answer in a new server window; its dispatch time is the best guess of when it began. */
function afterNewWindow(
  state: PacingState,
  window: PacingWindow,
  dispatchedAt: number,
  reset: number,
  remaining: number,
): PacingState {
  const before = window.reset === null ? state.previousStart : window.start;
  const learnedPeriodMs = before === null ? state.learnedPeriodMs : learnPeriod(state, dispatchedAt - before);
  const left =
    window.reset === null
      ? {}
      : { staleUpTo: Math.max(state.staleUpTo, window.reset), previousStart: window.start };
  return {
    ...state,
    ...left,
    learnedPeriodMs,
    window: { reset, provisionalEnd: reset, start: dispatchedAt, remaining, burst: burstSize(state.limit) },
  };
}

/**
 * A sample (the time between two window starts) only bounds the window length from above: after an
 * idle spell it is the whole gap. So the shortest sample wins.
 */
function learnPeriod(state: PacingState, sample: number): number | null {
  if (sample < MIN_PERIOD_MS) return state.learnedPeriodMs;
  return state.learnedPeriodMs === null ? sample : Math.min(state.learnedPeriodMs, sample);
}

/** A tenth of the budget: 10 of ClickUp's 100 a minute. */
function burstSize(limit: number): number {
  return Math.max(1, Math.floor(limit / 10));
}
