import { createHmac, timingSafeEqual } from "node:crypto";

/** Slack signs each request with a timestamp; older than this is refused as a replay. */
export const SIGNATURE_MAX_AGE_SECONDS = 5 * 60;
/**
 * How far ahead of our clock a timestamp may be: clock skew only. A request stamped further in the
 * future would stay acceptable past its five minutes.
 */
const SIGNATURE_MAX_SKEW_SECONDS = 60;

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/**
 * Not Bolt's `verifySlackRequest`: that refuses only timestamps more than five minutes old, and accepts any
 * timestamp in the future, which would let a captured request be replayed long after it was sent.
 *
 * Checks Slack's `X-Slack-Signature` (v0 HMAC-SHA256 of `v0:{timestamp}:{raw body}`). The
 * timestamp window is checked first, so a stale request costs no HMAC: at most 5 minutes old, and at
 * most 1 minute ahead of the clock.
 * @param nowMs the clock, in milliseconds since the epoch (injectable for tests).
 */
export function verifySlackSignature(input: {
  signingSecret: string;
  rawBody: string;
  signature: string | null | undefined;
  timestamp: string | null | undefined;
  nowMs: number;
}): SignatureCheck {
  const { signature, timestamp } = input;
  if (!signature || !timestamp)
    return { ok: false, reason: "missing X-Slack-Signature or X-Slack-Request-Timestamp" };
  if (!/^\d+$/.test(timestamp)) return { ok: false, reason: "X-Slack-Request-Timestamp is not a number" };
  const ageSeconds = Math.floor(input.nowMs / 1000) - Number(timestamp);
  if (ageSeconds > SIGNATURE_MAX_AGE_SECONDS) {
    return { ok: false, reason: `timestamp is ${ageSeconds} s old (limit ${SIGNATURE_MAX_AGE_SECONDS} s)` };
  }
  if (-ageSeconds > SIGNATURE_MAX_SKEW_SECONDS) {
    return {
      ok: false,
      reason: `timestamp is ${-ageSeconds} s in the future (limit ${SIGNATURE_MAX_SKEW_SECONDS} s): check this server's clock`,
    };
  }
  const [version, hash] = signature.split("=", 2);
  if (version !== "v0" || !hash || !/^[0-9a-f]{64}$/.test(hash)) {
    return { ok: false, reason: "signature is not of the form v0=<64 hex>" };
  }
  const expected = createHmac("sha256", input.signingSecret)
    .update(`v0:${timestamp}:${input.rawBody}`)
    .digest();
  if (!timingSafeEqual(expected, Buffer.from(hash, "hex"))) {
    return { ok: false, reason: "signature mismatch: check SLACK_SIGNING_SECRET" };
  }
  return { ok: true };
}
