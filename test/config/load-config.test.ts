import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config/load-config.ts";

function problems(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("starts with no configuration at all, on the documented defaults", () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toMatch(/\.flowbot$/);
    expect(config.clickupApiUrl).toBe("https://api.clickup.com/api");
    expect(config.slack.apiUrl).toBe("https://slack.com/api/");
    expect(config.role).toBe("all");
    expect(config.logLevel).toBe("info");
    expect(config.admins).toEqual([]);
  });

  it("names PORT, says what is wrong and where to get it", () => {
    const message = problems({ PORT: "abc" });
    expect(message).toContain("PORT must be a whole number");
    expect(message).toContain("1-65535");
    expect(problems({ PORT: "70000" })).toContain("PORT must be 65535 or less");
  });

  it("names a malformed DATABASE_URL", () => {
    expect(problems({ DATABASE_URL: "mysql://x" })).toMatch(/DATABASE_URL is not a valid postgres:\/\/ URL/);
    expect(problems({ DATABASE_URL: "not a url" })).toContain("DATABASE_URL");
  });

  it("lists every bad variable in one message", () => {
    const message = problems({
      PORT: "-1",
      LOG_LEVEL: "loud",
      FLOWBOT_ROLE: "both",
      SLACK_BOT_TOKEN: "xoxp-1",
    });
    for (const name of ["PORT", "LOG_LEVEL", "FLOWBOT_ROLE", "SLACK_BOT_TOKEN"])
      expect(message).toContain(name);
  });

  it("needs a shared database to split web and worker", () => {
    expect(problems({ FLOWBOT_ROLE: "worker" })).toContain(
      "DATABASE_URL is required when FLOWBOT_ROLE is worker",
    );
    expect(loadConfig({ FLOWBOT_ROLE: "web", DATABASE_URL: "postgres://u:p@db/flowbot" }).role).toBe("web");
  });

  it("wants Slack credentials as a set, with Socket Mode needing no signing secret", () => {
    expect(problems({ SLACK_BOT_TOKEN: "xoxb-1" })).toContain("SLACK_SIGNING_SECRET is required");
    expect(problems({ SLACK_SIGNING_SECRET: "abc" })).toContain("SLACK_BOT_TOKEN is required");
    expect(loadConfig({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_APP_TOKEN: "xapp-1" }).slack.appToken).toBe(
      "xapp-1",
    );
  });

  it("accepts a 32-byte key as hex or base64 and refuses anything else", () => {
    expect(loadConfig({ FLOWBOT_ENCRYPTION_KEY: "ab".repeat(32) }).encryptionKey).toHaveLength(32);
    const b64 = Buffer.alloc(32, 7).toString("base64");
    expect(loadConfig({ FLOWBOT_ENCRYPTION_KEY: b64 }).encryptionKey).toEqual(Buffer.alloc(32, 7));
    expect(problems({ FLOWBOT_ENCRYPTION_KEY: "short" })).toContain(
      "FLOWBOT_ENCRYPTION_KEY must decode to exactly 32 bytes",
    );
  });

  it("parses FLOWBOT_ADMINS and refuses things that are not Slack user ids", () => {
    expect(loadConfig({ FLOWBOT_ADMINS: " U012ABC, W0456DEF ," }).admins).toEqual(["U012ABC", "W0456DEF"]);
    expect(problems({ FLOWBOT_ADMINS: "alice" })).toContain("FLOWBOT_ADMINS must list Slack user ids");
  });

  it("normalises URLs: trailing slash for Slack, none for ClickUp and PUBLIC_URL", () => {
    const c = loadConfig({
      SLACK_API_URL: "http://127.0.0.1:9/api",
      CLICKUP_API_URL: "http://127.0.0.1:8/api/",
      PUBLIC_URL: "https://flowbot.example.com/",
    });
    expect(c.slack.apiUrl).toBe("http://127.0.0.1:9/api/");
    expect(c.clickupApiUrl).toBe("http://127.0.0.1:8/api");
    expect(c.publicUrl).toBe("https://flowbot.example.com");
  });
});
