import type { BlockAction, ButtonAction, RespondFn } from "@slack/bolt";
import { findProjectByChannel, findProjectById, type ReportProject } from "../../flow/report-projects.ts";
import type { AccessRequest } from "../access/read-request.ts";
import { type ChannelAnswer, channelMember } from "../access/rules.ts";
import type { SlackRoutes } from "../access/slack-routes.ts";
import type { SlackServices } from "../slack-services.ts";
import { slackErrorCode } from "../views/block-kit.ts";
import {
  buildChartReply,
  CHART_ACTION_IDS,
  decodePickerValue,
  REPORT_CHARTS,
  type ReportChart,
} from "./chart-replies.ts";
import { filterProblemText, resolveFilter } from "./segment-filter.ts";

/** A direct message with the app (Slack's DM ids start with D), where the App Home sends reports. */
const isDirectMessage = (channelId: string | undefined) => channelId?.startsWith("D") === true;

/**
 * The chart picker's buttons. Nothing in a button's value is trusted: the project is the one of the
 * channel the button was pressed in (Slack says which), the guard checks the user is a member of it,
 * and a value naming another project is refused; a filter is resolved again as if typed. Pressed in
 * the app's DM (on a report opened from the App Home), the project is the one the value names, in this
 * workspace, and the guard checks the user is a member of that project's channel, as for the Home
 * tab's Open report; the chart is sent to the same DM.
 */
export function registerChartActions(routes: SlackRoutes, services: SlackServices): void {
  const { database, logger } = services;
  const projectChannel = async (r: AccessRequest): Promise<ChannelAnswer> => {
    if (r.teamId && isDirectMessage(r.channelId)) {
      const value = decodePickerValue(r.value);
      const named = value ? await findProjectById(database.db, r.teamId, value.p) : null;
      return named
        ? { channelId: named.channelId }
        : {
            refused:
              ":warning: That chart button names no flowbot project any more (or is not flowbot's), so no chart was drawn. Reopen the Home tab, or run `/flow report cfd` in a project channel.",
          };
    }
    const project =
      r.teamId && r.channelId ? await findProjectByChannel(database.db, r.teamId, r.channelId) : null;
    return project
      ? { channelId: project.channelId }
      : {
          refused:
            ":warning: This channel is not a flowbot project (or the button is not flowbot's), so no chart was drawn. Run `/flow report cfd` in a project channel.",
        };
  };
  for (const chart of REPORT_CHARTS) {
    routes.action<BlockAction<ButtonAction>>(
      CHART_ACTION_IDS[chart],
      channelMember("draw this project's charts", projectChannel),
      async ({ ack, action, body, client, access }) => {
        await ack();
        const inDirectMessage = isDirectMessage(body.channel?.id);
        const say = (text: string, blocks?: unknown[]) => {
          const content = { text, ...(blocks ? { blocks: blocks as never } : {}) };
          return inDirectMessage
            ? client.chat.postMessage({ channel: access.userId, ...content, unfurl_links: false })
            : client.chat.postEphemeral({ channel: access.channelId!, user: access.userId, ...content });
        };
        const value = decodePickerValue(action.value);
        // The guard has checked the user is in access.channelId (in a DM, the channel of the project the
        // value names): the project must be that channel's.
        const project = await findProjectByChannel(database.db, access.teamId, access.channelId!);
        if (!project || !value || value.p !== project.id) {
          await say(
            `:warning: That chart button belongs to another channel's project (or is not flowbot's), so no chart was drawn. Run \`/flow report ${chart}\` here for this channel's.`,
          );
          return;
        }
        const segment = value.v
          ? await resolveFilter(database.sql, project.id, { dimension: value.g ?? null, value: value.v })
          : null;
        if (segment && !segment.ok) {
          await say(filterProblemText(segment, value.d));
          return;
        }
        try {
          const reply = await buildChartReply({ db: database.db, sql: database.sql, client }, project, {
            chart,
            at: new Date(services.now()),
            days: value.d,
            ...(segment?.ok ? { segment: segment.segment } : {}),
          });
          await say(reply.text, reply.blocks);
        } catch (err) {
          logger.error({ err, projectId: project.id, chart }, "flow chart failed");
          await say(chartFailureText(project, err));
        }
      },
    );
  }
}

/** `/flow report <chart> [window] [segment]`, after the project and filter are known. */
export async function answerChartCommand(
  services: SlackServices,
  client: Parameters<typeof buildChartReply>[0]["client"],
  respond: RespondFn,
  project: ReportProject,
  opts: Omit<Parameters<typeof buildChartReply>[2], "at"> & { chart: ReportChart },
): Promise<void> {
  const { database, logger } = services;
  try {
    const reply = await buildChartReply({ db: database.db, sql: database.sql, client }, project, {
      ...opts,
      at: new Date(services.now()),
    });
    await respond({ response_type: "ephemeral", replace_original: false, ...reply });
  } catch (err) {
    logger.error({ err, projectId: project.id, chart: opts.chart }, "flow chart failed");
    await respond({
      response_type: "ephemeral",
      replace_original: false,
      text: chartFailureText(project, err),
    });
  }
}

function chartFailureText(project: ReportProject, err: unknown): string {
  const code = slackErrorCode(err);
  const why = code ? `Slack said \`${code}\`` : "an internal error; the details are in flowbot's log";
  return `:x: I couldn't draw that chart of <#${project.channelId}> (${why}). Try again in a minute.`;
}
