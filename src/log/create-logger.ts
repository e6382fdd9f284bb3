import pino, { type DestinationStream, type Logger } from "pino";

export type { Logger };

/** Keys whose values never reach a log line, wherever they sit in the logged object. */
const secretKeys = [
  "token",
  "botToken",
  "appToken",
  "accessToken",
  "secret",
  "signingSecret",
  "password",
  "authorization",
  "Authorization",
  "encryptionKey",
  "databaseUrl",
  "DATABASE_URL",
  "x-slack-signature",
  "x-signature",
];

const redactPaths = secretKeys.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `headers["${key}"]`]);

/**
 * Structured JSON logs (pino). Secrets are redacted by key; strings that look like ClickUp or
 * Slack tokens are masked too, in case one ends up inside an error message.
 * @param destination defaults to stdout; tests pass a stream to capture lines.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: "flowbot" },
      redact: { paths: redactPaths, censor: "[redacted]" },
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map((arg) => (typeof arg === "string" ? maskTokens(arg) : arg)) as Parameters<typeof method>,
          );
        },
      },
      serializers: {
        err: (err: Error) => {
          const serialized = pino.stdSerializers.err(err);
          return {
            ...serialized,
            message: maskTokens(serialized.message),
            stack: maskTokens(serialized.stack),
          };
        },
      },
    },
    destination,
  );
}

/** Masks anything shaped like a ClickUp personal token or a Slack token. */
export function maskTokens(text: string): string {
  return text
    .replace(/\bpk_[A-Za-z0-9_]{6,}/g, (t) => `pk_…${t.slice(-4)}`)
    .replace(/\bx(?:oxb|oxp|app)-[A-Za-z0-9-]{6,}/g, (t) => `${t.slice(0, 5)}…`)
    .replace(/(postgres(?:ql)?:\/\/[^:/@\s]+:)[^@\s]+@/g, "$1[redacted]@");
}
