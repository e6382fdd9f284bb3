import type { BlockAction, ButtonAction, RespondFn } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import { z } from "zod";
import { findProjectByChannel, findProjectById, type ReportProject } from "../../flow/report-projects.ts";
import type { AccessRequest } from "../access/read-request.ts";
import { anyone, type ChannelAnswer, channelMember } from "../access/rules.ts";
import type { SlackRoutes } from "../access/slack-routes.ts";
import type { Subcommand } from "../commands/subcommand.ts";
import type { SlackServices } from "../slack-services.ts";
import { describeSlackError, slackErrorCode } from "../views/block-kit.ts";
import { escapeMrkdwn } from "../views/mrkdwn.ts";
import { buildReport, decodeShareValue } from "./build-report.ts";
import { answerChartCommand, registerChartActions } from "./chart-actions.ts";
import { chartNamed } from "./chart-replies.ts";
import { SHARE_ACTION_ID } from "./flow-view-blocks.ts";
import { parseReportArgs } from "./parse-window.ts";
import { segmentTitle } from "./segment-blocks.ts";
import { filterProblemText, resolveFilter } from "./segment-filter.ts";

/** App Home button: the project's report, sent to the user in the app's DM. */
export const HOME_OPEN_REPORT_ACTION_ID = "flow_home_open_report";

const projectIdSchema = z
  .string()
  .regex(/^\d{1,15}$/)
  .transform(Number);

