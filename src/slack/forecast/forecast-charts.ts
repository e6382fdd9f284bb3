import type { KnownBlock } from "@slack/types";
import type { WebClient } from "@slack/web-api";
import { renderForecastHistogram } from "../../flow/charts/forecast-histogram-chart.ts";
import { futureDates } from "../../flow/forecast/local-dates.ts";
import type { ForecastContext, HowManyForecast, WhenForecast } from "../../flow/forecast/run-forecast.ts";
import { MAX_FUTURE_DAYS } from "../../flow/forecast/simulate.ts";

/*
 * The forecast's histogram (src/flow/charts/forecast-histogram-chart.ts), uploaded as the report's charts
 * are (files.getUploadURLExternal → POST → files.completeUploadExternal, shared nowhere) and shown by an
 * image block naming the file.
 */

const shortDate = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });

export function howManyChart(f: HowManyForecast, title: string): Buffer {
  return renderForecastHistogram({
    results: f.totals,
    levels: f.levels,
    title,
    subtitle: `${f.trials.toLocaleString("en-US")} trials · dashed: the count at least 50/70/85/95% of trials reach`,
    axisName: "tasks finished",
    label: (v) => String(v),
  });
}

export function whenChart(ctx: ForecastContext, f: WhenForecast, title: string): Buffer {
  const reached = f.results.reduce((m, v) => (v <= MAX_FUTURE_DAYS && v > m ? v : m), 0);
  const dates = futureDates(ctx.today, Math.max(1, reached), ctx.rule);
  return renderForecastHistogram({
    results: f.results,
    levels: f.levels,
    title,
    subtitle: `${f.trials.toLocaleString("en-US")} trials · dashed: the date 50/70/85/95% of trials finish by`,
    axisName: "finished by",
    label: (d) => (d === 0 ? "today" : shortDate.format(new Date(`${dates[d - 1] ?? ctx.today}T00:00:00Z`))),
    laterThan: MAX_FUTURE_DAYS,
  });
}

/** Uploads the PNG; the file id. */
export async function uploadForecastChart(client: WebClient, png: Buffer, stamp: string): Promise<string> {
  const result = await client.filesUploadV2({
    file: png,
    filename: `forecast-${stamp}.png`,
    title: "Forecast",
    alt_text: "Forecast histogram",
  });
  const id = result.files[0]?.files?.[0]?.id;
  if (!id) throw new Error("Slack did not return a file id for the forecast chart");
  return id;
}

export function chartBlock(fileId: string, alt: string): KnownBlock {
  return {
    type: "image",
    slack_file: { id: fileId },
    alt_text: alt,
    title: { type: "plain_text", text: "Forecast" },
  };
}
