/**
 * Why the inbox gave up on a delivery: `inbox_full` and `expired` (its caller stopped waiting first)
 * were never written; `flush_timeout` was in a commit that did not answer in time, so it may or may not
 * be stored. Every one is worth a retry: repeats are deduplicated by the idempotency key.
 */
export class InboxError extends Error {
  readonly code: "inbox_full" | "expired" | "flush_timeout";
  constructor(code: InboxError["code"], message: string) {
    super(message);
    this.name = "InboxError";
    this.code = code;
  }
}

/**
 * Postgres refuses the data itself, so a retry cannot succeed: SQLSTATE class 22 (data exception, e.g.
 * a \u0000 in jsonb) or 54 (program limit exceeded, e.g. nesting too deep for its parser).
 */
export function isPayloadError(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return typeof code === "string" && (code.startsWith("22") || code.startsWith("54"));
}
