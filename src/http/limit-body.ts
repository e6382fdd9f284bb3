import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";

/**
 * Refuses a request body over `maxBytes` with 413 before it is read whole: a Content-Length over the
 * limit is refused unread, and a chunked body is read only up to the limit (the server then drains
 * a little more and closes the connection). A body within the limit is handed on buffered.
 */
export function limitBody(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: (c) => c.json({ error: `body too large (over ${Math.round(maxBytes / 1024)} kB)` }, 413),
  });
}
