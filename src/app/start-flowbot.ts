import path from "node:path";
import { type ServerType, serve } from "@hono/node-server";
import { WebClient } from "@slack/web-api";
import type { Hono } from "hono";
import { createClickUpClient, createRateLimitRegistry, type FetchLike } from "../clickup/index.ts";
import type { Config } from "../config/load-config.ts";
import { resealSecrets } from "../crypto/reseal-secrets.ts";
import { resolveEncryptionKey } from "../crypto/resolve-encryption-key.ts";
import { createSealer, type Sealer } from "../crypto/sealer.ts";
import { connectDatabase, type Database } from "../db/connect-database.ts";
import { runMigrations } from "../db/run-migrations.ts";
import { type EmbeddedDatabase, startEmbeddedPostgres } from "../db/start-embedded-postgres.ts";
import { enqueueFlowRebuild } from "../flow/metrics/deferred-rebuild.ts";
import { createHttpApp } from "../http/create-http-app.ts";
import type { ComponentHealth } from "../http/health-route.ts";
import type { Logger } from "../log/create-logger.ts";
import { createSlackApp, type SlackApp } from "../slack/create-slack-app.ts";
import { createIngestPressure } from "../sync/ingest-pressure.ts";
import { createClickUpWebhookReceiver } from "../sync/receive-clickup-webhook.ts";
import { startWorker, type WorkerHandle } from "../worker/start-worker.ts";

export type FlowbotOptions = {
  config: Config;
  logger: Logger;
  /** Milliseconds since the epoch (default Date.now); tests pin it. */
  now?: () => number;
  /** fetch for Slack's Web API; tests route it into the Slack fake. */
  slackFetch?: typeof fetch;
  /** fetch for the ClickUp API; tests route it into the ClickUp fake. */
  clickupFetch?: FetchLike;
  /** Slack ack deadline override for tests. */
  slackUnackedTimeoutMs?: number;
  /** graphile-worker poll interval in ms (default 1000). */
  workerPollInterval?: number;
  /** Replaces the app's cron schedule (src/worker/crontab.ts); "" runs no cron jobs. */
  crontab?: string;
};

export type Flowbot = {
  config: Config;
  port: number;
  url: string;
  http: Hono;
  database: Database;
  sealer: Sealer;
  slack?: SlackApp;
  worker?: WorkerHandle;
  /** Stops HTTP, then the worker, then the database pool and the embedded server. Idempotent. */
  stop(): Promise<void>;
};

/**
 * Starts everything one process runs for its FLOWBOT_ROLE: the database (embedded unless
 * DATABASE_URL), migrations, the job worker ("all"/"worker"), and the HTTP server with Slack and
 * the ClickUp webhook route ("all"/"web"; the worker role serves only /healthz).
 */
