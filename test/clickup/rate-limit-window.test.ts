import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { planDispatch, recordDispatch } from "../../src/clickup/plan-dispatch.ts";
import {
  initialPacing,
  type PacingAnswer,
  type PacingOptions,
  type PacingState,
  pacingConfig,
} from "../../src/clickup/rate-limit-window.ts";
import { readRateLimitHeaders } from "../../src/clickup/read-rate-limit-headers.ts";
import { recordAnswer } from "../../src/clickup/record-answer.ts";
import { createTokenRateLimiter } from "../../src/clickup/token-rate-limiter.ts";
import { createRateLimiter } from "../fakes/clickup/index.ts";
import { createManualClock } from "./manual-clock.ts";

const START = Date.UTC(2025, 0, 6, 9, 0, 0, 337);
/** Traces through the pure functions are cheap: many of them find the rare orders. */
const RUNS = 1_000;

/** What can happen to a token's limiter: time passes, a caller asks to send, an answer comes back. */
type Event =
  | { kind: "pass"; ms: number }
  | { kind: "ask" }
  | {
      kind: "answer";
      /** Which request in flight is answered (answers come in any order). */
      pick: number;
      /** null: a network error or timeout. */
      answer: {
        status: 200 | 429 | 503;
        /** null: no usable rate-limit headers. */
        headers: { limit: number | null; remaining: number; resetInSec: number } | null;
      } | null;
    };

/**
 * Any sequence of events, with headers as ClickUp might send them or as a confused proxy might: the
 * reset (whole seconds) a little in the past up to a minute ahead, often the same for answers close in
 * time, and any remaining count up to the limit.
 */
const events = (limit: number) =>
  fc.array(
    fc.oneof(
      {
        weight: 2,
        arbitrary: fc.record({
          kind: fc.constant("pass" as const),
          ms: fc.oneof(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 3_000 })),
        }),
      },
      { weight: 4, arbitrary: fc.record({ kind: fc.constant("ask" as const) }) },
      {
        weight: 3,
        arbitrary: fc.record({
          kind: fc.constant("answer" as const),
          pick: fc.nat(),
          answer: fc.option(
            fc.record({
              status: fc.constantFrom(200 as const, 200 as const, 429 as const, 503 as const),
              headers: fc.option(
                fc.record({
                  limit: fc.option(fc.constantFrom(limit, 100, 1_000)),
                  remaining: fc.integer({ min: 0, max: limit }),
                  resetInSec: fc.constantFrom(-2, -1, 0, 1, 1, 1, 2, 5, 60),
                }),
                { freq: 8 },
              ),
            }),
            { freq: 8 },
          ),
        }),
      },
    ),
    { maxLength: 200 },
  );

const options = fc.record({
  initialLimit: fc.constantFrom(undefined, 100, 1_000),
  windowMs: fc.constantFrom(undefined, 1_000, 2_000, 60_000),
  safetyMarginMs: fc.constantFrom(undefined, 0, 50),
}) as fc.Arbitrary<PacingOptions>;

type Step =
  | { kind: "plan"; now: number; before: PacingState; waitMs: number; after: PacingState }
  | { kind: "dispatch"; now: number; before: PacingState; after: PacingState }
  | {
      kind: "answer";
      now: number;
      dispatchedAt: number;
      answer: PacingAnswer | null;
      before: PacingState;
      after: PacingState;
    };

/** Plays `events` through the pure functions as the limiter does, handing each step to `check`. */
function play(opts: PacingOptions, trace: Event[], check: (step: Step) => void) {
  const config = pacingConfig(opts);
  let state = initialPacing(opts);
  let now = START;
  const inFlight: number[] = [];
  for (const event of trace) {
    if (event.kind === "pass") now += event.ms;
    if (event.kind === "ask") {
      const plan = planDispatch(state, config, now);
      check({ kind: "plan", now, before: state, waitMs: plan.waitMs, after: plan.state });
      state = plan.state;
      if (plan.waitMs > 0) continue;
      const after = recordDispatch(state, now);
      check({ kind: "dispatch", now, before: state, after });
      state = after;
      inFlight.push(now);
    }
    if (event.kind === "answer" && inFlight.length > 0) {
      const [dispatchedAt] = inFlight.splice(event.pick % inFlight.length, 1);
      const answer = event.answer && {
        status: event.answer.status,
        headers: event.answer.headers && {
          limit: event.answer.headers.limit,
          remaining: event.answer.headers.remaining,
          resetMs: (Math.floor(now / 1000) + event.answer.headers.resetInSec) * 1000,
        },
      };
      const after = recordAnswer(state, config, dispatchedAt!, answer);
      check({ kind: "answer", now, dispatchedAt: dispatchedAt!, answer, before: state, after });
      state = after;
    }
  }
}

const traces = fc.constantFrom(100, 1_000).chain((limit) => fc.tuple(options, events(limit)));

