import {
  estimatedEnd,
  freshWindow,
  knownPeriod,
  margin,
  type PacingConfig,
  type PacingState,
  windowLength,
} from "./rate-limit-window.ts";

/** Requests in flight before the first answer has told the limit. */
const UNHEARD_IN_FLIGHT = 4;
/** How long to wait before asking again while those are out, ms. */
const UNHEARD_RETRY_MS = 1000;

/**
 * Whether a request may go at `now`: `waitMs` 0 if so, else how long to wait before asking again (never
 * negative). The state it returns has the current window opened or rolled over; keep it either way.
 */
export function planDispatch(
  state: PacingState,
  config: PacingConfig,
  now: number,
): { waitMs: number; state: PacingState } {
  // The first answer tells the real limit and window; pacing to an assumed 100/min before it would
  // slow every fresh token (and every admin's first click) for nothing.
  if (!state.heardFromServer)
    return { waitMs: state.inFlight >= UNHEARD_IN_FLIGHT ? UNHEARD_RETRY_MS : 0, state };
  const current = currentWindow(state, config, now);
  return { waitMs: waitInWindow(current, config, now), state: current };
}

/** The state after a request is granted at `now`. */
export function recordDispatch(state: PacingState, now: number): PacingState {
  const { window } = state;
  return {
    ...state,
    inFlight: state.inFlight + 1,
    lastDispatch: now,
    window: window && window.burst > 0 ? { ...window, burst: window.burst - 1 } : window,
  };
}

/** The window to count in at `now`: the current one, a first one, or a new one once ours is over. */
function currentWindow(state: PacingState, config: PacingConfig, now: number): PacingState {
  const opened = state.window ? state : { ...state, window: freshWindow(state, config, now) };
  const window = opened.window!;
  if (now < estimatedEnd(opened, window) + margin(opened, config)) return opened;
  // The window is over by our estimate: start counting a new one until a response confirms it.
  return {
    ...opened,
    staleUpTo: window.reset !== null ? Math.max(opened.staleUpTo, window.reset) : opened.staleUpTo,
    previousStart: window.start ?? opened.previousStart,
    rolledAt: now,
    window: freshWindow(opened, config, now),
    // The first request of a window may go at once; pacing restarts from it.
    lastDispatch: Number.NEGATIVE_INFINITY,
  };
}

/** How long the next request waits in the state's window: the budget spread evenly to its end. */
function waitInWindow(state: PacingState, config: PacingConfig, now: number): number {
  const window = state.window!;
  const end = estimatedEnd(state, window);
  // In-flight requests may already be counted by the server, so they come off the budget.
  const available = window.remaining - state.inFlight;
  if (available <= 0) return Math.max(1, end + margin(state, config) - now);
  // The first few requests of a window the server has confirmed go back to back: a caller that needs
  // only part of the budget (the end of a backfill, an admin's few clicks) is not spread over the
  // whole window, and the server's remaining count still bounds them.
  if (window.burst > 0) return 0;
  const timeLeft = end - now;
  // Past the estimated end with budget left: the next request fits whichever window the server counts
  // it in (the old one has room, a new one is fresh), so it need not wait out the margin. Keep the
  // pace of the limit itself until a response tells which window it landed in.
  if (timeLeft <= 0)
    return waitUntil(
      state.lastDispatch + (knownPeriod(state) ?? windowLength(state, config)) / Math.max(1, state.limit),
      now,
    );
  // available + 1 gaps, so the last slot lands inside the window rather than on its edge.
  return waitUntil(state.lastDispatch + timeLeft / (available + 1), now);
}

function waitUntil(at: number, now: number): number {
  return at <= now ? 0 : Math.ceil(at - now);
}
