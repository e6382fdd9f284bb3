import type { Clock } from "./clock.ts";
import { planDispatch, recordDispatch } from "./plan-dispatch.ts";
import {
  budgetOf,
  initialPacing,
  type PacingOptions,
  type PacingState,
  pacingConfig,
  reportedResetAt,
} from "./rate-limit-window.ts";
import { readRateLimitHeaders } from "./read-rate-limit-headers.ts";
import { recordAnswer } from "./record-answer.ts";

/** What `/flow status` shows: the token's budget as ClickUp last reported it. */
export interface RateLimitSnapshot {
  limit: number;
  remaining: number;
  /** End of the current window per X-RateLimit-Reset; null before the first response. */
  resetAt: Date | null;
}

export interface TokenRateLimiterOptions extends PacingOptions {
  clock: Clock;
}

/** A granted slot. Call `settle` exactly once with the response (or null after a network error). */
export interface Permit {
  readonly dispatchedAt: number;
  settle(response: { status: number; headers: Headers } | null): void;
}

interface Waiter {
  resolve(permit: Permit): void;
  reject(reason: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/**
 * Paces one token's requests across every caller in the process: callers wait in one FIFO queue, and
 * the window arithmetic in rate-limit-window.ts decides when the one in front may go.
 */
export function createTokenRateLimiter(options: TokenRateLimiterOptions) {
  const { clock } = options;
  const config = pacingConfig(options);
  let state: PacingState = initialPacing(options);
  const queue: Waiter[] = [];
  const wakeUp = wakeUpTimer(clock, () => pump());

  /** Grants slots to the waiters in front for as long as the budget allows, then sleeps until it does. */
  function pump() {
    while (queue.length > 0) {
      const now = clock.now();
      const plan = planDispatch(state, config, now);
      state = plan.state;
      if (plan.waitMs > 0) {
        wakeUp.at(now + plan.waitMs);
        return;
      }
      grant(queue.shift()!);
    }
  }

  function grant(waiter: Waiter) {
    waiter.signal?.removeEventListener("abort", waiter.onAbort);
    const dispatchedAt = clock.now();
    state = recordDispatch(state, dispatchedAt);
    let settled = false;
    waiter.resolve({
      dispatchedAt,
      settle(response) {
        if (settled) return;
        settled = true;
        const answer = response && {
          status: response.status,
          headers: readRateLimitHeaders(response.headers),
        };
        state = recordAnswer(state, config, dispatchedAt, answer);
        pump();
      },
    });
  }

  function withdraw(waiter: Waiter) {
    const i = queue.indexOf(waiter);
    if (i >= 0) queue.splice(i, 1);
    waiter.reject(waiter.signal?.reason);
    if (queue.length === 0) wakeUp.cancel();
  }

  return {
    /** Waits (FIFO) for a slot in the token's budget. Rejects with `signal.reason` on abort. */
    acquire(signal?: AbortSignal): Promise<Permit> {
      if (signal?.aborted) return Promise.reject(signal.reason);
      return new Promise<Permit>((resolve, reject) => {
        const waiter: Waiter = { resolve, reject, signal, onAbort: () => withdraw(waiter) };
        signal?.addEventListener("abort", waiter.onAbort, { once: true });
        queue.push(waiter);
        pump();
      });
    },
    snapshot: (): RateLimitSnapshot => budgetOf(state),
    /** Local ms at which the current window ends per the server, for deciding whether a 429 wait is too long. */
    reportedResetAt: (): number | null => reportedResetAt(state),
  };
}

export type TokenRateLimiter = ReturnType<typeof createTokenRateLimiter>;

/** One pending wake-up on `clock`: asking for an earlier one replaces it, a later one is ignored. */
function wakeUpTimer(clock: Clock, onWake: () => void) {
  let timer: AbortController | null = null;
  let timerAt = Number.POSITIVE_INFINITY;

  function cancel() {
    timer?.abort();
    timer = null;
    timerAt = Number.POSITIVE_INFINITY;
  }

  return {
    cancel,
    at(at: number) {
      if (timer && timerAt <= at) return;
      cancel();
      const ac = new AbortController();
      timer = ac;
      timerAt = at;
      clock.sleep(at - clock.now(), ac.signal).then(
        () => {
          if (timer !== ac) return;
          timer = null;
          timerAt = Number.POSITIVE_INFINITY;
          onWake();
        },
        () => {},
      );
    },
  };
}
