import { describe, expect, it } from "vitest";
import { howManyLevels, whenLevels } from "../../src/flow/forecast/levels.ts";
import { type DayRule, futureDates, historyDates } from "../../src/flow/forecast/local-dates.ts";
import { mulberry32 } from "../../src/flow/forecast/prng.ts";
import {
  chanceBy,
  type ForecastContext,
  forecastHowMany,
  forecastWhen,
} from "../../src/flow/forecast/run-forecast.ts";
import { simulateHowMany } from "../../src/flow/forecast/simulate.ts";
import { samplesOf, type ThroughputSamples } from "../../src/flow/forecast/throughput-samples.ts";

// The Monte Carlo engine against docs/flow-metrics.md §12's worked examples: exact answers where the
// history leaves no room for chance, binomial bounds (computed here) where it does.

const CALENDAR: DayRule = { working: false };
const WORKING: DayRule = { working: true, holidays: new Set() };
const TRIALS = 10_000;

const ctx = (over: Partial<ForecastContext> = {}): ForecastContext => ({
  projectId: 1,
  timeZone: "UTC",
  today: "2026-03-19",
  rule: CALENDAR,
  historyDays: 84,
  trials: TRIALS,
  seed: 42,
  ...over,
});

const samples = (values: number[]): ThroughputSamples => ({
  first: "2025-12-25",
  last: "2026-03-18",
  samples: Int32Array.from(values),
  finished: values.reduce((a, b) => a + b, 0),
  daysWithFinish: values.filter((v) => v > 0).length,
});

const LEVELS = [50, 70, 85, 95] as const;

describe("constant throughput gives the closed-form answer at every level (§12.3, §12.4)", () => {
  const three = samples(Array(84).fill(3));

  it("how many: 3 a day for 5 days is 15", () => {
    const f = forecastHowMany(ctx(), three, "2026-03-24");
    expect(f.ok && f.days).toBe(5);
    expect(f.ok && f.levels).toEqual({ 50: 15, 70: 15, 85: 15, 95: 15 });
  });

  it("when 10: four days, Mon 23 Mar on the calendar clock and Wed 25 Mar on working days", () => {
    const cal = forecastWhen(ctx(), three, 10);
    expect(cal.ok && cal.levels).toEqual({ 50: 4, 70: 4, 85: 4, 95: 4 });
    expect(cal.ok && cal.dates).toEqual({
      50: "2026-03-23",
      70: "2026-03-23",
      85: "2026-03-23",
      95: "2026-03-23",
    });
    const work = forecastWhen(ctx({ rule: WORKING }), three, 10);
    expect(work.ok && work.dates[85]).toBe("2026-03-25");
    // Other targets: ⌈N ÷ 3⌉ days, for each N.
    for (const n of [1, 3, 4, 30, 31, 299]) {
      const f = forecastWhen(ctx(), three, n);
      expect(f.ok && f.levels[50], `N = ${n}`).toBe(Math.ceil(n / 3));
      expect(f.ok && f.levels[95], `N = ${n}`).toBe(Math.ceil(n / 3));
    }
  });

  it("holidays move the date (Europe/Berlin, DE, asked Thu 24 Dec 2026)", () => {
    const de: DayRule = { working: true, holidays: new Set(["2026-12-25", "2027-01-01"]) };
    const at = { today: "2026-12-24", timeZone: "Europe/Berlin" };
    expect(forecastWhen(ctx({ ...at, rule: de }), three, 10)).toMatchObject({ dates: { 85: "2026-12-31" } });
    const blackout: DayRule = { working: true, holidays: new Set([...de.holidays, "2026-12-31"]) };
    expect(forecastWhen(ctx({ ...at, rule: blackout }), three, 10)).toMatchObject({
      dates: { 85: "2027-01-04" },
    });
    expect(futureDates("2026-12-24", 4, blackout)).toEqual([
      "2026-12-28",
      "2026-12-29",
      "2026-12-30",
      "2027-01-04",
    ]);
  });

  it("the chance of finishing by a date is all or nothing", () => {
    const f = forecastWhen(ctx(), three, 10);
    if (!f.ok) throw new Error("no forecast");
    expect(chanceBy(ctx(), f, "2026-03-23")).toBe(1);
    expect(chanceBy(ctx(), f, "2026-03-22")).toBe(0);
  });
});

/** z-score of the bounds: a false failure is rarer than one run in a million. */
const Z = 5;
const sigma = (q: number) => Math.sqrt((q * (1 - q)) / TRIALS);

