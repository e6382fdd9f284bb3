// Times the Monte Carlo forecasts (docs/flow-metrics.md §12) on bench/flow.ts's project: `--tasks` tracked
// cases (default 100,000) with 10 status transitions each (1,000,000), in a throwaway embedded Postgres
// (or DATABASE_URL). Each timed step is one whole forecast as `/flow forecast` computes it: the project's
// settings and holidays, the samples query over the 12-week history, and 10,000 trials —
//   how_many: `/flow forecast how-many by <today + 30 days>`;
//   when:     `/flow forecast when 200`;
// then cfd_ms: the 90-day cumulative flow diagram by stage (§13.1) the `/flow report cfd` chart draws;
// and, reported beside them (tag_set_ms), `/flow forecast t3`: a tag's open items, from its own samples.
// forecast_ms is the slower of the two medians. Timings are medians of `--runs` warm runs after one
// warm-up; the last line is the JSON result.
//
//   npm run bench:forecast [-- --tasks 100000 --runs 7 --trials 10000]
//
// Each timed step is an entry of `steps`, timed the same way and reported as `<name>_ms`.
import { forecastSet } from "../src/flow/forecast/forecast-set.ts";
import { addDays } from "../src/flow/forecast/local-dates.ts";
import {
  forecastHowMany,
  forecastWhen,
  loadForecastContext,
  loadSamples,
} from "../src/flow/forecast/run-forecast.ts";
import { computeCfd } from "../src/flow/metrics/cfd.ts";
import { loadMetricsSettings } from "../src/flow/metrics/window-settings.ts";
import { createLogger } from "../src/log/create-logger.ts";
import { intArg } from "./args.ts";
import { openBenchDatabase, seedFlowProject } from "./flow-seed.ts";

const TASKS = intArg("tasks", 100_000);
const RUNS = intArg("runs", 7);
const TRIALS = intArg("trials", 10_000);

const logger = createLogger(process.env.LOG_LEVEL ?? "warn", process.stderr);
const cleanups: (() => Promise<unknown>)[] = [];
const round = (x: number, digits = 1) => Number(x.toFixed(digits));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** One timed step: `run` is called once to warm up, then RUNS times; what it returns is reported. */
type TimedStep = { name: string; run: () => Promise<Record<string, unknown>> };

async function time(step: TimedStep) {
  await step.run();
  const runs: number[] = [];
  let detail: Record<string, unknown> = {};
  for (let i = 0; i < RUNS; i += 1) {
    const t0 = performance.now();
    detail = await step.run();
    runs.push(performance.now() - t0);
  }
  return { median: median(runs), runs: runs.map((r) => round(r)), detail };
}

try {
  const database = await openBenchDatabase(logger, cleanups, "flowbot-bench-forecast-");
  const { sql } = database;
  const now = new Date();
  const { projectId, counts } = await seedFlowProject(sql, TASKS, now);

  const context = () => loadForecastContext(sql, projectId, { now, trials: TRIALS });
  const forecastSteps: TimedStep[] = [
    {
      name: "how_many",
      run: async () => {
        const ctx = await context();
        const f = forecastHowMany(
          ctx,
          await loadSamples(sql, ctx, { kind: "project" }),
          addDays(ctx.today, 30),
        );
        if (!f.ok) throw new Error(`the bench project is ${f.why} to forecast`);
        return {
          by: f.until,
          levels: f.levels,
          sample_days: f.samples.samples.length,
          finished: f.samples.finished,
        };
      },
    },
    {
      name: "when",
      run: async () => {
        const ctx = await context();
        const f = forecastWhen(ctx, await loadSamples(sql, ctx, { kind: "project" }), 200);
        if (!f.ok) throw new Error(`the bench project is ${f.why} to forecast`);
        return { target: 200, dates: f.dates, levels: f.levels };
      },
    },
  ];
  // Not part of forecast_ms: a set's forecast (§12.6), here the cases carrying the tag `t3` (an eighth of
  // the project, bench/flow-seed.ts), with its open items counted and its own samples read.
  const setStep: TimedStep = {
    name: "tag_set",
    run: async () => {
      const ctx = await context();
      const s = await forecastSet(sql, ctx, { kind: "tag", tag: "t3" });
      if (!s.forecast?.ok) throw new Error("the bench tag has no forecast");
      return { open: s.open, source: s.source, dates: s.forecast.dates };
    },
  };
  // The 90-day cumulative flow diagram by stage (§13.1), the chart's own query: `cfd_ms`.
  const settings = await loadMetricsSettings(sql, projectId);
  const cfdStep: TimedStep = {
    name: "cfd",
    run: async () => {
      const cfd = await computeCfd(sql, settings, { now, days: 90, by: "stage" });
      return { days: cfd.days.length, bands: cfd.bands.length };
    },
  };
  const steps: TimedStep[] = [...forecastSteps, cfdStep, setStep];

  const results: Record<string, Awaited<ReturnType<typeof time>>> = {};
  for (const step of steps) results[step.name] = await time(step);
  const forecastMs = Math.max(...forecastSteps.map((s) => results[s.name]!.median));

  console.log(
    `project: ${counts.tasks} cases, ${counts.transitions} transitions; ` +
      steps
        .map(
          (s) =>
            `${s.name} ${JSON.stringify(results[s.name]!.runs)} ms → ${JSON.stringify(results[s.name]!.detail)}`,
        )
        .join("; "),
  );
  console.log(
    JSON.stringify({
      tasks: counts.tasks,
      transitions: counts.transitions,
      trials: TRIALS,
      forecast_ms: round(forecastMs),
      forecast_ms_is: "the slower of how_many_ms and when_ms",
      ...Object.fromEntries(steps.map((s) => [`${s.name}_ms`, round(results[s.name]!.median)])),
      timing: `median of ${RUNS} warm runs after one warm-up`,
    }),
  );
} finally {
  for (const fn of cleanups.reverse()) await fn().catch((err) => logger.error({ err }, "cleanup failed"));
}
