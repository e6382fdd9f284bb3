import { existsSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

/**
 * Every setting flowbot reads, with where an operator gets the value. The names are a contract:
 * README, `.env.example` and deploy tooling rely on them.
 */
const hints = {
  PORT: "a TCP port number for the HTTP server, 1-65535 (default 3000)",
  DATABASE_URL:
    "a postgres:// or postgresql:// URL of your Postgres server; leave it unset to use the embedded database",
  FLOWBOT_DATA_DIR: "a writable folder for the embedded database and the generated key (default ./.flowbot)",
  PUBLIC_URL:
    "the https:// address where Slack and ClickUp reach this server, e.g. https://flowbot.example.com",
  SLACK_SIGNING_SECRET: "Slack app settings › Basic Information › App Credentials › Signing Secret",
  SLACK_BOT_TOKEN: "Slack app settings › OAuth & Permissions › Bot User OAuth Token (starts with xoxb-)",
  SLACK_APP_TOKEN:
    "Slack app settings › Basic Information › App-Level Tokens, with the connections:write scope (starts with xapp-)",
  SLACK_API_URL: "the Slack Web API base URL ending in /api/ (default https://slack.com/api/)",
  CLICKUP_API_URL: "the ClickUp API base URL (default https://api.clickup.com/api)",
  FLOWBOT_ENCRYPTION_KEY:
    "32 random bytes as 64 hex characters or base64, e.g. from `openssl rand -hex 32`; unset with the embedded database to generate one",
  FLOWBOT_ENCRYPTION_KEY_PREVIOUS:
    "the key that FLOWBOT_ENCRYPTION_KEY replaces, same format, while rotating",
  FLOWBOT_ADMINS: "comma-separated Slack user ids (e.g. U012ABCDEF,W0456GHIJ) who may administer flowbot",
  FLOWBOT_ROLE: "all (default), web or worker",
  LOG_LEVEL: "one of fatal, error, warn, info, debug, trace, silent (default info)",
  FLOWBOT_RECONCILE_MINUTES: "minutes between reconcile pulls, 1-1440 (default 15)",
} as const;

type ConfigVariable = keyof typeof hints;

const empty = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const optionalString = z.preprocess(empty, z.string().trim().optional());

const urlWithProtocols = (protocols: string[], what: string) =>
  z.preprocess(
    empty,
    z
      .string()
      .trim()
      .refine((value) => {
        try {
          return protocols.includes(new URL(value).protocol);
        } catch {
          return false;
        }
      }, `is not a valid ${what} URL`)
      .optional(),
  );

const encryptionKey = z.preprocess(
  empty,
  z
    .string()
    .trim()
    .refine(
      (v) => decodeKey(v) !== undefined,
      "must decode to exactly 32 bytes (64 hex characters or base64)",
    )
    .transform((v) => decodeKey(v)!)
    .optional(),
);

const schema = z
  .object({
    PORT: z.preprocess(
      (v) => empty(v) ?? "3000",
      z
        .string()
        .trim()
        .regex(/^\d+$/, "must be a whole number")
        .transform(Number)
        .pipe(z.number().int().min(1, "must be 1 or more").max(65535, "must be 65535 or less")),
    ),
    DATABASE_URL: urlWithProtocols(["postgres:", "postgresql:"], "postgres://"),
    FLOWBOT_DATA_DIR: z.preprocess((v) => empty(v) ?? "./.flowbot", z.string()),
    PUBLIC_URL: urlWithProtocols(["https:", "http:"], "http(s)://"),
    SLACK_SIGNING_SECRET: optionalString,
    SLACK_BOT_TOKEN: z.preprocess(
      empty,
      z.string().trim().startsWith("xoxb-", "must be a bot token starting with xoxb-").optional(),
    ),
    SLACK_APP_TOKEN: z.preprocess(
      empty,
      z.string().trim().startsWith("xapp-", "must be an app-level token starting with xapp-").optional(),
    ),
    SLACK_API_URL: z.preprocess(
      (v) => empty(v) ?? "https://slack.com/api/",
      urlWithProtocols(["https:", "http:"], "http(s)://").transform((v) => (v!.endsWith("/") ? v! : `${v}/`)),
    ),
    CLICKUP_API_URL: z.preprocess(
      (v) => empty(v) ?? "https://api.clickup.com/api",
      urlWithProtocols(["https:", "http:"], "http(s)://").transform((v) => v!.replace(/\/+$/, "")),
    ),
    FLOWBOT_ENCRYPTION_KEY: encryptionKey,
    FLOWBOT_ENCRYPTION_KEY_PREVIOUS: encryptionKey,
    FLOWBOT_ADMINS: z.preprocess(
      (v) => empty(v) ?? "",
      z
        .string()
        .transform((v) =>
          v
            .split(",")
            .map((id) => id.trim())
            .filter(Boolean),
        )
        .refine((ids) => ids.every((id) => /^[UW][A-Z0-9]{2,}$/.test(id)), {
          message: "must list Slack user ids like U012ABCDEF separated by commas",
        }),
    ),
    FLOWBOT_ROLE: z.preprocess(
      (v) => empty(v) ?? "all",
      z.enum(["all", "web", "worker"], { error: "must be all, web or worker" }),
    ),
    LOG_LEVEL: z.preprocess(
      (v) => empty(v) ?? "info",
      z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
        error: "must be one of fatal, error, warn, info, debug, trace, silent",
      }),
    ),
    FLOWBOT_RECONCILE_MINUTES: z.preprocess(
      (v) => empty(v) ?? "15",
      z
        .string()
        .regex(/^\d+$/, "must be a whole number of minutes")
        .transform(Number)
        .pipe(z.number().int().min(1).max(1440)),
    ),
  })
  .superRefine((env, ctx) => {
    if (env.FLOWBOT_ROLE !== "all" && !env.DATABASE_URL) {
      ctx.addIssue({
        code: "custom",
        path: ["DATABASE_URL"],
        message: `is required when FLOWBOT_ROLE is ${env.FLOWBOT_ROLE}: separate web and worker processes must share one external Postgres`,
      });
    }
    if (env.SLACK_BOT_TOKEN && !env.SLACK_APP_TOKEN && !env.SLACK_SIGNING_SECRET) {
      ctx.addIssue({
        code: "custom",
        path: ["SLACK_SIGNING_SECRET"],
        message: "is required with SLACK_BOT_TOKEN in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)",
      });
    }
    if ((env.SLACK_SIGNING_SECRET || env.SLACK_APP_TOKEN) && !env.SLACK_BOT_TOKEN) {
      ctx.addIssue({
        code: "custom",
        path: ["SLACK_BOT_TOKEN"],
        message: "is required once SLACK_SIGNING_SECRET or SLACK_APP_TOKEN is set",
      });
    }
  });

