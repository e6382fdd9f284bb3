import type { KnownBlock, View } from "@slack/types";
import { modal } from "../views/block-kit.ts";
import { escapeMrkdwn } from "../views/mrkdwn.ts";

export const HOLIDAYS_CALLBACK = "flow_settings_holidays";

/** Block ids of the modal's inputs; `response_action: errors` names these. */
export const HOLIDAY_FIELDS = {
  country: "holiday_country",
  region: "holiday_region",
  blackouts: "holiday_blackouts",
} as const;

/** What the modal's `private_metadata` carries. */
export type HolidaysMetadata = { projectId: number; channelId: string };

/** The saved settings as the modal shows them. */
export type HolidaysShown = { country: string | null; region: string | null; blackouts: string[] };

const text = (t: string) => ({ type: "plain_text" as const, text: t });

/** The settings in a sentence (the modal and the saved confirmation). */
export function describeHolidays(s: HolidaysShown): string {
  const calendar = s.country
    ? `public holidays of ${escapeMrkdwn(s.region ? `${s.country}-${s.region}` : s.country)}`
    : "no holiday calendar";
  const blackouts = s.blackouts.length
    ? `${s.blackouts.length} blackout ${s.blackouts.length === 1 ? "entry" : "entries"}`
    : "no blackout dates";
  return `Holidays: ${calendar}, ${blackouts}.`;
}

/** The `/flow settings holidays` modal (docs/flow-metrics.md §11), filled in with the current settings. */
export function holidaysModal(project: HolidaysMetadata, current: HolidaysShown): View {
  const blocks: KnownBlock[] = [
    {
      type: "section",
      text: {
        type: "mrkdwn",
        text: `Holidays of <#${project.channelId}>: on the working-day clock, public holidays of the calendar and the blackout dates count as weekend days (age, cycle and lead time, SLE, signals). Saving a change recomputes the project's numbers. ${describeHolidays(current)}`,
      },
    },
    {
      type: "input",
      block_id: HOLIDAY_FIELDS.country,
      optional: true,
      label: text("Country"),
      hint: text("ISO 3166-1 code, e.g. DE, US, GB. Empty: no public holidays."),
      element: {
        type: "plain_text_input",
        action_id: "value",
        max_length: 10,
        placeholder: text("DE"),
        ...(current.country ? { initial_value: current.country } : {}),
      },
    },
    {
      type: "input",
      block_id: HOLIDAY_FIELDS.region,
      optional: true,
      label: text("Region"),
      hint: text("Optional, e.g. BY or DE-BY for Bavaria."),
      element: {
        type: "plain_text_input",
        action_id: "value",
        max_length: 20,
        placeholder: text("BY"),
        ...(current.region ? { initial_value: current.region } : {}),
      },
    },
    {
      type: "input",
      block_id: HOLIDAY_FIELDS.blackouts,
      optional: true,
      label: text("Blackout dates"),
      hint: text("YYYY-MM-DD or an inclusive range YYYY-MM-DD..YYYY-MM-DD, one per line or comma-separated."),
      element: {
        type: "plain_text_input",
        action_id: "value",
        multiline: true,
        max_length: 3000,
        placeholder: text("2026-12-24\n2026-12-28..2026-12-31"),
        ...(current.blackouts.length ? { initial_value: current.blackouts.join("\n") } : {}),
      },
    },
  ];
  return modal({
    callbackId: HOLIDAYS_CALLBACK,
    privateMetadata: JSON.stringify(project),
    title: "Holidays",
    submit: "Save",
    blocks,
  });
}
