/**
 * The few ways a ClickUp call can fail that callers branch on. Each maps to one thing an admin or
 * the sync job can do about it, so the set stays small and the codes stay stable for logs and UI.
 */
export type ClickUpErrorCode =
  | "token_invalid"
  | "not_authorized"
  | "not_found"
  | "rate_limited"
  | "clickapp_disabled"
  | "clickup_down"
  | "bad_request"
  | "unexpected_response";

export interface ClickUpErrorDetails {
  /** HTTP status, absent for network failures and timeouts. */
  status?: number;
  /** ClickUp's `ECODE`, e.g. OAUTH_027, when the body carried one. */
  ecode?: string;
  /** "GET /v2/list/123" — ids only, never the token. */
  request?: string;
  cause?: unknown;
}

export class ClickUpError extends Error {
  readonly code: ClickUpErrorCode;
  readonly status: number | undefined;
  readonly ecode: string | undefined;
  readonly request: string | undefined;

  constructor(code: ClickUpErrorCode, message: string, details: ClickUpErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "ClickUpError";
    this.code = code;
    this.status = details.status;
    this.ecode = details.ecode;
    this.request = details.request;
  }
}

export const isClickUpError = (err: unknown, code?: ClickUpErrorCode): err is ClickUpError =>
  err instanceof ClickUpError && (code === undefined || err.code === code);
