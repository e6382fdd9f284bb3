import { type Config, loadConfig } from "../../src/config/load-config.ts";

export const TEST_SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
export const TEST_BOT_TOKEN = "xoxb-fake-bot-token";
export const TEST_KEY_HEX = "11".repeat(32);

/** A valid configuration for an in-process flowbot on a free port, with overrides. */
export function testConfig(env: Record<string, string>, overrides: Partial<Config> = {}): Config {
  return {
    ...loadConfig({
      SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
      SLACK_BOT_TOKEN: TEST_BOT_TOKEN,
      SLACK_API_URL: "http://slack.fake/api/",
      FLOWBOT_ENCRYPTION_KEY: TEST_KEY_HEX,
      LOG_LEVEL: "silent",
      ...env,
    }),
    port: 0,
    ...overrides,
  };
}
