import { enqueueWipLimitChecks } from "../../flow/metrics/wip-limits-alert.ts";
import { saveProjectSettings, seenStatuses } from "../../flow/settings/project-settings.ts";
import { recomputeProjectRework } from "../../sync/timeline/index.ts";
import { admin } from "../access/rules.ts";
import type { SlackRoutes } from "../access/slack-routes.ts";
import type { Subcommand } from "../commands/subcommand.ts";
import type { SlackServices } from "../slack-services.ts";
import { noticeModal } from "../views/notice-modal.ts";
import { areasSummary } from "./areas-summary.ts";
import { blockedSettings } from "./blocked-settings.ts";
import { checkDigestChannel } from "./check-digest-channel.ts";
import { describeSettings } from "./describe-settings.ts";
import { holidaysSettings } from "./holidays-settings.ts";
import { limitsSettings } from "./limits-settings.ts";
import { parseSettingsSubmission } from "./parse-settings-submission.ts";
import { segmentsSettings } from "./segments-settings.ts";
import { commandProject, submittedProject } from "./settings-metadata.ts";
import { FIELDS, SETTINGS_CALLBACK, settingsModal } from "./settings-modal.ts";
import { signalsSettings } from "./signals-subcommand.ts";

/** `/flow settings` (admins, in a project channel): digest schedule, ageing threshold, clock and stage mapping. */
export function settingsSubcommand(routes: SlackRoutes, services: SlackServices): Subcommand {
  const { db } = services.database;
  // `/flow settings <area>` opens that area's own modal.
  const signals = signalsSettings(routes, services);
  const areas: Record<string, (ctx: Parameters<Subcommand["run"]>[0]) => Promise<void>> = {
    segments: segmentsSettings(routes, services),
    signals: (ctx) => signals.run(ctx),
    limits: limitsSettings(routes, services),
    blocked: blockedSettings(routes, services),
    holidays: holidaysSettings(routes, services),
  };

  routes.view(
    SETTINGS_CALLBACK,
    admin("change flow settings", "settings"),
    async ({ ack, view, client, access }) => {
      const { userId } = access;
      const project = await submittedProject(
        db,
        { ack, privateMetadata: view.private_metadata, access },
        { title: "Flow settings", command: "/flow settings" },
      );
      if (!project) return;
      const parsed = parseSettingsSubmission(view.state.values);
      if (!parsed.ok) {
        await ack({ response_action: "errors", errors: parsed.errors });
        return;
      }
      const channelProblem = parsed.settings.digestChannelId
        ? await checkDigestChannel(client, parsed.settings.digestChannelId, services.logger)
        : undefined;
      if (channelProblem) {
        await ack({ response_action: "errors", errors: { [FIELDS.digestChannel]: channelProblem } });
        return;
      }
      // Saving can take a while on a big project (a zone or mapping change re-derives every case's flow
      // facts), and Slack wants the ack within 3 s: close the modal first, then report the outcome.
      await ack();
      const tell = (text: string) =>
        client.chat
          .postEphemeral({ channel: project.channelId, user: userId, text })
          .catch((err: unknown) =>
            services.logger.warn({ err }, "could not tell the admin about the settings"),
          );
      let overridesChanged: boolean;
      try {
        ({ overridesChanged } = await saveProjectSettings(db, project.id, parsed.settings, parsed.stages));
      } catch (err) {
        services.logger.error({ err, projectId: project.id }, "saving project settings failed");
        await tell(
          ":x: The flow settings could not be saved (database error); nothing changed. Try again in a minute.",
        );
        return;
      }
      services.logger.info({ projectId: project.id, overridesChanged }, "project settings saved");
      let note = "";
      if (overridesChanged) {
        try {
          // The per-case flow facts follow stage_overrides through database triggers; rework events
          // are rebuilt here, since what counts as a flow-back depends on which statuses are active.
          await recomputeProjectRework(services.database.sql, project.id);
        } catch (err) {
          services.logger.error(
            { err, projectId: project.id },
            "recomputing rework after a stage mapping change failed",
          );
          note =
            "\n:warning: The stage mapping was saved, but rework events could not be recomputed; they follow the old mapping until the settings are saved again.";
        }
        // Stage limits count by the mapping: a changed one is judged again (docs/flow-metrics.md §10.1).
        await enqueueWipLimitChecks(services.database.sql, [project.id]).catch((err: unknown) =>
          services.logger.warn({ err, projectId: project.id }, "could not queue the WIP limit check"),
        );
      }
      const areas = await areasSummary(services.database.sql, project.id).catch((err: unknown) => {
        services.logger.warn({ err, projectId: project.id }, "could not describe the other settings areas");
        return "";
      });
      await tell(
        `:white_check_mark: Flow settings saved.\n${describeSettings(project.channelId, parsed.settings)}${areas}${note}`,
      );
    },
  );

  return {
    name: "settings",
    usage: "/flow settings [segments|signals|limits|blocked|holidays]",
    summary:
      "digest channel, days, time and time zone, ageing threshold, working days and stage mapping; `segments`: what the report segments tasks by; `signals`: the ageing signals (over SLE, stuck, stalled); `limits`: WIP limits and their alert; `blocked`: the rules that make a task blocked; `holidays`: public holidays and blackout dates of the working-day clock",
    access: admin("run `/flow settings`"),
    async run(ctx) {
      const { ack, client, command, access, args } = ctx;
      const area = args[0]?.toLowerCase();
      if (area !== undefined) {
        const open = Object.hasOwn(areas, area) ? areas[area] : undefined;
        if (!open) {
          await ack({
            response_type: "ephemeral",
            text: `\`/flow settings ${area.replace(/`/g, "'").slice(0, 40)}\` is not a settings area. Run \`/flow settings\` for the project's settings, or \`/flow settings ${Object.keys(areas).join("` or `/flow settings ")}\`.`,
          });
          return;
        }
        await open(ctx);
        return;
      }
      const project = await commandProject(db, ctx, "/flow settings");
      if (!project) return;
      await ack();
      // The trigger id expires 3 s after the command; collecting a big project's statuses can take
      // longer, so the modal opens at once and is filled in when they are known.
      const viewId = await services.openModal(client, {
        triggerId: command.trigger_id,
        view: noticeModal(
          "Flow settings",
          ":hourglass_flowing_sand: Loading this project's settings and statuses…",
        ),
        kind: "settings",
        teamId: access.teamId,
        userId: access.userId,
        channelId: project.channelId,
        projectId: project.id,
      });
      const statuses = await seenStatuses(db, project.id);
      await client.views.update({ view_id: viewId, view: settingsModal(project, statuses) });
    },
  };
}