export async function startFlowbot(options: FlowbotOptions): Promise<Flowbot> {
  const { config, logger } = options;
  const now = options.now ?? Date.now;
  const cleanup: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const step of cleanup.splice(0).reverse()) {
      await step().catch((err: unknown) => logger.error({ err }, "shutdown step failed"));
    }
  };

  try {
    let embedded: EmbeddedDatabase | undefined;
    if (!config.databaseUrl) {
      embedded = await startEmbeddedPostgres({ dir: path.join(config.dataDir, "postgres"), logger });
      cleanup.push(() => embedded!.stop());
    }
    const databaseUrl = config.databaseUrl ?? embedded!.url;
    await runMigrations(databaseUrl, logger);
    const database = connectDatabase(databaseUrl);
    cleanup.push(() => database.close());

    const key = await resolveEncryptionKey({
      configured: config.encryptionKey,
      dataDir: config.dataDir,
      embedded: Boolean(embedded),
      logger,
    });
    const sealer = createSealer(key, config.previousEncryptionKey);
    if (config.previousEncryptionKey) await resealSecrets(database.db, sealer, logger);
    // One budget per token for this process, shared by every client built for that token.
    const rateLimits = createRateLimitRegistry();
    const clickup = (token: string) =>
      createClickUpClient({ baseUrl: config.clickupApiUrl, token, fetch: options.clickupFetch, rateLimits });

    // One process serving webhooks and applying them: applying steps aside while deliveries pour in.
    const ingestPressure = config.role === "all" ? createIngestPressure() : undefined;
    let worker: WorkerHandle | undefined;
    if (config.role !== "web") {
      const slackForJobs = config.slack.botToken
        ? new WebClient(config.slack.botToken, {
            slackApiUrl: config.slack.apiUrl,
            ...(options.slackFetch ? { fetch: options.slackFetch } : {}),
            retryConfig: { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 5000 },
          })
        : undefined;
      worker = await startWorker(
        databaseUrl,
        { config, database, logger, now, sealer, clickup, slack: slackForJobs, ingestPressure },
        logger,
        {
          pollInterval: options.workerPollInterval,
          crontab: options.crontab,
          // The embedded server is this process's alone: whatever a worker locked there before is gone.
          ownsDatabase: Boolean(embedded),
        },
      );
      cleanup.push(() => worker!.stop());
      // Cases left listed for a flow-facts rebuild (a process stopped mid-way, or an upgrade that
      // introduced flow facts) are derived now rather than at the next reconcile.
      await enqueueFlowRebuild(database.sql, { ifListed: true });
    }

    let slack: SlackApp | undefined;
    if (config.role !== "worker") {
      if (config.slack.botToken) {
        slack = createSlackApp({
          config,
          database,
          logger,
          now,
          fetch: options.slackFetch,
          clickup,
          sealer,
          unackedTimeoutMs: options.slackUnackedTimeoutMs,
        });
        await slack.start();
        cleanup.push(() => slack!.stop());
      } else {
        logger.warn(
          "Slack is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for Socket Mode) to enable it; /healthz and the ClickUp webhook route are served meanwhile",
        );
      }
    }

    const clickupReceiver =
      config.role === "worker"
        ? undefined
        : createClickUpWebhookReceiver({ database, sealer, logger, now, pressure: ingestPressure });
    // Runs before the database closes (cleanups run in reverse): accepted deliveries are written first.
    if (clickupReceiver) cleanup.push(() => clickupReceiver.drain());

    const http = createHttpApp({
      logger,
      slackReceiver: slack?.receiver,
      clickupWebhook: clickupReceiver ? (req) => clickupReceiver.handle(req) : undefined,
      health: {
        database: () => probeDatabase(database),
        worker: (): ComponentHealth =>
          worker
            ? { ok: worker.isRunning(), detail: worker.isRunning() ? "running" : "stopped" }
            : { ok: true, detail: "runs in a separate worker process (FLOWBOT_ROLE=web)" },
        slack: (): ComponentHealth =>
          slack
            ? { ok: true, detail: `${slack.mode} mode` }
            : {
                ok: config.role === "worker",
                detail: config.role === "worker" ? "not used by the worker role" : "not configured",
              },
      },
    });
    const server = await listen(http, config.port);
    cleanup.push(() => closeServer(server));
    const port = (server.address() as { port: number }).port;
    logger.info({ port, role: config.role }, `flowbot is listening on http://localhost:${port}`);

    let stopping: Promise<void> | undefined;
    return {
      config,
      port,
      url: `http://127.0.0.1:${port}`,
      http,
      database,
      sealer,
      slack,
      worker,
      stop: () => {
        stopping ??= stopAll().then(() => logger.info("flowbot stopped"));
        return stopping;
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

async function probeDatabase(database: Database): Promise<ComponentHealth> {
  try {
    await Promise.race([
      database.sql`select 1`,
      new Promise((_, reject) => setTimeout(() => reject(new Error("no answer within 2 s")), 2000).unref()),
    ]);
    return { ok: true, detail: "connected" };
  } catch (err) {
    return { ok: false, detail: `unreachable: ${(err as Error).message}` };
  }
}

function listen(app: Hono, port: number): Promise<ServerType> {
  // Longest a client may take to send a whole request (headers and body), in ms: past it the server
  // answers 408 and closes the connection. Slack and ClickUp send theirs at once and neither waits
  // longer than 7 s for the answer, so a request still arriving after 5 s is a slow client holding a
  // connection. Checked every second (Node's default is every 30 s).
  const readTimeoutMs = 5_000;
  return new Promise((resolve, reject) => {
    const server = serve(
      {
        fetch: app.fetch,
        port,
        hostname: "0.0.0.0",
        serverOptions: {
          requestTimeout: readTimeoutMs,
          headersTimeout: readTimeoutMs,
          connectionsCheckingInterval: 1_000,
        },
      },
      () => resolve(server),
    );
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        err.code === "EADDRINUSE"
          ? new Error(`PORT ${port} is already in use: stop the other process or set PORT to a free port`)
          : err,
      ),
    );
  });
}

function closeServer(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Idle keep-alive sockets would hold close() open; in-flight requests still finish.
    if ("closeIdleConnections" in server) server.closeIdleConnections();
  });
}
