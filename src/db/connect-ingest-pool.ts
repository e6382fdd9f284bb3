import postgres, { type Sql } from "postgres";

/** Longest a statement of the webhook route may run, in ms; Postgres aborts it past this. */
const INGEST_STATEMENT_TIMEOUT_MS = 2_000;
/** Longest a statement of the webhook route waits for a lock, in ms. */
const INGEST_LOCK_TIMEOUT_MS = 1_000;
/** Longest the webhook route waits for a new connection to be ready, in seconds. */
const CONNECT_TIMEOUT_S = 2;

/**
 * The webhook route's own small pool, apart from the app's: ClickUp counts an answer slower than 7 s
 * as a failure, so the route must learn quickly that the database cannot take a delivery, and never
 * wait behind jobs for a connection. Its sessions carry short statement and lock timeouts (startup
 * parameters, so no extra round trip per statement), connecting gives up after 2 s, and a failed
 * connection is retried within half a second rather than after postgres.js's default backoff, which
 * grows to 20 s and would keep the route answering 503 long after the database is back.
 * @param max connections (default 4: one group commit in flight, secret look-ups, and room for a
 *   commit left hanging by a server that stopped answering).
 */
export function connectIngestPool(url: string, max = 4): Sql {
  return postgres(url, {
    max,
    onnotice: () => {},
    connect_timeout: CONNECT_TIMEOUT_S,
    // Seconds before the next attempt after a failed one.
    backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 0.5),
    connection: {
      application_name: "flowbot-ingest",
      statement_timeout: INGEST_STATEMENT_TIMEOUT_MS,
      lock_timeout: INGEST_LOCK_TIMEOUT_MS,
    },
  });
}
