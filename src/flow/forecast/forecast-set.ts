import type { Sql } from "postgres";
import type { ForecastScope } from "./forecast-scope.ts";
import {
  type ForecastContext,
  forecastWhen,
  loadSamples,
  type NoForecast,
  tooThin,
  type WhenForecast,
} from "./run-forecast.ts";
import { openItems, type ThroughputSamples } from "./throughput-samples.ts";

/*
 * When will a set's open items be done (docs/flow-metrics.md §12.6): "when N" with N = its open items,
 * over the set's own samples, or the project's when its own are too thin.
 */

export type SetForecast = {
  open: number;
  /** Whose samples: the set's own, or the project's (its own too thin: `own` says how thin). */
  source: "own" | "project";
  own: ThroughputSamples;
  /** Null when nothing is open. */
  forecast: WhenForecast | NoForecast | null;
};

export async function forecastSet(
  sql: Sql,
  ctx: ForecastContext,
  scope: ForecastScope,
): Promise<SetForecast> {
  const [open, own] = await Promise.all([openItems(sql, ctx.projectId, scope), loadSamples(sql, ctx, scope)]);
  if (open === 0) return { open, source: "own", own, forecast: null };
  if (!tooThin(own)) return { open, source: "own", own, forecast: forecastWhen(ctx, own, open) };
  const project = await loadSamples(sql, ctx, { kind: "project" });
  return { open, source: "project", own, forecast: forecastWhen(ctx, project, open) };
}