export type Config = {
  port: number;
  databaseUrl: string | undefined;
  dataDir: string;
  publicUrl: string | undefined;
  slack: {
    signingSecret: string | undefined;
    botToken: string | undefined;
    appToken: string | undefined;
    apiUrl: string;
  };
  clickupApiUrl: string;
  encryptionKey: Buffer | undefined;
  previousEncryptionKey: Buffer | undefined;
  admins: string[];
  role: "all" | "web" | "worker";
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  reconcileMinutes: number;
};

/** Thrown when the environment is unusable; `message` names every bad variable and where to get it. */
export class ConfigError extends Error {
  readonly code = "CONFIG_INVALID";
  readonly problems: { variable: string; problem: string }[];
  constructor(problems: { variable: string; problem: string }[]) {
    const lines = problems.map(
      ({ variable, problem }) =>
        `  ${variable} ${problem} — ${hints[variable as ConfigVariable] ?? "see README › Configuration"}`,
    );
    super(`flowbot cannot start: fix these settings (environment or .env):\n${lines.join("\n")}`);
    this.problems = problems;
  }
}

/**
 * Validates the environment once at start-up.
 * @param env usually `process.env`; a `.env` file is merged in by {@link readDotEnv} beforehand.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? "environment"),
        problem: issue.message,
      })),
    );
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.FLOWBOT_DATA_DIR),
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ""),
    slack: {
      signingSecret: e.SLACK_SIGNING_SECRET,
      botToken: e.SLACK_BOT_TOKEN,
      appToken: e.SLACK_APP_TOKEN,
      apiUrl: e.SLACK_API_URL!,
    },
    clickupApiUrl: e.CLICKUP_API_URL!,
    encryptionKey: e.FLOWBOT_ENCRYPTION_KEY,
    previousEncryptionKey: e.FLOWBOT_ENCRYPTION_KEY_PREVIOUS,
    admins: e.FLOWBOT_ADMINS,
    role: e.FLOWBOT_ROLE,
    logLevel: e.LOG_LEVEL,
    reconcileMinutes: e.FLOWBOT_RECONCILE_MINUTES,
  };
}

/** Loads `.env` from the working directory when present; variables already set win. */
export function readDotEnv(file = ".env"): void {
  if (existsSync(file)) process.loadEnvFile(file);
}

function decodeKey(value: string): Buffer | undefined {
  const bytes = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, "hex") : Buffer.from(value, "base64");
  return bytes.length === 32 ? bytes : undefined;
}
