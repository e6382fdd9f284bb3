import type { Clock } from "../../src/clickup/index.ts";

/** Virtual time for pacing tests: sleeps resolve only when `runUntil` moves the clock past them. */
export function createManualClock(start = Date.UTC(2025, 0, 6, 9, 0, 0, 0)) {
  let t = start;
  const timers: { at: number; resolve: () => void }[] = [];
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

  const clock: Clock = {
    now: () => t,
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const timer = { at: t + Math.max(0, ms), resolve };
        timers.push(timer);
        signal?.addEventListener(
          "abort",
          () => {
            timers.splice(timers.indexOf(timer), 1);
            reject(signal.reason);
          },
          { once: true },
        );
      });
    },
  };

  /** Fires timers in time order until `done` settles; `skewMs` is how far the server clock runs ahead. */
  async function runUntil(done: Promise<unknown>) {
    let finished = false;
    void done.finally(() => {
      finished = true;
    });
    while (!finished) {
      for (let i = 0; i < 5; i += 1) await settle();
      if (finished) break;
      timers.sort((a, b) => a.at - b.at);
      const next = timers.shift();
      if (!next) throw new Error("deadlock: nothing scheduled and the work is not done");
      t = Math.max(t, next.at);
      next.resolve();
    }
    return done;
  }

  return { clock, runUntil, advance: (ms: number) => (t += ms) };
}
