import { loadBlockedRules, saveBlockedRules } from "../../flow/metrics/blocked-rules.ts";
import { loadLabelSources } from "../../flow/segments/label-sources.ts";
import { admin } from "../access/rules.ts";
import type { SlackRoutes } from "../access/slack-routes.ts";
import type { SlackServices } from "../slack-services.ts";
import { noticeModal } from "../views/notice-modal.ts";
import { BLOCKED_CALLBACK, blockedModal, describeBlockedRules } from "./blocked-modal.ts";
import { parseBlockedSubmission } from "./blocked-submission.ts";
import { commandProject, type SettingsOpenContext, submittedProject } from "./settings-metadata.ts";

/**
 * `/flow settings blocked` (admins, in a project channel): the project's blocked rules
 * (docs/flow-metrics.md §9.1) in a modal of its own, recorded so that only the admin who opened it can
 * submit it, for the channel it was opened in. Returns the opener the settings subcommand routes to.
 */
export function blockedSettings(
  routes: SlackRoutes,
  services: SlackServices,
): (ctx: SettingsOpenContext) => Promise<void> {
  const { db, sql } = services.database;

  routes.view(
    BLOCKED_CALLBACK,
    admin("change blocked rules", "blocked"),
    async ({ ack, view, client, access }) => {
      const project = await submittedProject(
        db,
        { ack, privateMetadata: view.private_metadata, access },
        { title: "Blocked rules", command: "/flow settings blocked" },
      );
      if (!project) return;
      const { fields } = await loadLabelSources(sql, project.id);
      const parsed = parseBlockedSubmission(view.state.values, fields);
      if (!parsed.ok) {
        await ack({ response_action: "errors", errors: parsed.errors });
        return;
      }
      try {
        // Re-derives the project's intervals (db/functions/blocked-intervals.sql) in the same statement.
        await saveBlockedRules(sql, project.id, parsed.rules, {
          userId: access.userId,
          at: new Date(services.now()),
        });
      } catch (err) {
        services.logger.error({ err, projectId: project.id }, "saving blocked rules failed");
        await ack({
          response_action: "update",
          view: noticeModal(
            "Blocked rules",
            ":x: The blocked rules could not be saved (database error); nothing changed. Try again in a minute.",
          ),
        });
        return;
      }
      await ack();
      services.logger.info({ projectId: project.id, rules: parsed.rules }, "blocked rules saved");
      await client.chat
        .postEphemeral({
          channel: project.channelId,
          user: access.userId,
          text: `:white_check_mark: ${describeBlockedRules(parsed.rules, fields)} Blocked intervals were derived again from the tags, values and dependencies tasks carry now; earlier changes are not kept, so an interval that began and ended before this save is not counted.`,
        })
        .catch((err: unknown) =>
          services.logger.warn({ err }, "could not tell the admin about the blocked rules"),
        );
    },
  );

  return async ({ ack, client, command, access }) => {
    const project = await commandProject(db, { ack, command, access }, "/flow settings blocked");
    if (!project) return;
    await ack();
    const [rules, { fields }] = await Promise.all([
      loadBlockedRules(sql, project.id),
      loadLabelSources(sql, project.id),
    ]);
    await services.openModal(client, {
      triggerId: command.trigger_id,
      view: blockedModal(
        { projectId: project.id, channelId: project.channelId },
        rules,
        fields,
        describeBlockedRules(rules, fields),
      ),
      kind: "blocked",
      teamId: access.teamId,
      userId: access.userId,
      channelId: project.channelId,
      projectId: project.id,
    });
  };
}
