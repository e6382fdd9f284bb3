/**
 * How hard the webhook route is working right now, shared inside one process (FLOWBOT_ROLE=all) by the
 * route, which records what it stores, and the apply job, which steps aside during a burst: ClickUp
 * waits for each acknowledgement (and suspends webhooks that keep timing out or failing), while applying
 * can lag a few seconds. A web-only or worker-only process has nobody to share with, and never waits.
 */
export interface IngestPressure {
  /** The route stored `deliveries` just now. */
  record(deliveries: number): void;
  /** True while the route is taking a burst (at least `threshold` deliveries in the last window). */
  busy(): boolean;
  /**
   * Waits while the route is busy, at most what is left of `budget.ms` (spent from it), polling every
   * `pollMs`. Returns how long it waited.
   */
  yieldTo(budget: { ms: number }, pollMs?: number): Promise<number>;
}

export interface IngestPressureOptions {
  /** The window deliveries are counted over (default 500 ms). */
  windowMs?: number;
  /** Deliveries within the window that make a burst (default 250, i.e. 500/s). */
  threshold?: number;
  now?: () => number;
}

export function createIngestPressure(options: IngestPressureOptions = {}): IngestPressure {
  const windowMs = options.windowMs ?? 500;
  const threshold = options.threshold ?? 250;
  const now = options.now ?? (() => performance.now());
  // Counts per tenth of the window, as a ring: constant memory whatever the rate.
  const slots = 10;
  const slotMs = windowMs / slots;
  const counts = new Array<number>(slots).fill(0);
  const stamps = new Array<number>(slots).fill(-1);

  const slotOf = (t: number) => Math.floor(t / slotMs);
  const total = () => {
    const current = slotOf(now());
    let sum = 0;
    for (let i = 0; i < slots; i++) if (stamps[i]! > current - slots) sum += counts[i]!;
    return sum;
  };
  const busy = () => total() >= threshold;

  return {
    record(deliveries) {
      const s = slotOf(now());
      const i = s % slots;
      if (stamps[i] !== s) {
        stamps[i] = s;
        counts[i] = 0;
      }
      counts[i]! += deliveries;
    },
    busy,
    async yieldTo(budget, pollMs = 25) {
      let waited = 0;
      while (budget.ms > 0 && busy()) {
        const step = Math.min(pollMs, budget.ms);
        await new Promise((resolve) => setTimeout(resolve, step));
        budget.ms -= step;
        waited += step;
      }
      return waited;
    },
  };
}
