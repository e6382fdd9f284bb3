import type { KnownBlock } from "@slack/types";
import type { ForecastScope } from "../../flow/forecast/forecast-scope.ts";
import { scopeTitle } from "../../flow/forecast/forecast-scope.ts";
import { forecastSet } from "../../flow/forecast/forecast-set.ts";
import { addDays } from "../../flow/forecast/local-dates.ts";
import { resolveForecastSet } from "../../flow/forecast/resolve-forecast-set.ts";
import {
  type ForecastContext,
  forecastHowMany,
  forecastWhen,
  loadForecastContext,
  loadSamples,
} from "../../flow/forecast/run-forecast.ts";
import { findProjectByChannel } from "../../flow/report-projects.ts";
import { admin, anyone } from "../access/rules.ts";
import type { Subcommand } from "../commands/subcommand.ts";
import type { SlackServices } from "../slack-services.ts";
import { describeSlackError } from "../views/block-kit.ts";
import { checkByDate, DEFAULT_HORIZON_DAYS } from "./check-by-date.ts";
import { chartBlock, howManyChart, uploadForecastChart, whenChart } from "./forecast-charts.ts";
import { howManyText, noForecastText, setProblemText, setText, whenText } from "./forecast-text.ts";
import { trackCommands } from "./forecast-track.ts";
import { type ForecastArgs, parseForecastArgs } from "./parse-forecast-args.ts";

type Ack = Parameters<Subcommand["run"]>[0]["ack"];
const ephemeral = (ack: Ack, text: string) => ack({ response_type: "ephemeral", text });

/**
 * `/flow forecast …` (docs/flow-metrics.md §12): Monte Carlo answers in the project channel, for anyone
 * who may run `/flow report` there; tracking and untracking change what the channel is told, so they
 * are for admins, as settings are (accessFor, enforced by the guard).
 */
export function forecastSubcommand(services: SlackServices): Subcommand {
  const { database, logger } = services;
  const track = trackCommands(services);
  return {
    name: "forecast",
    usage:
      "/flow forecast how-many [by YYYY-MM-DD] | when N | <set> | track <set> by YYYY-MM-DD | list | untrack <id>",
    summary:
      "Monte Carlo forecasts from this channel's past throughput, at 50/70/85/95%: how many tasks by a date, by when N are done, when a list, folder, tag or segment will be done; `track` (admins) warns the channel nightly when a date's chance drops",
    access: anyone(),
    accessFor(args) {
      const verb = args[0]?.toLowerCase();
      return verb === "track" || verb === "untrack" ? admin("track or untrack forecasts") : undefined;
    },
    async run({ args, command, ack, respond, client, access }) {
      const parsed = parseForecastArgs(args);
      if (!parsed.ok) {
        await ephemeral(ack, parsed.message);
        return;
      }
      const project = await findProjectByChannel(database.db, access.teamId, command.channel_id);
      if (!project) {
        await ephemeral(
          ack,
          `:link: <#${command.channel_id}> has no ClickUp list, folder or space bound to it, so there is no throughput to forecast from. Run \`/flow bind\` here first (flowbot admins), then \`/flow forecast\`.`,
        );
        return;
      }
      const now = new Date(services.now());
      if (parsed.kind === "track" || parsed.kind === "list" || parsed.kind === "untrack") {
        await ephemeral(ack, await track(parsed, project, access.userId, now));
        return;
      }
      const ctx = await loadForecastContext(database.sql, project.id, {
        now,
        ...(parsed.historyDays !== null ? { historyDays: parsed.historyDays } : {}),
      });
      const typedSet = parsed.set;
      let scope: ForecastScope = { kind: "project" };
      if (typedSet !== null) {
        const resolved = await resolveForecastSet(database.sql, project.id, typedSet);
        if (!resolved.ok) {
          await ephemeral(ack, setProblemText(resolved));
          return;
        }
        scope = resolved.scope;
      }
      const by = parsed.kind === "how-many" ? (parsed.by ?? addDays(ctx.today, DEFAULT_HORIZON_DAYS)) : null;
      const dateProblem = by === null ? null : checkByDate(ctx, by);
      if (dateProblem) {
        await ephemeral(ack, dateProblem);
        return;
      }
      await ephemeral(
        ack,
        `:hourglass_flowing_sand: Forecasting ${scopeTitle(scope)} of <#${project.channelId}>…`,
      );
      try {
        const answer = await compute(parsed, ctx, scope, by);
        const blocks: KnownBlock[] = [{ type: "section", text: { type: "mrkdwn", text: answer.text } }];
        if (answer.chart) {
          try {
            const id = await uploadForecastChart(
              client,
              answer.chart,
              `${project.channelId}-${now.getTime()}`,
            );
            blocks.push(chartBlock(id, answer.alt));
          } catch (err) {
            logger.warn({ err, projectId: project.id }, "the forecast chart could not be uploaded");
            blocks.push({
              type: "context",
              elements: [
                {
                  type: "mrkdwn",
                  text: `:warning: The chart could not be uploaded (${describeSlackError(err)}).`,
                },
              ],
            });
          }
        }
        await respond({ response_type: "ephemeral", replace_original: false, text: answer.text, blocks });
      } catch (err) {
        logger.error({ err, projectId: project.id }, "forecast failed");
        await respond({
          response_type: "ephemeral",
          replace_original: false,
          text: `:x: I couldn't forecast <#${project.channelId}> (an internal error; the details are in flowbot's log). Try again in a minute.`,
        });
      }
    },
  };

  async function compute(
    parsed: Extract<ForecastArgs, { kind: "how-many" | "when" | "set" }>,
    ctx: ForecastContext,
    scope: ForecastScope,
    by: string | null,
  ): Promise<{ text: string; chart: Buffer | null; alt: string }> {
    if (parsed.kind === "set") {
      const s = await forecastSet(database.sql, ctx, scope);
      if (s.forecast === null) {
        return {
          text: `:white_check_mark: Nothing of ${scopeTitle(scope)} is open: there is nothing left to forecast.`,
          chart: null,
          alt: "",
        };
      }
      if (!s.forecast.ok) return { text: noForecastText(s.forecast, scope), chart: null, alt: "" };
      return {
        text: setText(ctx, s, s.forecast, scope),
        chart: whenChart(ctx, s.forecast, `When ${s.open} open tasks will be done`),
        alt: `Histogram of the finish dates of ${ctx.trials} trials`,
      };
    }
    const samples = await loadSamples(database.sql, ctx, scope);
    if (parsed.kind === "how-many") {
      const f = forecastHowMany(ctx, samples, by!);
      if (!f.ok) return { text: noForecastText(f, scope), chart: null, alt: "" };
      return {
        text: howManyText(ctx, f, scope),
        chart: howManyChart(f, `How many by ${by}`),
        alt: `Histogram of the tasks finished by ${by} in ${ctx.trials} trials`,
      };
    }
    const f = forecastWhen(ctx, samples, parsed.target);
    if (!f.ok) return { text: noForecastText(f, scope), chart: null, alt: "" };
    return {
      text: whenText(ctx, f, scope),
      chart: whenChart(ctx, f, `When ${parsed.target} more tasks will be finished`),
      alt: `Histogram of the finish dates of ${ctx.trials} trials`,
    };
  }
}
