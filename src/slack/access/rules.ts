import type { AccessRequest } from "./read-request.ts";

/** The flows whose modals are recorded (slack_views) and re-checked on everything sent from them. */
export type ViewKind =
  | "connect"
  | "disconnect"
  | "bind"
  | "settings"
  | "segments"
  | "signals"
  | "limits"
  | "blocked"
  | "holidays"
  | "people";

/** Which channel a request concerns, or why it concerns none flowbot accepts. */
export type ChannelAnswer = { channelId: string } | { refused: string };

/**
 * Who may use an entry point. Every Slack listener declares one (see slack-routes.ts), and the guard
 * enforces it before the listener runs:
 * - `anyone`: any user of the workspace flowbot is installed in;
 * - `admin`: a flowbot admin of that workspace; with `view`, only from a modal of that kind which this
 *   user opened, the modal's recorded channel being the one the request acts on;
 * - `channel member`: a member of the channel `channel` names (e.g. the project channel a button's
 *   project belongs to, looked up in the database rather than taken from the payload).
 */
export type Rule =
  | { who: "anyone" }
  | { who: "admin"; does: string; view?: ViewKind }
  | { who: "channel member"; does: string; channel: (request: AccessRequest) => Promise<ChannelAnswer> };

export const anyone = (): Rule => ({ who: "anyone" });

/** @param does what the refusal says only admins can do, e.g. "pause bindings". */
export const admin = (does: string, view?: ViewKind): Rule => ({
  who: "admin",
  does,
  ...(view ? { view } : {}),
});

export const channelMember = (
  does: string,
  channel: (request: AccessRequest) => Promise<ChannelAnswer>,
): Rule => ({ who: "channel member", does, channel });

/** The command that opens each recorded modal, for messages that say how to start again. */
export const VIEW_COMMANDS: Record<ViewKind, string> = {
  connect: "/flow connect",
  disconnect: "/flow disconnect",
  bind: "/flow bind",
  settings: "/flow settings",
  segments: "/flow settings segments",
  signals: "/flow settings signals",
  limits: "/flow settings limits",
  blocked: "/flow settings blocked",
  holidays: "/flow settings holidays",
  people: "/flow people",
};
