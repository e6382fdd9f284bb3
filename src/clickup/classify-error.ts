import { ClickUpError } from "./clickup-error.ts";

// Only these ECODEs mean the token itself is dead; every other OAUTH_0xx on a 401 is a valid token
// pointed at an id it cannot reach, and asking the admin to reconnect would be the wrong advice.
const DEAD_TOKEN_ECODES = new Set(["OAUTH_017", "OAUTH_019", "OAUTH_021", "OAUTH_025", "OAUTH_077"]);
// Deleted or unknown tasks are reported with these codes, sometimes under 401 instead of 404.
const NOT_FOUND_ECODES = new Set(["ITEM_013", "ITEM_015"]);

export interface FailedResponse {
  status: number;
  /** Parsed body when it was JSON, else undefined. */
  body: unknown;
  /** "GET /v2/list/123", for messages. */
  request: string;
  /** Set for time-in-status endpoints, whose 4xx usually means the ClickApp is off. */
  timeInStatus?: boolean;
}

function errorFields(body: unknown): { ecode?: string; err?: string } {
  if (typeof body !== "object" || body === null) return {};
  const { ECODE, err } = body as Record<string, unknown>;
  return {
    ecode: typeof ECODE === "string" ? ECODE : undefined,
    err: typeof err === "string" ? err : undefined,
  };
}

/** Maps a non-2xx, non-retried ClickUp answer to a typed error whose message tells the admin what to do. */
export function classifyError({ status, body, request, timeInStatus }: FailedResponse): ClickUpError {
  const { ecode, err } = errorFields(body);
  const details = { status, ecode, request };
  const said = `HTTP ${status}${ecode ? ` ${ecode}` : ""}${err ? `: ${err}` : ""}`;

  if (ecode && DEAD_TOKEN_ECODES.has(ecode)) {
    return new ClickUpError(
      "token_invalid",
      `ClickUp no longer accepts the connected API token (${said}); it was regenerated, revoked or never valid. ` +
        "Generate a new personal token in ClickUp › Settings › Apps and reconnect with /flow connect.",
      details,
    );
  }
  if (status === 404 || (ecode && NOT_FOUND_ECODES.has(ecode))) {
    return new ClickUpError(
      "not_found",
      `ClickUp has nothing at ${request} (${said}): it was deleted or the id is wrong. ` +
        "If a binding names it, unbind that binding (`/flow bindings` lists them) and bind the right one with /flow bind.",
      details,
    );
  }
  if (status === 401 || status === 403) {
    return new ClickUpError(
      "not_authorized",
      `The connected ClickUp user cannot reach ${request} (${said}); the token itself is fine. ` +
        "Give that user access to the Workspace, Space or List in ClickUp, or choose one it can see.",
      details,
    );
  }
  if (status === 429) {
    return new ClickUpError(
      "rate_limited",
      `ClickUp's rate limit for this token is used up (${said}) and the wait was too long to retry. ` +
        "flowbot will try again on its next run; if this keeps happening, the token is shared with other tools.",
      details,
    );
  }
  if (status >= 500) {
    return new ClickUpError(
      "clickup_down",
      `ClickUp failed to answer ${request} (${said}). It may be having an outage (https://status.clickup.com); ` +
        "flowbot retries on its next run, nothing to do unless it persists.",
      details,
    );
  }
  if (timeInStatus) {
    return new ClickUpError(
      "clickapp_disabled",
      `ClickUp refused time in status for ${request} (${said}). A Workspace owner or admin can turn on the ` +
        "“Total time in Status” ClickApp in ClickUp › Settings › ClickApps; until then flowbot uses status changes it sees.",
      details,
    );
  }
  return new ClickUpError(
    "bad_request",
    `ClickUp rejected ${request} as invalid (${said}). This points to a flowbot bug or an API change; ` +
      "please report it with this message.",
    details,
  );
}
