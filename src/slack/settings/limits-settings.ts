import { enqueueWipLimitChecks } from "../../flow/metrics/wip-limits-alert.ts";
import { loadWipLimits, saveWipLimits } from "../../flow/metrics/wip-limits-settings.ts";
import { seenStatuses } from "../../flow/settings/project-settings.ts";
import { admin } from "../access/rules.ts";
import type { SlackRoutes } from "../access/slack-routes.ts";
import type { SlackServices } from "../slack-services.ts";
import { noticeModal } from "../views/notice-modal.ts";
import { LIMITS_CALLBACK, type LimitableStatus, limitsModal } from "./limits-modal.ts";
import { parseLimitsSubmission } from "./limits-submission.ts";
import { describeLimits } from "./limits-summary.ts";
import { commandProject, type SettingsOpenContext, submittedProject } from "./settings-metadata.ts";

/** Each input block's label, by block id, from the submitted view (so errors name the status). */
function blockLabels(blocks: unknown): Map<string, string> {
  const labels = new Map<string, string>();
  if (!Array.isArray(blocks)) return labels;
  for (const b of blocks as { block_id?: unknown; label?: { text?: unknown } }[]) {
    if (typeof b.block_id === "string" && typeof b.label?.text === "string")
      labels.set(b.block_id, b.label.text);
  }
  return labels;
}

/**
 * `/flow settings limits` (admins, in a project channel): the project's WIP limits and the immediate
 * alert (docs/flow-metrics.md §10.1) in a modal of its own, recorded so that only the admin who opened
 * it can submit it, for the channel it was opened in. Returns the opener the settings subcommand routes to.
 */
export function limitsSettings(
  routes: SlackRoutes,
  services: SlackServices,
): (ctx: SettingsOpenContext) => Promise<void> {
  const { db, sql } = services.database;

  routes.view(
    LIMITS_CALLBACK,
    admin("change WIP limits", "limits"),
    async ({ ack, view, client, access }) => {
      const project = await submittedProject(
        db,
        { ack, privateMetadata: view.private_metadata, access },
        { title: "WIP limits", command: "/flow settings limits" },
      );
      if (!project) return;
      const parsed = parseLimitsSubmission(view.state.values, blockLabels(view.blocks));
      if (!parsed.ok) {
        await ack({ response_action: "errors", errors: parsed.errors });
        return;
      }
      try {
        await saveWipLimits(sql, project.id, parsed.settings, {
          userId: access.userId,
          at: new Date(services.now()),
        });
      } catch (err) {
        services.logger.error({ err, projectId: project.id }, "saving WIP limits failed");
        await ack({
          response_action: "update",
          view: noticeModal(
            "WIP limits",
            ":x: The WIP limits could not be saved (database error); nothing changed. Try again in a minute.",
          ),
        });
        return;
      }
      await ack();
      services.logger.info(
        {
          projectId: project.id,
          limits: parsed.settings.limits.length,
          alertAtOnce: parsed.settings.alertAtOnce,
        },
        "WIP limits saved",
      );
      // A settings change is a change the alert judges (§10.1): a new or changed limit already over fires.
      await enqueueWipLimitChecks(sql, [project.id]).catch((err: unknown) =>
        services.logger.warn({ err, projectId: project.id }, "could not queue the WIP limit check"),
      );
      await client.chat
        .postEphemeral({
          channel: project.channelId,
          user: access.userId,
          text: `:white_check_mark: ${describeLimits(parsed.settings)}`,
        })
        .catch((err: unknown) =>
          services.logger.warn({ err }, "could not tell the admin about the WIP limits"),
        );
    },
  );

  return async ({ ack, client, command, access }) => {
    const project = await commandProject(db, { ack, command, access }, "/flow settings limits");
    if (!project) return;
    await ack();
    // The trigger id expires 3 s after the command; collecting a big project's statuses can take
    // longer, so the modal opens at once and is filled in when they are known.
    const viewId = await services.openModal(client, {
      triggerId: command.trigger_id,
      view: noticeModal("WIP limits", ":hourglass_flowing_sand: Loading this project's statuses and limits…"),
      kind: "limits",
      teamId: access.teamId,
      userId: access.userId,
      channelId: project.channelId,
      projectId: project.id,
    });
    const [seen, current] = await Promise.all([seenStatuses(db, project.id), loadWipLimits(sql, project.id)]);
    // Statuses that are not done (§10.1: done takes no limit), and any status already limited.
    const statuses: LimitableStatus[] = seen
      .filter((s) => (s.override ?? s.defaultStage) !== "done")
      .map((s) => ({ key: s.key, name: s.name }));
    for (const l of current.limits) {
      if (l.kind === "status" && !statuses.some((s) => s.key === l.key))
        statuses.push({ key: l.key, name: l.key });
    }
    await client.views.update({
      view_id: viewId,
      view: limitsModal({ projectId: project.id, channelId: project.channelId }, statuses, current),
    });
  };
}
