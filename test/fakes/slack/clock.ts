/** A hand-driven clock for tests that need trigger expiry or response_url lifetimes without waiting. */
export interface ManualClock {
  now: () => number;
  advance: (ms: number) => void;
  set: (ms: number) => void;
}

export function createManualClock(startMs = Date.UTC(2025, 0, 6, 9, 0, 0)): ManualClock {
  let current = startMs;
  return {
    now: () => current,
    advance: (ms) => {
      current += ms;
    },
    set: (ms) => {
      current = ms;
    },
  };
}
