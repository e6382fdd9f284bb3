import { startFlowbot } from "./app/start-flowbot.ts";
import { ConfigError, loadConfig, readDotEnv } from "./config/load-config.ts";
import { createLogger } from "./log/create-logger.ts";

/** Hard limit for a clean stop; past it the process exits anyway so orchestrators are not stuck. */
const SHUTDOWN_TIMEOUT_MS = 8000;

readDotEnv();
let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(process.env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
}

const logger = createLogger(config.logLevel);
try {
  const flowbot = await startFlowbot({ config, logger });
  let signalled = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (signalled) return;
    signalled = true;
    logger.info({ signal }, "stopping flowbot");
    setTimeout(() => {
      logger.error("shutdown took too long; exiting");
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    flowbot.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
} catch (err) {
  logger.fatal({ err }, (err as Error).message);
  process.exit(1);
}
