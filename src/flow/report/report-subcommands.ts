import type { App, BlockAction, ButtonAction, RespondFn } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import type { Subcommand } from "../../slack/commands/subcommand.ts";
import type { SlackServices } from "../../slack/slack-services.ts";
import { buildReport, decodeShareValue, slackErrorCode } from "./build-report.ts";
import { SHARE_ACTION_ID } from "./flow-view-blocks.ts";
import { parseWindow } from "./parse-window.ts";
import { findProjectByChannel, findProjectById, type ReportProject } from "./report-projects.ts";

/** App Home button: the project's report, sent to the user in the app's DM. */
export const HOME_OPEN_REPORT_ACTION_ID = "flow_home_open_report";

/** `/flow report` and the Flow view's Slack actions (Share to channel, Open report from the App Home). */
export function reportSubcommands(app: App, services: SlackServices): Subcommand[] {
  const { database, logger } = services;
  const deps = (client: WebClient) => ({ db: database.db, client, logger });

  app.action<BlockAction<ButtonAction>>(SHARE_ACTION_ID, async ({ ack, body, action, client, respond }) => {
    await ack();
    const teamId = body.team?.id ?? body.user.team_id ?? "";
    const share = decodeShareValue(action.value);
    const project = share ? await findProjectById(database.db, teamId, share.p) : null;
    if (!share || !project) {
      await ephemeral(
        respond,
        ":warning: This report's channel is no longer a flowbot project, so it can't be shared. Run `/flow report` in the project channel for a fresh one.",
      );
      return;
    }
    try {
      const built = await buildReport(deps(client), project, {
        at: new Date(share.t),
        windowDays: share.d,
        shareable: false,
        sharedBy: body.user.id,
        ...(share.a ? { files: { ageing: share.a, ...(share.c ? { cycleTime: share.c } : {}) } } : {}),
      });
      await client.chat.postMessage({ channel: project.channelId, ...built.message, unfurl_links: false });
      await ephemeral(respond, `:white_check_mark: Shared the Flow view to <#${project.channelId}>.`);
    } catch (err) {
      const code = slackErrorCode(err);
      logger.warn({ err, projectId: project.id }, "sharing a flow report failed");
      await ephemeral(respond, shareFailure(code, project));
    }
  });

  app.action<BlockAction<ButtonAction>>(HOME_OPEN_REPORT_ACTION_ID, async ({ ack, body, action, client }) => {
    await ack();
    const teamId = body.team?.id ?? body.user.team_id ?? "";
    const userId = body.user.id;
    const project = await findProjectById(database.db, teamId, Number(action.value));
    if (!project) {
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
      });
      await client.chat.postMessage({ channel: userId, ...built.message, unfurl_links: false });
    } catch (err) {
      logger.error({ err, projectId: project.id }, "flow report from the App Home failed");
      await client.chat.postMessage({ channel: userId, text: failureText(project, err) });
    }
  });

  return [
    {
      name: "report",
      usage: "/flow report [30d|90d|12w]",
      summary:
        "This channel's Flow view, just for you: cycle time, SLE, throughput, WIP, ageing tasks, rework and two charts, with a Share to channel button",
      async run({ args, command, ack, respond, client }) {
        const window = parseWindow(args);
        if (!window.ok) {
          await ack({ response_type: "ephemeral", text: window.message });
          return;
        }
        const project = await findProjectByChannel(database.db, command.team_id, command.channel_id);
        if (!project) {
          await ack({
            response_type: "ephemeral",
            text: `:link: <#${command.channel_id}> has no ClickUp list, folder or space bound to it, so there is no flow to report. Run \`/flow bind\` here first (flowbot admins), then \`/flow report\`.`,
          });
          return;
        }
        const days = window.days ?? project.windowDays;
        await ack({
          response_type: "ephemeral",
          text: `:hourglass_flowing_sand: Building the Flow view of <#${project.channelId}> for the last ${days} days…`,
        });
        try {
          const built = await buildReport(deps(client), project, {
            at: new Date(services.now()),
            windowDays: days,
            shareable: true,
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
  const slackCode = (err as { data?: { error?: string } })?.data?.error;
  const why = slackCode
    ? `Slack said \`${slackCode}\``
    : "an internal error; the details are in flowbot's log";
  return `:x: I couldn't build the Flow view of <#${project.channelId}> (${why}). Try again in a minute; if it keeps failing, an admin can check \`/flow status\`.`;
}
