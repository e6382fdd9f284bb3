import { App, type AuthorizeResult } from "@slack/bolt";
import { WebClient } from "@slack/web-api";
import type { ClickUpClient } from "../clickup/index.ts";
import type { Config } from "../config/load-config.ts";
import type { Sealer } from "../crypto/sealer.ts";
import type { Database } from "../db/connect-database.ts";
import type { Logger } from "../log/create-logger.ts";
import { createChannelMembership } from "./access/channel-membership.ts";
import { openRecordedModal } from "./access/open-recorded-modal.ts";
import { anyone } from "./access/rules.ts";
import { createSlackRoutes, type SlackRoutes } from "./access/slack-routes.ts";
import { findView } from "./access/view-records.ts";
import { bindSubcommand } from "./bind/bind-commands.ts";
import { bindingsSubcommands } from "./bind/bindings-commands.ts";
import { boltLogger } from "./bolt-logger.ts";
import { createAdminCheck } from "./check-admin.ts";
import { CommandRegistry } from "./commands/command-registry.ts";
import { handleFlowCommand } from "./commands/handle-flow-command.ts";
import { helpSubcommand } from "./commands/help.ts";
import { connectSubcommand } from "./connect/connect-commands.ts";
import { disconnectSubcommand } from "./connect/disconnect-commands.ts";
import { moduleSubcommand } from "./connect/module-subcommand.ts";
import { statusSubcommand } from "./connect/status-subcommand.ts";
import { digestSubcommands } from "./digest/digest-subcommands.ts";
import { forecastSubcommand } from "./forecast/forecast-subcommand.ts";
import { publishHome } from "./home/publish-home.ts";
import { HonoReceiver } from "./hono-receiver.ts";
import { peopleSubcommand } from "./people/people-subcommand.ts";
import { reportSubcommands } from "./report/report-subcommands.ts";
import { settingsSubcommand } from "./settings/settings-subcommand.ts";
import type { SlackServices } from "./slack-services.ts";
import { watchBotIdentity } from "./watch-bot-identity.ts";

export type SlackAppDeps = {
  config: Config;
  database: Database;
  logger: Logger;
  now: () => number;
  /** fetch used for the Slack Web API and response_url posts; tests route it to the Slack fake. */
  fetch?: typeof fetch;
  clickup: (token: string) => ClickUpClient;
  sealer: Sealer;
  /** Ack deadline for the HTTP receiver (tests shorten it). */
  unackedTimeoutMs?: number;
};

export type SlackApp = {
  mode: "http" | "socket";
  app: App;
  client: WebClient;
  registry: CommandRegistry;
  /** Every Slack entry point flowbot listens to, each with its access rule. */
  routes: SlackRoutes;
  services: SlackServices;
  /** Set in HTTP mode: Hono hands `/slack/events` requests to it. */
  receiver?: HonoReceiver;
  start(): Promise<void>;
  stop(): Promise<void>;
};

/**
 * Builds the Bolt app: HTTP mode through {@link HonoReceiver}, or Socket Mode when
 * SLACK_APP_TOKEN is set. Start-up never waits for Slack: the bot identity (auth.test) is
 * resolved in the background and retried, and requests are served with the token meanwhile.
 */
export function createSlackApp(deps: SlackAppDeps): SlackApp {
  const { config, logger } = deps;
  const botToken = config.slack.botToken!;
  const clientOptions = { slackApiUrl: config.slack.apiUrl, ...(deps.fetch ? { fetch: deps.fetch } : {}) };
  // A few quick retries: a slash command's user is waiting, unlike the SDK default of 30 minutes.
  const retryConfig = { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 5000 };
  const client = new WebClient(botToken, { ...clientOptions, retryConfig, logger: boltLogger(logger) });
  // auth.test retries on its own schedule (see watchBotIdentity), so this client never retries.
  const identity = watchBotIdentity(
    new WebClient(botToken, { ...clientOptions, retryConfig: { retries: 0 }, logger: boltLogger(logger) }),
    logger,
  );
  const authorize = async (): Promise<AuthorizeResult> => ({ botToken, ...identity.current() });

  const socket = Boolean(config.slack.appToken);
  const receiver = socket
    ? undefined
    : new HonoReceiver({
        signingSecret: config.slack.signingSecret!,
        logger,
        now: deps.now,
        unackedTimeoutMs: deps.unackedTimeoutMs,
      });
  const app = new App({
    authorize,
    logger: boltLogger(logger),
    clientOptions: { ...clientOptions, retryConfig },
    ...(socket ? { socketMode: true, appToken: config.slack.appToken } : { receiver }),
  });

  const isAdmin = createAdminCheck({ client, configuredAdmins: config.admins, logger, now: deps.now });
  const services: SlackServices = {
    config,
    database: deps.database,
    logger,
    now: deps.now,
    configuredAdmins: config.admins,
    isAdmin,
    clickup: deps.clickup,
    sealer: deps.sealer,
    openModal: (viewClient, opening) =>
      openRecordedModal({ db: deps.database.db, now: deps.now }, viewClient, opening),
  };
  // Bolt's App stays here: every listener is registered through `routes`, which enforces its rule.
  const routes = createSlackRoutes(app, {
    installationTeam: () => identity.teamId(),
    isAdmin,
    isChannelMember: createChannelMembership({ client, logger, now: deps.now }),
    findView: (viewId) => findView(deps.database.db, viewId, new Date(deps.now())),
    configuredAdmins: config.admins,
    sql: deps.database.sql,
    logger,
    now: deps.now,
  });
  const registry = new CommandRegistry();
  registry.register(
    helpSubcommand(() => registry.list()),
    connectSubcommand(routes, services),
    statusSubcommand(services),
    disconnectSubcommand(routes, services),
    moduleSubcommand(services),
    bindSubcommand(routes, services),
    ...bindingsSubcommands(routes, services),
    ...reportSubcommands(routes, services),
    settingsSubcommand(routes, services),
    ...digestSubcommands(routes, services),
    forecastSubcommand(services),
    peopleSubcommand(routes, services),
  );
  handleFlowCommand(routes, registry, services);
  routes.event("app_home_opened", anyone(), async ({ event, client: eventClient, access }) => {
    if (event.tab !== "home") return;
    await publishHome(eventClient, access.teamId, access.userId, registry.list(), {
      db: deps.database.db,
      sql: deps.database.sql,
      logger,
      now: deps.now,
    });
  });
  app.error(async (err) => {
    logger.error({ err }, "unhandled error in a Slack listener");
  });

  return {
    mode: socket ? "socket" : "http",
    app,
    client,
    registry,
    routes,
    services,
    receiver,
    async start() {
      identity.start();
      if (socket) {
        // Socket Mode connects in the background; a failure is logged and retried by the SDK.
        app.start().catch((err: unknown) => logger.error({ err }, "Socket Mode could not connect to Slack"));
      }
      logger.info({ mode: socket ? "socket" : "http" }, "Slack app ready");
    },
    async stop() {
      identity.stop();
      if (socket) await app.stop().catch(() => {});
    },
  };
}
