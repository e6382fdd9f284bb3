import { loadLabelSources } from "../../flow/segments/label-sources.ts";
import { loadSegmentDimension, saveSegmentDimension } from "../../flow/segments/segment-settings.ts";
import { admin } from "../access/rules.ts";
import type { SlackRoutes } from "../access/slack-routes.ts";
import type { SlackServices } from "../slack-services.ts";
import { noticeModal } from "../views/notice-modal.ts";
import { describeSegments, SEGMENTS_CALLBACK, segmentsModal } from "./segments-modal.ts";
import { parseSegmentsSubmission } from "./segments-submission.ts";
import { commandProject, type SettingsOpenContext, submittedProject } from "./settings-metadata.ts";

/**
 * `/flow settings segments` (admins, in a project channel): the project's segment dimension
 * (docs/flow-metrics.md §6.2–§6.3) in a modal of its own, recorded so that only the admin who opened it
 * can submit it, for the channel it was opened in. Returns the opener the settings subcommand routes to.
 */
export function segmentsSettings(
  routes: SlackRoutes,
  services: SlackServices,
): (ctx: SettingsOpenContext) => Promise<void> {
  const { db, sql } = services.database;

  routes.view(
    SEGMENTS_CALLBACK,
    admin("change segment settings", "segments"),
    async ({ ack, view, client, access }) => {
      const project = await submittedProject(
        db,
        { ack, privateMetadata: view.private_metadata, access },
        { title: "Segments", command: "/flow settings segments" },
      );
      if (!project) return;
      const { fields } = await loadLabelSources(sql, project.id);
      const parsed = parseSegmentsSubmission(view.state.values, fields);
      if (!parsed.ok) {
        await ack({ response_action: "errors", errors: parsed.errors });
        return;
      }
      try {
        await saveSegmentDimension(sql, project.id, parsed.dimension, {
          userId: access.userId,
          at: new Date(services.now()),
        });
      } catch (err) {
        services.logger.error({ err, projectId: project.id }, "saving segment settings failed");
        await ack({
          response_action: "update",
          view: noticeModal(
            "Segments",
            ":x: The segments could not be saved (database error); nothing changed. Try again in a minute.",
          ),
        });
        return;
      }
      await ack();
      services.logger.info(
        { projectId: project.id, dimension: parsed.dimension.kind },
        "segment settings saved",
      );
      // Metrics read the dimension when they are computed: nothing is derived again, nothing re-read from ClickUp.
      await client.chat
        .postEphemeral({
          channel: project.channelId,
          user: access.userId,
          text: `:white_check_mark: ${describeSegments(parsed.dimension, fields)} \`/flow report\` shows them from now on.`,
        })
        .catch((err: unknown) =>
          services.logger.warn({ err }, "could not tell the admin about the segments"),
        );
    },
  );

  return async ({ ack, client, command, access }) => {
    const project = await commandProject(db, { ack, command, access }, "/flow settings segments");
    if (!project) return;
    await ack();
    const [dimension, { fields }] = await Promise.all([
      loadSegmentDimension(sql, project.id),
      loadLabelSources(sql, project.id),
    ]);
    await services.openModal(client, {
      triggerId: command.trigger_id,
      view: segmentsModal(
        { projectId: project.id, channelId: project.channelId },
        dimension,
        fields,
        describeSegments(dimension, fields),
      ),
      kind: "segments",
      teamId: access.teamId,
      userId: access.userId,
      channelId: project.channelId,
      projectId: project.id,
    });
  };
}
