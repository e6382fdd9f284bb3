import { loadSignalSettings, saveSignalSettings } from "../../flow/metrics/signals-settings.ts";
import { admin } from "../access/rules.ts";
import type { SlackRoutes } from "../access/slack-routes.ts";
import type { Subcommand } from "../commands/subcommand.ts";
import type { SlackServices } from "../slack-services.ts";
import { noticeModal } from "../views/notice-modal.ts";
import { commandProject, submittedProject } from "./settings-metadata.ts";
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
      const project = await submittedProject(
        db,
        { ack, privateMetadata: view.private_metadata, access },
        { title: TITLE, command: "/flow settings signals" },
      );
      if (!project) return;
      const parsed = parseSignalsSubmission(view.state.values);
      if (!parsed.ok) {
        await ack({ response_action: "errors", errors: parsed.errors });
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
      const project = await commandProject(db, { ack, command, access }, "/flow settings signals");
      if (!project) return;
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
