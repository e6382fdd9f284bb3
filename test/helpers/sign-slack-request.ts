import { createHmac } from "node:crypto";

/**
 * Builds requests the way Slack sends them to an app: signed with the app's signing secret
 * (HMAC-SHA256 over "v0:{timestamp}:{raw body}", hex, prefixed "v0="), with Slack's body encodings.
 * Spec: docs.slack.dev/authentication/verifying-requests-from-slack.
 */

export interface SlackSignatureHeaders {
  "X-Slack-Signature": string;
  "X-Slack-Request-Timestamp": string;
}

export interface SignOptions {
  signingSecret: string;
  body: string;
  /** Unix seconds. Defaults to the injected clock. */
  timestamp?: number;
  /** Milliseconds since the epoch. */
  now?: () => number;
}

/** "v0=" + hex HMAC-SHA256 of "v0:{timestamp}:{body}". */
export function slackSignature(signingSecret: string, timestamp: number, body: string): string {
  return `v0=${createHmac("sha256", signingSecret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}

export function signSlackRequest({
  signingSecret,
  body,
  timestamp,
  now = Date.now,
}: SignOptions): SlackSignatureHeaders {
  const ts = timestamp ?? Math.floor(now() / 1000);
  return {
    "X-Slack-Signature": slackSignature(signingSecret, ts, body),
    "X-Slack-Request-Timestamp": String(ts),
  };
}

/** Where to send the request and how to sign it, including ways to break the signature for negative tests. */
export interface SignedRequestOptions {
  url: string;
  signingSecret: string;
  now?: () => number;
  /** Unix seconds; overrides `now`. */
  timestamp?: number;
  /** Moves the timestamp into the past, e.g. 301 to fall outside Bolt's five-minute window. */
  ageSeconds?: number;
  /** Flips one hex digit of the signature after signing. */
  corruptSignature?: boolean;
  /** Sends a different body from the one that was signed. */
  tamperBody?: (signedBody: string) => string;
  /** Sends no signature headers at all. */
  unsigned?: boolean;
  headers?: Record<string, string>;
}

export const FORM_CONTENT_TYPE = "application/x-www-form-urlencoded";
export const JSON_CONTENT_TYPE = "application/json";

export function buildSignedRequest(
  options: SignedRequestOptions & { body: string; contentType: string },
): Request {
  const { url, signingSecret, now = Date.now, ageSeconds = 0, body, contentType } = options;
  const timestamp = (options.timestamp ?? Math.floor(now() / 1000)) - ageSeconds;
  const signed = signSlackRequest({ signingSecret, body, timestamp });
  if (options.corruptSignature) signed["X-Slack-Signature"] = flipLastHexDigit(signed["X-Slack-Signature"]);
  return new Request(url, {
    method: "POST",
    headers: {
      "Content-Type": contentType,
      ...(options.unsigned ? {} : signed),
      ...options.headers,
    },
    body: options.tamperBody ? options.tamperBody(body) : body,
  });
}

function flipLastHexDigit(signature: string): string {
  const last = signature.at(-1);
  return `${signature.slice(0, -1)}${last === "0" ? "1" : "0"}`;
}

/** The fields of a slash command POST, in the order Slack sends them. */
export interface SlashCommandFields {
  token?: string;
  team_id?: string;
  team_domain?: string;
  enterprise_id?: string;
  enterprise_name?: string;
  channel_id?: string;
  channel_name?: string;
  user_id?: string;
  user_name?: string;
  command?: string;
  text?: string;
  api_app_id?: string;
  is_enterprise_install?: boolean;
  response_url?: string;
  trigger_id?: string;
}

/** Defaults line up with the Slack fake's default workspace (T0FAKETEAM / A0FAKEAPP). */
export function slashCommandFields(fields: SlashCommandFields = {}): Record<string, string> {
  const teamId = fields.team_id ?? "T0FAKETEAM";
  return {
    // The legacy verification token; Slack still sends it, Bolt ignores it.
    token: fields.token ?? "fake-verification-token",
    team_id: teamId,
    team_domain: fields.team_domain ?? "fake-team",
    ...(fields.enterprise_id ? { enterprise_id: fields.enterprise_id } : {}),
    ...(fields.enterprise_name ? { enterprise_name: fields.enterprise_name } : {}),
    channel_id: fields.channel_id ?? "C0FAKECHAN",
    channel_name: fields.channel_name ?? "general",
    user_id: fields.user_id ?? "U0FAKEUSER",
    user_name: fields.user_name ?? "fake.user",
    command: fields.command ?? "/flow",
    text: fields.text ?? "",
    api_app_id: fields.api_app_id ?? "A0FAKEAPP",
    is_enterprise_install: String(fields.is_enterprise_install ?? false),
    response_url:
      fields.response_url ?? `https://hooks.slack.com/commands/${teamId}/1000000001/fakeResponseUrl`,
    trigger_id: fields.trigger_id ?? "1000000001.1000000001.0123456789abcdef0123456789abcdef",
  };
}

