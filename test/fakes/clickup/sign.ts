import { createHmac } from "node:crypto";

/** ClickUp's X-Signature: lowercase hex HMAC-SHA256 of the exact body bytes, keyed by the webhook secret. */
export function sign(secret: string, body: string | Uint8Array): string {
  return createHmac("sha256", secret).update(body).digest("hex");
}
