import { type Logger, LogLevel, webApi } from "@slack/bolt";
import type { SlackFake } from "./create-slack-fake.ts";

/** Swallows WebClient's logging (it echoes "[ERROR] …" response messages, which these tests provoke on purpose). */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

/** A real WebClient wired to the fake in-process; retries are immediate so failure tests stay fast. */
export function webClientFor(
  fake: SlackFake,
  { token = fake.identity.token, ...options }: { token?: string } & webApi.WebClientOptions = {},
): webApi.WebClient {
  return new webApi.WebClient(token, {
    slackApiUrl: fake.apiUrl,
    fetch: fake.fetch,
    retryConfig: { retries: 0 },
    logger: silentLogger,
    ...options,
  });
}

/** The platform error code from a rejected WebClient call (`data.error`), or the message for other errors. */
export async function slackError(
  promise: Promise<unknown>,
): Promise<{ code: string; error: string; data: unknown }> {
  try {
    await promise;
  } catch (caught) {
    const err = caught as { code?: string; data?: { error?: string }; message?: string };
    return { code: err.code ?? "", error: err.data?.error ?? err.message ?? "", data: err.data };
  }
  throw new Error("expected the Slack call to fail");
}

/** The well-known 1×1 transparent PNG. */
export const TINY_PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  "base64",
);

export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export const section = (text: string) => ({ type: "section", text: { type: "mrkdwn", text } });

export function modal(title = "Flow settings", extra: Record<string, unknown> = {}) {
  return {
    type: "modal" as const,
    title: { type: "plain_text" as const, text: title },
    close: { type: "plain_text" as const, text: "Close" },
    blocks: [section("hello")],
    ...extra,
  };
}
