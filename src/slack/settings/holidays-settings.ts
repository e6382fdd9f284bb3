import { loadHolidaySettings, saveHolidaySettings } from "../../flow/holidays/save-holidays.ts";
import { admin } from "../access/rules.ts";
import type { SlackRoutes } from "../access/slack-routes.ts";
import type { SlackServices } from "../slack-services.ts";
import { describeHolidays, HOLIDAYS_CALLBACK, holidaysModal } from "./holidays-modal.ts";
import { parseHolidaysSubmission } from "./holidays-submission.ts";
import { commandProject, type SettingsOpenContext, submittedProject } from "./settings-metadata.ts";

/**
 * `/flow settings holidays` (admins, in a project channel): the project's holiday calendar and blackout
 * dates (docs/flow-metrics.md §11) in a modal of its own, recorded so that only the admin who opened it
 * can submit it, for the channel it was opened in. Saving a changed list derives the project's
 * working-day numbers again. Returns the opener the settings subcommand routes to.
 */
export function holidaysSettings(
  routes: SlackRoutes,
  services: SlackServices,
): (ctx: SettingsOpenContext) => Promise<void> {
  const { db, sql } = services.database;

  routes.view(
    HOLIDAYS_CALLBACK,
    admin("change holiday settings", "holidays"),
    async ({ ack, view, client, access }) => {
      const project = await submittedProject(
        db,
        { ack, privateMetadata: view.private_metadata, access },
        { title: "Holidays", command: "/flow settings holidays" },
      );
      if (!project) return;
      const parsed = parseHolidaysSubmission(view.state.values);
      if (!parsed.ok) {
        await ack({ response_action: "errors", errors: parsed.errors });
        return;
      }
      // Slack waits 3 s for the answer; re-deriving a large project can take longer, so acknowledge first
      // and report the outcome in the channel.
      await ack();
      const { calendar, blackouts } = parsed.settings;
      const shown = {
        country: calendar?.country ?? null,
        region: calendar?.region ?? null,
        blackouts: blackouts.entries,
      };
      let text: string;
      try {
        const saved = await saveHolidaySettings(sql, project.id, parsed.settings, access.userId);
        services.logger.info({ projectId: project.id, ...saved }, "holiday settings saved");
        text = `:white_check_mark: ${describeHolidays(shown)} ${
          saved.listChanged
            ? project.workingDays
              ? "Working-day numbers are recomputed with them."
              : "They count once the project uses the working-day clock (`/flow settings`)."
            : "The list of days off is unchanged, so no number moves."
        }`;
      } catch (err) {
        services.logger.error({ err, projectId: project.id }, "saving holiday settings failed");
        text =
          ":x: The holidays could not be saved (database error); nothing changed. Try again in a minute.";
      }
      await client.chat
        .postEphemeral({ channel: project.channelId, user: access.userId, text })
        .catch((err: unknown) =>
          services.logger.warn({ err }, "could not tell the admin about the holidays"),
        );
    },
  );

  return async ({ ack, client, command, access }) => {
    const project = await commandProject(db, { ack, command, access }, "/flow settings holidays");
    if (!project) return;
    await ack();
    const current = (await loadHolidaySettings(sql, project.id)) ?? {
      country: null,
      region: null,
      blackouts: [],
    };
    await services.openModal(client, {
      triggerId: command.trigger_id,
      view: holidaysModal({ projectId: project.id, channelId: project.channelId }, current),
      kind: "holidays",
      teamId: access.teamId,
      userId: access.userId,
      channelId: project.channelId,
      projectId: project.id,
    });
  };
}
