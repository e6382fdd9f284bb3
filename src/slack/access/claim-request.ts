import type { Sql } from "postgres";
import { SIGNATURE_MAX_AGE_SECONDS } from "../verify-slack-signature.ts";

/** A signed request as the receiver verified it. */
export type SignedRequest = { signature: string; timestampSeconds: number };

/**
 * Claims a signed Slack request for running. True the first time its signature is seen; false for a
 * replay — the same bytes sent again while the timestamp window still accepts them — on this or any
 * other process on the database. A claim is kept until the window has closed for that timestamp.
 */
export async function claimRequest(sql: Sql, request: SignedRequest, nowMs: number): Promise<boolean> {
  const expiresAt = new Date((request.timestampSeconds + SIGNATURE_MAX_AGE_SECONDS + 1) * 1000);
  const rows = await sql`
    with swept as (delete from slack_requests_seen where expires_at < ${new Date(nowMs)}::timestamptz)
    insert into slack_requests_seen (signature, expires_at)
    values (${request.signature}, ${expiresAt}::timestamptz)
    on conflict (signature) do nothing
    returning 1`;
  return rows.length === 1;
}
