import { loadSignalSettings, saveSignalSettings } from "../../flow/metrics/signals-settings.ts";
import { findProject } from "../../flow/settings/project-settings.ts";
import { admin } from "../access/rules.ts";
import type { SlackRoutes } from "../access/slack-routes.ts";
import type { Subcommand } from "../commands/subcommand.ts";
import type { SlackServices } from "../slack-services.ts";
import { noticeModal } from "../views/notice-modal.ts";
import { readSettingsMetadata } from "./settings-metadata.ts";
import { SIGNALS_CALLBACK, signalsModal } from "./signals-modal.ts";
import { describeSignals, parseSignalsSubmission } from "./signals-submission.ts";

const TITLE = "Ageing signals";

/**
 * `/flow settings signals` (admins, in a project channel): which ageing signals the project uses
 * (docs/flow-metrics.md §8), the stalled signal's N and the stuck signal's rule, in a modal of its own.
 * Registers the modal's submission and returns what opens it; `/flow settings` routes to it.
 */
export function signalsSettings(routes: SlackRoutes, services: SlackServices): Pick<Subcommand, "run"> {
  const { db, sql } = services.database;

  routes.view(
    SIGNALS_CALLBACK,
    admin("change the ageing signals", "signals"),
    async ({ ack, view, client, access }) => {
      // The project and channel the modal was opened for, as recorded; the metadata must agree.
      const opened = access.view!;
      const meta = readSettingsMetadata(view.private_metadata);
      if (!meta || meta.projectId !== opened.projectId || meta.channelId !== opened.channelId) {
        await ack({
          response_action: "update",
          view: noticeModal(
            TITLE,
            "This dialog is damaged; nothing was saved. Run `/flow settings signals` again.",
          ),
        });
        return;
      }
      const parsed = parseSignalsSubmission(view.state.values);
      if (!parsed.ok) {
        await ack({ response_action: "errors", errors: parsed.errors });
        return;
      }
      const project = await findProject(db, access.teamId, meta.channelId);
      if (!project || project.id !== meta.projectId) {
        await ack({
          response_action: "update",
          view: noticeModal(TITLE, "This channel's project no longer exists; nothing was saved."),
        });
        return;
      }
      try {
        // One row: quick enough to save before answering Slack.
        await saveSignalSettings(sql, project.id, parsed.settings, access.userId);
      } catch (err) {
        services.logger.error({ err, projectId: project.id }, "saving the signal settings failed");
        await ack({
          response_action: "update",
          view: noticeModal(
            TITLE,
            ":x: The ageing signals could not be saved (database error); nothing changed. Try again in a minute.",
          ),
        });
        return;
      }
      await ack();
      services.logger.info({ projectId: project.id }, "signal settings saved");
      await client.chat
        .postEphemeral({
          channel: project.channelId,
          user: access.userId,
          text: `:white_check_mark: Ageing signals saved for <#${project.channelId}>.\n${describeSignals(parsed.settings)}`,
        })
        .catch((err: unknown) => services.logger.warn({ err }, "could not tell the admin about the signals"));
    },
  );

  return {
    async run({ ack, client, command, access }) {
      const project = await findProject(db, access.teamId, command.channel_id);
      if (!project) {
        await ack({
          response_type: "ephemeral",
          text: "This channel is not a flowbot project yet. Bind a ClickUp list here first with `/flow bind`, then run `/flow settings signals` again.",
        });
        return;
      }
      await ack();
      const current = await loadSignalSettings(sql, project.id);
      await services.openModal(client, {
        triggerId: command.trigger_id,
        view: signalsModal(project, current),
        kind: "signals",
        teamId: access.teamId,
        userId: access.userId,
        channelId: project.channelId,
        projectId: project.id,
      });
    },
  };
}