describe("rate-limit window arithmetic (properties)", () => {
  it("never asks a caller to wait a negative or endless time", () => {
    fc.assert(
      fc.property(traces, ([opts, trace]) => {
        play(opts, trace, (step) => {
          if (step.kind !== "plan") return;
          expect(step.waitMs).toBeGreaterThanOrEqual(0);
          expect(Number.isFinite(step.waitMs)).toBe(true);
        });
      }),
      { numRuns: RUNS },
    );
  });

  it("grants a request only while fewer are in flight than the budget left (or than 4 before any answer)", () => {
    fc.assert(
      fc.property(traces, ([opts, trace]) => {
        play(opts, trace, (step) => {
          if (step.kind !== "plan" || step.waitMs > 0) return;
          const { after } = step;
          if (after.heardFromServer) expect(after.inFlight).toBeLessThan(after.window!.remaining);
          else expect(after.inFlight).toBeLessThan(4);
        });
      }),
      { numRuns: RUNS },
    );
  });

  it("never raises the remaining budget beyond what ClickUp said, nor within a window it already reported", () => {
    fc.assert(
      fc.property(traces, ([opts, trace]) => {
        play(opts, trace, (step) => {
          const { before, after } = step;
          const reset = after.window?.reset;
          if (reset != null && before.window?.reset === reset)
            expect(after.window!.remaining).toBeLessThanOrEqual(before.window!.remaining);
          if (step.kind !== "answer" || !step.answer?.headers) return;
          if (reset === step.answer.headers.resetMs)
            expect(after.window!.remaining).toBeLessThanOrEqual(step.answer.headers.remaining);
        });
      }),
      { numRuns: RUNS },
    );
  });

  it("lets nothing through after a 429 before the reset it reported, until ClickUp reports a later window", () => {
    fc.assert(
      fc.property(traces, ([opts, trace]) => {
        // The reset of the last 429 on our clock, by the skew known when it came (never negative).
        let closedUntil = Number.NEGATIVE_INFINITY;
        let refusedReset = Number.NEGATIVE_INFINITY;
        play(opts, trace, (step) => {
          if (step.kind === "plan" && step.waitMs === 0) expect(step.now).toBeGreaterThanOrEqual(closedUntil);
          if (step.kind !== "answer" || !step.answer?.headers) return;
          const { resetMs } = step.answer.headers;
          if (step.answer.status === 429) {
            expect(step.before.skewMs).toBeGreaterThanOrEqual(0);
            if (resetMs >= refusedReset) closedUntil = Math.max(closedUntil, resetMs + step.before.skewMs);
            refusedReset = Math.max(refusedReset, resetMs);
          } else if (resetMs > refusedReset) {
            closedUntil = Number.NEGATIVE_INFINITY;
            refusedReset = Number.NEGATIVE_INFINITY;
          }
        });
      }),
      { numRuns: RUNS },
    );
  });
});

describe("token rate limiter against a ClickUp-like server (property)", () => {
  it("never has more than the limit counted in one of the server's windows: no 429", async () => {
    // The server is the ClickUp fake's: fixed windows per token from its first request, the reset in
    // whole seconds. Limits are ClickUp plans' (docs/clickup.md §7.1); windows from a second to a minute,
    // told to the client or not; answers take up to 200 ms; callers pause between requests.
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          limit: fc.constantFrom(100, 1_000),
          windowMs: fc.constantFrom(1_000, 2_000, 5_000, 60_000),
          told: fc.boolean(),
          callers: fc.integer({ min: 1, max: 8 }),
          requests: fc.integer({ min: 1, max: 300 }),
          latenciesMs: fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 5 }),
          pausesMs: fc.array(fc.integer({ min: 0, max: 3_000 }), { minLength: 1, maxLength: 5 }),
          startMs: fc.integer({ min: START, max: START + 60_000 }),
        }),
        async (p) => {
          const { clock, runUntil } = createManualClock(p.startMs);
          const server = createRateLimiter({ limit: p.limit, windowMs: p.windowMs }, () => clock.now());
          const limiter = createTokenRateLimiter({ clock, windowMs: p.told ? p.windowMs : undefined });
          let sent = 0;
          const caller = async () => {
            while (sent < p.requests) {
              const i = sent++;
              const permit = await limiter.acquire();
              const d = server.hit("token");
              await clock.sleep(p.latenciesMs[i % p.latenciesMs.length]!);
              const headers = new Headers({
                "x-ratelimit-limit": String(d.limit),
                "x-ratelimit-remaining": String(d.remaining),
                "x-ratelimit-reset": String(d.resetSec),
              });
              permit.settle({ status: d.allowed ? 200 : 429, headers });
              await clock.sleep(p.pausesMs[i % p.pausesMs.length]!);
            }
          };
          await runUntil(Promise.all(Array.from({ length: p.callers }, caller)));
          expect(server.stats()).toEqual({ requests: p.requests, limited: 0 });
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("readRateLimitHeaders", () => {
  const read = (h: Record<string, string>) => readRateLimitHeaders(new Headers(h));

  it("reads ClickUp's three headers, the reset in ms", () => {
    expect(
      read({ "x-ratelimit-limit": "100", "x-ratelimit-remaining": "42", "x-ratelimit-reset": "1736154000" }),
    ).toEqual({ limit: 100, remaining: 42, resetMs: 1_736_154_000_000 });
  });

  it("tells nothing without a usable reset or remaining count", () => {
    expect(read({})).toBeNull();
    expect(read({ "x-ratelimit-remaining": "3" })).toBeNull();
    expect(read({ "x-ratelimit-remaining": "3", "x-ratelimit-reset": "soon" })).toBeNull();
    expect(read({ "x-ratelimit-remaining": "many", "x-ratelimit-reset": "1736154000" })).toBeNull();
  });

  it("takes a missing remaining count as a spent budget, and keeps the limit unless it is a positive number", () => {
    expect(read({ "x-ratelimit-reset": "1736154000" })).toEqual({
      limit: null,
      remaining: 0,
      resetMs: 1_736_154_000_000,
    });
    expect(
      read({ "x-ratelimit-limit": "0", "x-ratelimit-remaining": "1", "x-ratelimit-reset": "1" }),
    ).toMatchObject({
      limit: null,
    });
    expect(
      read({ "x-ratelimit-limit": "lots", "x-ratelimit-remaining": "1", "x-ratelimit-reset": "1" }),
    ).toMatchObject({
      limit: null,
    });
  });
});
