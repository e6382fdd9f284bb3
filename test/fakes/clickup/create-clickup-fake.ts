import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { authMiddleware } from "./auth.ts";
import { cuError } from "./errors.ts";
import { createFaults } from "./faults.ts";
import type { FakeEnv, RouteDeps } from "./http.ts";
import { createPeopleStore, peopleRoutes, peopleSeeder } from "./people.ts";
import { rateLimitMiddleware } from "./rate-limit-middleware.ts";
import { createRateLimiter, type RateLimitOptions } from "./rate-limiter.ts";
import { createRequestLog, requestLogMiddleware } from "./request-log.ts";
import { commentRoutes } from "./routes-comments.ts";
import { customFieldRoutes } from "./routes-custom-fields.ts";
import { hierarchyRoutes } from "./routes-hierarchy.ts";
import { tagRoutes } from "./routes-tags.ts";
import { taskTypeRoutes } from "./routes-task-types.ts";
import { taskRoutes } from "./routes-tasks.ts";
import { timeInStatusRoutes } from "./routes-time-in-status.ts";
import { webhookRoutes } from "./routes-webhooks.ts";
import { createSeeder } from "./seed.ts";
import { sign } from "./sign.ts";
import { createState } from "./state.ts";
import { createWebhookEmitter, type WebhookEmitterOptions } from "./webhook-emitter.ts";

export interface ClickUpFakeOptions {
  /** Clock for dates, time in status and the rate-limit window. Default Date.now. */
  now?: () => number;
  rateLimit?: RateLimitOptions;
  webhooks?: WebhookEmitterOptions;
  /** Leave `last_page` out of GET /team/{id}/task, as the spec documents it. Default false. */
  omitTeamTasksLastPage?: boolean;
  /** Hide `done`-type tasks unless include_closed=true, like `closed` ones. Default true (the stricter reading). */
  doneCountsAsClosed?: boolean;
  /** Record every request in `requests`. Default true; benches may switch it off. */
  recordRequests?: boolean;
  /** Used for injected latency. */
  sleep?: (ms: number) => Promise<void>;
}

export interface ListeningFake {
  /** Base URL to give our client, e.g. http://127.0.0.1:43123/api */
  url: string;
  close(): Promise<void>;
}

export type FakeFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A small, faithful ClickUp API v2 served from memory. See index.ts for the full surface. */
export function createClickUpFake(options: ClickUpFakeOptions = {}) {
  const now = options.now ?? Date.now;
  const state = createState();
  const limiter = createRateLimiter(options.rateLimit ?? {}, now);
  const emitter = createWebhookEmitter(state, options.webhooks);
  const seeder = createSeeder(state, emitter, now);
  const requests = createRequestLog();
  requests.enabled = options.recordRequests ?? true;
  const { faults, middleware: faultMiddleware } = createFaults(options.sleep ?? realSleep);
  const routeOptions = {
    omitTeamTasksLastPage: options.omitTeamTasksLastPage ?? false,
    doneCountsAsClosed: options.doneCountsAsClosed ?? true,
  };
  const deps: RouteDeps = { state, now, options: routeOptions };
  const people = createPeopleStore();

  const app = new Hono<FakeEnv>().basePath("/api");
  // Order matters: the log sees final statuses, rate-limit headers land on faults and auth errors too.
  app.use("*", requestLogMiddleware(requests, now));
  app.use("*", rateLimitMiddleware(limiter));
  app.use("*", faultMiddleware);
  app.use("*", authMiddleware(state));
  app.route("/", hierarchyRoutes(deps));
  app.route("/", timeInStatusRoutes(deps));
  app.route("/", taskRoutes(deps));
  app.route("/", commentRoutes(deps));
  app.route("/", customFieldRoutes(deps));
  app.route("/", taskTypeRoutes(deps));
  app.route("/", tagRoutes(deps));
  app.route("/", webhookRoutes(deps));
  app.route("/", peopleRoutes(deps, people));
  app.notFound((c) => cuError(c, 404, "Route not found", "APP_404"));

  const fetchInProcess: FakeFetch = (input, init) => Promise.resolve(app.fetch(new Request(input, init)));

  async function listen(): Promise<ListeningFake> {
    return new Promise((resolve) => {
      const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info) => {
        resolve({
          url: `http://127.0.0.1:${info.port}/api`,
          close: () =>
            new Promise<void>((done, fail) => {
              server.close((err) => (err ? fail(err) : done()));
              // Keep-alive sockets would hold close() open.
              if ("closeAllConnections" in server) server.closeAllConnections();
            }),
        });
      });
    });
  }

  return {
    app,
    fetch: fetchInProcess,
    listen,
    state,
    ...seeder,
    requests,
    /** Time entries and goals (test/fakes/clickup/people.ts). */
    people: { store: people, ...peopleSeeder(people, state, now) },
    rateLimiter: limiter,
    faults,
    setOption<K extends keyof typeof routeOptions>(key: K, value: (typeof routeOptions)[K]) {
      routeOptions[key] = value;
    },
    webhooks: {
      ...emitter,
      /** Webhook secret by id, to verify signatures in tests. */
      secretOf: (id: string) => state.webhooks.get(id)?.secret,
      get: (id: string) => state.webhooks.get(id),
      all: () => [...state.webhooks.values()],
    },
    sign,
  };
}

export type ClickUpFake = ReturnType<typeof createClickUpFake>;
