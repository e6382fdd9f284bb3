import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";

/**
 * Refuses a request body over `maxBytes` with 413 before it is read whole. A Content-Length over the
 * limit is refused without touching the body, so the server can discard it and keep the connection; a
 * chunked body is read only up to the limit, after which the server drains briefly (so the client
 * sees the answer) and closes the connection. A body within the limit is handed on buffered.
 */
export function limitBody(maxBytes: number): MiddlewareHandler {
  const tooLarge = (c: Context) =>
    c.json({ error: `body too large (over ${Math.round(maxBytes / 1024)} kB)` }, 413);
  const chunked = bodyLimit({ maxSize: maxBytes, onError: tooLarge });
  return async (c, next) => {
    const length = c.req.header("content-length");
    // Checked here rather than by bodyLimit, which opens the body stream first: a stream opened and
    // left unread stalls the server's discarding of the rest, and the connection is cut.
    if (length !== undefined && c.req.header("transfer-encoding") === undefined) {
      return Number(length) > maxBytes ? tooLarge(c) : next();
    }
    return chunked(c, next);
  };
}
