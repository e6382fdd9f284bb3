import type { KnownBlock, View } from "@slack/types";
import type { MemberRow } from "../../people/member-map.ts";
import { clip, modal } from "../views/block-kit.ts";
import { escapeMrkdwn } from "../views/mrkdwn.ts";

export const PEOPLE_CALLBACK = "flow_people";

/** Block ids of the modal's inputs; `response_action: errors` names these. */
export const PEOPLE_FIELDS = { member: "people_member", slackUser: "people_slack_user" } as const;

/** Slack allows 100 options in a static select. */
const OPTIONS_MAX = 100;
/** Names listed per group in the modal's text. */
const LISTED = 40;

const text = (t: string) => ({ type: "plain_text" as const, text: t });

export const memberName = (m: Pick<MemberRow, "username" | "clickupUserId">) =>
  m.username?.trim() || `ClickUp user ${m.clickupUserId}`;

function listText(members: readonly MemberRow[]): string {
  const matched = members.filter((m) => m.slackUserId);
  const unmatched = members.filter((m) => !m.slackUserId);
  const names = (list: readonly MemberRow[], show: (m: MemberRow) => string) => {
    const shown = list.slice(0, LISTED).map(show).join(", ");
    return list.length > LISTED ? `${shown} and ${list.length - LISTED} more` : shown;
  };
  return [
    `*Matched (${matched.length})*: ${
      matched.length
        ? names(
            matched,
            (m) =>
              `${escapeMrkdwn(memberName(m))} → <@${m.slackUserId}>${m.matchedBy === "manual" ? " (by hand)" : ""}`,
          )
        : "none yet"
    }`,
    `*Unmatched (${unmatched.length})*: ${unmatched.length ? names(unmatched, (m) => escapeMrkdwn(memberName(m))) : "none"}`,
  ].join("\n");
}

/**
 * `/flow people`: the workspace's ClickUp members and the Slack users digests and alerts mention for them
 * (docs/clickup.md §17), and a form to map one by hand. `connectionId` is only compared with the connection
 * at submission, so a reconnect in between is noticed.
 */
export function peopleModal(connectionId: number, members: readonly MemberRow[]): View {
  const choices = [...members]
    .sort((a, b) => Number(Boolean(a.slackUserId)) - Number(Boolean(b.slackUserId)))
    .slice(0, OPTIONS_MAX);
  const blocks: KnownBlock[] = [
    {
      type: "section",
      text: {
        type: "mrkdwn",
        text: clip(
          `ClickUp members are matched to Slack users by email; digests and alerts mention the matched ones. Map a member whose emails differ by hand below (leave the Slack user empty to remove a mapping).\n${listText(members)}`,
          3000,
        ),
      },
    },
    {
      type: "input",
      block_id: PEOPLE_FIELDS.member,
      label: text("ClickUp member"),
      ...(members.length > OPTIONS_MAX
        ? { hint: text(`The first ${OPTIONS_MAX} are offered, unmatched first.`) }
        : {}),
      element: {
        type: "static_select",
        action_id: "value",
        placeholder: text("Choose a member"),
        options: choices.map((m) => ({
          text: text(clip(`${memberName(m)}${m.slackUserId ? " (matched)" : ""}`, 75)),
          value: String(m.clickupUserId),
        })),
      },
    },
    {
      type: "input",
      block_id: PEOPLE_FIELDS.slackUser,
      optional: true,
      label: text("Slack user"),
      element: { type: "users_select", action_id: "value", placeholder: text("Choose a Slack user") },
    },
  ];
  return modal({
    callbackId: PEOPLE_CALLBACK,
    privateMetadata: JSON.stringify({ connectionId }),
    title: "People",
    submit: "Save",
    blocks,
  });
}
