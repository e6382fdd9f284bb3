import { z } from "zod";

/** The kinds of Slack payload a listener can be registered for. */
export type PayloadKind = "command" | "action" | "view" | "options" | "shortcut" | "event";

/**
 * What the guard reads from a Slack payload: who asks, for which workspace, from where. Only Slack sets
 * these fields (the request is signed); values the app itself put in the payload (button values,
 * private_metadata) are not here — handlers validate those against the database.
 */
export type AccessRequest = {
  kind: PayloadKind;
  /** For logs: "/flow connect", "action binding_pause", "view flow_bind", … */
  entry: string;
  /** The workspace the request was made in. */
  teamId: string | undefined;
  userId: string | undefined;
  /** The user's own workspace as the payload states it (differs for Slack Connect users). */
  userTeamId: string | undefined;
  channelId: string | undefined;
  /** The modal the request came from, and the root of its stack (a pushed view's first view). */
  viewId: string | undefined;
  rootViewId: string | undefined;
  /** An action's value (buttons) or selected option, as sent. */
  value: string | undefined;
  responseUrl: string | undefined;
};

const id = z.string().min(1).optional().catch(undefined);
const ref = z.object({ id }).nullish().catch(undefined);

const commandSchema = z.object({
  command: z.string().catch(""),
  text: z.string().catch(""),
  team_id: id,
  user_id: id,
  channel_id: id,
  response_url: id,
});

const interactionSchema = z.object({
  type: z.string().catch(""),
  team: ref,
  user: z.object({ id, team_id: id }).nullish().catch(undefined),
  channel: ref,
  container: z.object({ channel_id: id }).nullish().catch(undefined),
  view: z.object({ id, root_view_id: id, callback_id: id, team_id: id }).nullish().catch(undefined),
  actions: z
    .array(
      z.object({
        action_id: id,
        value: id,
        selected_option: z.object({ value: id }).nullish().catch(undefined),
      }),
    )
    .optional()
    .catch(undefined),
  action_id: id,
  callback_id: id,
  value: z.string().optional().catch(undefined),
  response_url: id,
});

const eventSchema = z.object({
  team_id: id,
  event: z.object({ type: z.string().catch(""), user: id, channel: id }).catch({ type: "" }),
});

/** Reads the guard's view of a payload; never throws (missing fields stay undefined and are refused). */
export function readRequest(kind: PayloadKind, body: unknown): AccessRequest {
  const none = { viewId: undefined, rootViewId: undefined, value: undefined, responseUrl: undefined };
  if (kind === "command") {
    const c = parseOr(commandSchema, body);
    const sub = c.text.trim().split(/\s+/)[0] ?? "";
    return {
      ...none,
      kind,
      entry: `${c.command}${sub ? ` ${sub.toLowerCase()}` : ""}`,
      teamId: c.team_id,
      userId: c.user_id,
      userTeamId: undefined,
      channelId: c.channel_id,
      responseUrl: c.response_url,
    };
  }
  if (kind === "event") {
    const e = parseOr(eventSchema, body);
    return {
      ...none,
      kind,
      entry: `event ${e.event.type}`,
      teamId: e.team_id,
      userId: e.event.user,
      userTeamId: undefined,
      channelId: e.event.channel,
    };
  }
  const p = parseOr(interactionSchema, body);
  const action = p.actions?.[0];
  const name =
    kind === "action"
      ? action?.action_id
      : kind === "options"
        ? p.action_id
        : kind === "view"
          ? p.view?.callback_id
          : p.callback_id;
  return {
    kind,
    entry: `${kind} ${name ?? "?"}`,
    // Slack Connect and Enterprise payloads may leave `team` null; the user's team then says where.
    teamId: p.team?.id ?? p.view?.team_id ?? p.user?.team_id,
    userId: p.user?.id,
    userTeamId: p.user?.team_id,
    channelId: p.channel?.id ?? p.container?.channel_id,
    viewId: p.view?.id,
    rootViewId: p.view?.root_view_id,
    value: kind === "options" ? p.value : (action?.value ?? action?.selected_option?.value),
    responseUrl: p.response_url,
  };
}

function parseOr<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const parsed = schema.safeParse(body);
  return parsed.success ? parsed.data : schema.parse({});
}
