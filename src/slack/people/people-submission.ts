import { z } from "zod";
import { PEOPLE_FIELDS } from "./people-modal.ts";

const elementState = z
  .object({
    selected_option: z.object({ value: z.string() }).nullish(),
    selected_user: z.string().nullish(),
  })
  .loose();
const stateValues = z.record(z.string(), z.record(z.string(), elementState));

export type ParsedPeople =
  | { ok: true; clickupUserId: number; slackUserId: string | null }
  | { ok: false; errors: Record<string, string> };

/**
 * Reads the `/flow people` form. Only the shape is checked here: whether the member belongs to this
 * workspace's connection and the Slack user to this workspace is checked against the database and Slack.
 */
export function parsePeopleSubmission(values: unknown): ParsedPeople {
  const parsed = stateValues.safeParse(values);
  if (!parsed.success)
    return { ok: false, errors: { [PEOPLE_FIELDS.member]: "The form arrived incomplete; try again." } };
  const member = parsed.data[PEOPLE_FIELDS.member]?.value?.selected_option?.value ?? "";
  const slackUser = parsed.data[PEOPLE_FIELDS.slackUser]?.value?.selected_user ?? null;
  if (!/^\d{1,15}$/.test(member))
    return { ok: false, errors: { [PEOPLE_FIELDS.member]: "Choose a ClickUp member." } };
  if (slackUser !== null && !/^[UW][A-Z0-9]{2,20}$/.test(slackUser))
    return { ok: false, errors: { [PEOPLE_FIELDS.slackUser]: "That is not a Slack user." } };
  return { ok: true, clickupUserId: Number(member), slackUserId: slackUser };
}