describe("a two-value history answers inside the binomial bounds (§12.3, §12.4)", () => {
  // Half the sample days finished nothing, half finished two: 42 days with a finished case.
  const zeroTwo = samples(Array.from({ length: 84 }, (_, i) => (i % 2) * 2));

  it("how many in 2 days: totals 0, 2, 4 with chances ¼, ½, ¼", () => {
    const f = forecastHowMany(ctx(), zeroTwo, "2026-03-21");
    if (!f.ok) throw new Error("no forecast");
    const share = (c: number) => f.totals.filter((t) => t >= c).length / TRIALS;
    // Each share of trials is a binomial draw around its true chance.
    for (const [c, q] of [
      [2, 0.75],
      [4, 0.25],
    ] as const) {
      expect(Math.abs(share(c) - q)).toBeLessThan(Z * sigma(q));
    }
    // The level-p answer is the largest c whose chance, give or take Z sigmas, can still be ≥ p.
    const reach: [number, number][] = [
      [4, 0.25],
      [2, 0.75],
      [0, 1],
    ];
    for (const p of LEVELS) {
      const level = p / 100;
      const hi = reach.find(([, q]) => q + Z * sigma(q) >= level)![0];
      const lo = reach.find(([, q]) => q - Z * sigma(q) >= level)![0];
      expect(f.levels[p], `${p}%`).toBeGreaterThanOrEqual(lo);
      expect(f.levels[p], `${p}%`).toBeLessThanOrEqual(hi);
    }
    // Away from the edges the bounds pin the doc's answers.
    expect(f.levels).toEqual({ 50: 2, 70: 2, 85: 0, 95: 0 });
  });

  it("when 2: the first day drawing a 2, so P(d ≤ k) = 1 − 2^−k", () => {
    const f = forecastWhen(ctx(), zeroTwo, 2);
    if (!f.ok) throw new Error("no forecast");
    const within = (k: number) => 1 - 2 ** -k;
    for (const p of LEVELS) {
      const level = p / 100;
      let lo = 1;
      while (within(lo) + Z * sigma(within(lo)) < level) lo++;
      let hi = 1;
      while (within(hi) - Z * sigma(within(hi)) < level) hi++;
      expect(f.levels[p], `${p}%`).toBeGreaterThanOrEqual(lo);
      expect(f.levels[p], `${p}%`).toBeLessThanOrEqual(hi);
    }
    expect([1, 2]).toContain(f.levels[50]);
    expect({ 70: f.levels[70], 85: f.levels[85], 95: f.levels[95] }).toEqual({ 70: 2, 85: 3, 95: 5 });
  });

  it("is deterministic under a seed and varies with it", () => {
    const a = simulateHowMany(zeroTwo.samples, 30, TRIALS, mulberry32(7));
    const b = simulateHowMany(zeroTwo.samples, 30, TRIALS, mulberry32(7));
    const c = simulateHowMany(zeroTwo.samples, 30, TRIALS, mulberry32(8));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });
});

describe("a target out of reach (§12.4)", () => {
  it("answers later than the last simulated day", () => {
    const rare = samples([...Array(10).fill(1), ...Array(74).fill(0)]);
    const f = forecastWhen(ctx(), rare, 100_000);
    expect(f).toMatchObject({ ok: true, dates: { 50: null, 70: null, 85: null, 95: null } });
    // 3,660 calendar days after Thu 19 Mar 2026.
    expect(f.ok && f.horizon).toBe("2036-03-26");
  });
});

describe("the level rules on twenty trials (§12.3's hand count)", () => {
  it("reads position ⌊T(100 − p)/100⌋ for how many and rank ⌈pT/100⌉ for when", () => {
    const twenty = Int32Array.from(
      [...Array(5).fill(0), ...Array(10).fill(2), ...Array(5).fill(4)].reverse(),
    );
    expect(howManyLevels(twenty)).toEqual({ 50: 2, 70: 2, 85: 0, 95: 0 });
    expect(whenLevels(Int32Array.from([3, 1, 2, 2, 5, 1, 1, 4, 1, 2]))).toEqual({
      50: 2,
      70: 2,
      85: 4,
      95: 5,
    });
  });
});

describe("too thin or no throughput answers with the reason, not a number (§12.5)", () => {
  it("needs ten sample days with a finished case", () => {
    const nine = samples([...Array(9).fill(5), ...Array(75).fill(0)]);
    expect(forecastHowMany(ctx(), nine, "2026-03-30")).toMatchObject({ ok: false, why: "thin" });
    expect(forecastWhen(ctx(), nine, 10)).toMatchObject({ ok: false, why: "thin" });
    const ten = samples([...Array(10).fill(5), ...Array(74).fill(0)]);
    expect(forecastWhen(ctx(), ten, 10)).toMatchObject({ ok: true });
    const none = samples(Array(84).fill(0));
    expect(forecastHowMany(ctx(), none, "2026-03-30")).toMatchObject({ ok: false, why: "no_throughput" });
    expect(forecastWhen(ctx(), none, 1)).toMatchObject({ ok: false, why: "no_throughput" });
  });
});

describe("samples (§12.1's two-week example)", () => {
  const dates = historyDates("2026-03-19", 14);
  const counts = new Map(
    [2, 1, 1, 0, 0, 3, 1, 0, 2, 0, 0, 1, 0, 2].flatMap((n, i) =>
      n > 0 ? [[dates[i]!, n] as [string, number]] : [],
    ),
  );

  it("counts every date on the calendar clock, zeros included", () => {
    expect(dates[0]).toBe("2026-03-05");
    expect(dates.at(-1)).toBe("2026-03-18");
    const s = samplesOf(dates, counts, CALENDAR);
    expect([...s.samples]).toEqual([2, 1, 1, 0, 0, 3, 1, 0, 2, 0, 0, 1, 0, 2]);
    expect(s).toMatchObject({ finished: 13, daysWithFinish: 8 });
  });

  it("keeps working dates only, a Saturday's finish counted on the Friday before", () => {
    const s = samplesOf(dates, counts, WORKING);
    expect([...s.samples]).toEqual([2, 2, 0, 3, 1, 0, 2, 1, 0, 2]);
    expect(s).toMatchObject({ finished: 13, daysWithFinish: 7 });
  });
});