export function slashCommandRequest(options: SignedRequestOptions & SlashCommandFields): Request {
  return buildSignedRequest({
    ...options,
    body: new URLSearchParams(slashCommandFields(options)).toString(),
    contentType: FORM_CONTENT_TYPE,
  });
}

/** Interactivity (block_actions, view_submission, block_suggestion, shortcuts): form body `payload=<json>`. */
export function interactionRequest(options: SignedRequestOptions & { payload: object }): Request {
  return buildSignedRequest({
    ...options,
    body: new URLSearchParams({ payload: JSON.stringify(options.payload) }).toString(),
    contentType: FORM_CONTENT_TYPE,
  });
}

/** Events API: a JSON body. Retries carry X-Slack-Retry-Num / X-Slack-Retry-Reason. */
export function eventRequest(
  options: SignedRequestOptions & { body: object; retryNum?: number; retryReason?: string },
): Request {
  const retry = {
    ...(options.retryNum !== undefined ? { "X-Slack-Retry-Num": String(options.retryNum) } : {}),
    ...(options.retryReason ? { "X-Slack-Retry-Reason": options.retryReason } : {}),
  };
  return buildSignedRequest({
    ...options,
    headers: { ...retry, ...options.headers },
    body: JSON.stringify(options.body),
    contentType: JSON_CONTENT_TYPE,
  });
}

/**
 * Slack's periodic certificate check: a form POST with ssl_check=1. Bolt answers it before verifying
 * signatures, so it is unsigned unless a signing secret is given.
 */
export function sslCheckRequest(
  options: Omit<SignedRequestOptions, "signingSecret"> & { signingSecret?: string; token?: string },
): Request {
  const body = new URLSearchParams({
    ssl_check: "1",
    token: options.token ?? "fake-verification-token",
  }).toString();
  const { signingSecret } = options;
  return buildSignedRequest({
    ...options,
    signingSecret: signingSecret ?? "",
    unsigned: options.unsigned ?? signingSecret === undefined,
    body,
    contentType: FORM_CONTENT_TYPE,
  });
}

export function urlVerificationBody(challenge: string, token = "fake-verification-token") {
  return { token, challenge, type: "url_verification" };
}

export interface EventCallbackFields {
  event: Record<string, unknown>;
  team_id?: string;
  api_app_id?: string;
  event_id?: string;
  /** Unix seconds. */
  event_time?: number;
  authorizations?: Record<string, unknown>[];
}

/** The Events API envelope around one event. */
export function eventCallbackBody(fields: EventCallbackFields) {
  const teamId = fields.team_id ?? "T0FAKETEAM";
  return {
    token: "fake-verification-token",
    team_id: teamId,
    api_app_id: fields.api_app_id ?? "A0FAKEAPP",
    event: fields.event,
    type: "event_callback",
    event_id: fields.event_id ?? "Ev0FAKEEVENT",
    event_time: fields.event_time ?? 1_700_000_000,
    authorizations: fields.authorizations ?? [
      {
        enterprise_id: null,
        team_id: teamId,
        user_id: "U0FAKEBOT",
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
  };
}

/** The app_home_opened event Slack sends when a user opens the app's Home (or Messages) tab. */
export function appHomeOpenedEvent({
  user = "U0FAKEUSER",
  tab = "home",
  channel = "D0FAKEDM",
  eventTs = "1700000000.000100",
  view,
}: {
  user?: string;
  tab?: "home" | "messages";
  channel?: string;
  eventTs?: string;
  view?: Record<string, unknown>;
} = {}) {
  return { type: "app_home_opened", user, channel, tab, event_ts: eventTs, ...(view ? { view } : {}) };
}