/** `/flow report` and the Flow view's Slack actions (Share to channel, Open report from the App Home). */
export function reportSubcommands(routes: SlackRoutes, services: SlackServices): Subcommand[] {
  const { database, logger } = services;
  const deps = (client: WebClient) => ({ db: database.db, sql: database.sql, client, logger });

  /** The project channel a button's project id names, looked up in this workspace's projects. */
  const channelOfProject = async (
    teamId: string | undefined,
    id: number | undefined,
  ): Promise<ChannelAnswer> => {
    const project = teamId && id !== undefined ? await findProjectById(database.db, teamId, id) : null;
    return project
      ? { channelId: project.channelId }
      : {
          refused:
            ":warning: That project has no ClickUp binding any more (or the button is not flowbot's), so there is no report. Run `/flow report` in the project channel, or reopen the Home tab.",
        };
  };
  const shareChannel = (r: AccessRequest) => channelOfProject(r.teamId, decodeShareValue(r.value)?.p);
  const homeProjectChannel = (r: AccessRequest) => {
    const id = projectIdSchema.safeParse(r.value);
    return channelOfProject(r.teamId, id.success ? id.data : undefined);
  };

  routes.action<BlockAction<ButtonAction>>(
    SHARE_ACTION_ID,
    channelMember("share this project's Flow view", shareChannel),
    async ({ ack, action, client, respond, access }) => {
      await ack();
      const share = decodeShareValue(action.value);
      const project = share ? await findProjectById(database.db, access.teamId, share.p) : null;
      if (!share || !project || project.channelId !== access.channelId) {
        await ephemeral(
          respond,
          ":warning: This report's channel is no longer a flowbot project, so it can't be shared. Run `/flow report` in the project channel for a fresh one.",
        );
        return;
      }
      // A filtered report is shared filtered: its filter is resolved again, as when it was typed.
      const segment = share.v
        ? await resolveFilter(database.sql, project.id, { dimension: share.g ?? null, value: share.v })
        : null;
      if (segment && !segment.ok) {
        await ephemeral(respond, filterProblemText(segment, share.d));
        return;
      }
      try {
        const built = await buildReport(deps(client), project, {
          ...(segment?.ok ? { segment: segment.segment } : {}),
          at: new Date(share.t),
          windowDays: share.d,
          shareable: false,
          sharedBy: access.userId,
          ...(share.a ? { files: { ageing: share.a, ...(share.c ? { cycleTime: share.c } : {}) } } : {}),
        });
        await client.chat.postMessage({ channel: project.channelId, ...built.message, unfurl_links: false });
        await ephemeral(respond, `:white_check_mark: Shared the Flow view to <#${project.channelId}>.`);
      } catch (err) {
        const code = describeSlackError(err);
        logger.warn({ err, projectId: project.id }, "sharing a flow report failed");
        await ephemeral(respond, shareFailure(code, project));
      }
    },
  );

  registerChartActions(routes, services);

  routes.action<BlockAction<ButtonAction>>(
    HOME_OPEN_REPORT_ACTION_ID,
    channelMember("open this project's report", homeProjectChannel),
    async ({ ack, action, client, access }) => {
      await ack();
      const { userId } = access;
      const id = projectIdSchema.safeParse(action.value);
      const project = id.success ? await findProjectById(database.db, access.teamId, id.data) : null;
      if (!project || project.channelId !== access.channelId) {
        await client.chat.postMessage({
          channel: userId,
          text: ":warning: That project has no ClickUp binding any more, so it has no report. Reopen the Home tab for the current list.",
        });
        return;
      }
      try {
        const built = await buildReport(deps(client), project, {
          at: new Date(services.now()),
          windowDays: project.windowDays,
          shareable: true,
          picker: true,
        });
        await client.chat.postMessage({ channel: userId, ...built.message, unfurl_links: false });
      } catch (err) {
        logger.error({ err, projectId: project.id }, "flow report from the App Home failed");
        await client.chat.postMessage({ channel: userId, text: failureText(project, err) });
      }
    },
  );

  return [
    {
      name: "report",
      usage: "/flow report [30d|90d|12w] [type:Bug]",
      summary:
        "This channel's Flow view, just for you: cycle time, SLE, throughput, WIP, ageing tasks, rework and two charts, with a Share to channel button and a chart picker; `/flow report cfd|cfd-status|throughput|ageing|cycle [window] [segment]` draws that chart alone; `type:Bug`, `priority:urgent` or a bare value reports on one segment",
      access: anyone(),
      async run({ args, command, ack, respond, client, access }) {
        // `/flow report cfd 30d type:Bug`: a chart's name first draws that chart alone (docs/flow-metrics.md §13).
        const chart = chartNamed(args[0]);
        const window = parseReportArgs(chart ? args.slice(1) : args);
        if (!window.ok) {
          await ack({ response_type: "ephemeral", text: window.message });
          return;
        }
        const project = await findProjectByChannel(database.db, access.teamId, command.channel_id);
        if (!project) {
          await ack({
            response_type: "ephemeral",
            text: `:link: <#${command.channel_id}> has no ClickUp list, folder or space bound to it, so there is no flow to report. Run \`/flow bind\` here first (flowbot admins), then \`/flow report\`.`,
          });
          return;
        }
        const days = window.days ?? project.windowDays;
        const segment = window.segment ? await resolveFilter(database.sql, project.id, window.segment) : null;
        if (segment && !segment.ok) {
          await ack({ response_type: "ephemeral", text: filterProblemText(segment, days) });
          return;
        }
        const scope = segment?.ok ? segment.segment.scope : null;
        const which = scope
          ? ` (${escapeMrkdwn(segmentTitle({ title: scope.segmenter.title, value: scope.value }))})`
          : "";
        if (chart) {
          await ack({
            response_type: "ephemeral",
            text: `:hourglass_flowing_sand: Drawing the ${chart} chart of <#${project.channelId}>${which} for the last ${days} days…`,
          });
          await answerChartCommand(services, client, respond, project, {
            chart,
            days,
            ...(segment?.ok ? { segment: segment.segment } : {}),
          });
          return;
        }
        await ack({
          response_type: "ephemeral",
          text: `:hourglass_flowing_sand: Building the Flow view of <#${project.channelId}>${which} for the last ${days} days…`,
        });
        try {
          const built = await buildReport(deps(client), project, {
            ...(segment?.ok ? { segment: segment.segment } : {}),
            at: new Date(services.now()),
            windowDays: days,
            shareable: true,
            picker: true,
          });
          await respond({ response_type: "ephemeral", replace_original: false, ...built.message });
        } catch (err) {
          logger.error({ err, projectId: project.id }, "flow report failed");
          await ephemeral(respond, failureText(project, err));
        }
      },
    },
  ];
}

async function ephemeral(respond: RespondFn, text: string): Promise<void> {
  await respond({ response_type: "ephemeral", replace_original: false, text });
}

function shareFailure(code: string, project: ReportProject): string {
  if (code === "not_in_channel" || code === "channel_not_found") {
    return `:warning: I couldn't post in <#${project.channelId}> because I'm not a member. Invite me with \`/invite @flowbot\` there, then press *Share to channel* again.`;
  }
  if (code === "is_archived")
    return `:warning: <#${project.channelId}> is archived, so the report can't be shared there.`;
  return `:warning: Sharing to <#${project.channelId}> failed (Slack said \`${code}\`). Try again in a minute.`;
}

function failureText(project: ReportProject, err: unknown): string {
  // Slack's error codes are safe and useful to show; anything else stays in the log.
  const slackCode = slackErrorCode(err);
  const why = slackCode
    ? `Slack said \`${slackCode}\``
    : "an internal error; the details are in flowbot's log";
  return `:x: I couldn't build the Flow view of <#${project.channelId}> (${why}). Try again in a minute; if it keeps failing, an admin can check \`/flow status\`.`;
}
