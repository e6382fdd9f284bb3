/** Shapes shared by the Slack fake's state, routes and public API. */

export type JsonObject = Record<string, unknown>;

/** A seeded workspace member. Mirrors the subset of Slack's user object that flowbot reads (users.info). */
export interface SlackUserSeed {
  id: string;
  /** The user's own workspace (default the fake's): another one for a Slack Connect user. */
  team_id?: string;
  name?: string;
  real_name?: string;
  tz?: string;
  deleted?: boolean;
  is_admin?: boolean;
  is_owner?: boolean;
  is_primary_owner?: boolean;
  is_restricted?: boolean;
  is_ultra_restricted?: boolean;
  is_bot?: boolean;
  profile?: { email?: string; display_name?: string; real_name?: string };
}

export interface SlackChannelSeed {
  id: string;
  name: string;
  is_private?: boolean;
  is_archived?: boolean;
  /** Whether the bot has joined. Posting into a channel the bot is not in fails with `not_in_channel`. */
  is_member?: boolean;
  /** Member user ids (users.conversations answers from these). */
  members?: string[];
}

/** Who a token belongs to; auth.test answers from this. */
export interface TokenIdentity {
  teamId: string;
  userId: string;
  botId?: string;
  revoked?: boolean;
}

export interface BotIdentity {
  token: string;
  teamId: string;
  teamName: string;
  teamDomain: string;
  botUserId: string;
  botUserName: string;
  botId: string;
  appId: string;
}

export type BodyKind = "form" | "json" | "multipart" | "raw" | "empty";

/** One request the fake received, after parsing. `method` is the Web API method, or `upload` / `response_url`. */
export interface RecordedCall {
  method: string;
  args: JsonObject;
  token: string | undefined;
  bodyKind: BodyKind;
  at: number;
  status: number;
  response: unknown;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  text?: string;
  blocks?: unknown[];
  attachments?: unknown[];
  thread_ts?: string;
  files?: JsonObject[];
  edited?: boolean;
}

export interface StoredEphemeral {
  channel: string;
  user: string;
  message_ts: string;
  text?: string;
  blocks?: unknown[];
}

export interface TriggerRecord {
  issuedAt: number;
  used: boolean;
  userId: string;
}

export interface StoredView {
  userId: string;
  /** The view object exactly as the API returns it (id, hash, root_view_id, ...). */
  view: JsonObject;
}

export interface UploadRecord {
  id: string;
  filename: string;
  /** The byte length announced in files.getUploadURLExternal. */
  declaredLength: number;
  altText?: string;
  snippetType?: string;
  /** Filled by the upload POST. */
  bytes?: Uint8Array;
  contentType?: string;
  completed: boolean;
  title?: string;
  channelId?: string;
  initialComment?: string;
  threadTs?: string;
}

export interface ResponseUrlRecord {
  issuedAt: number;
  uses: number;
}

export interface ResponsePost {
  id: string;
  body: JsonObject;
  at: number;
  status: number;
  error?: string;
}

/** A canned failure served instead of the normal answer. */
export type InjectedFailure =
  | { type: "error"; error: string; extra?: JsonObject }
  | { type: "rate_limited"; retryAfter: number }
  | { type: "http"; status: number; body?: string };
