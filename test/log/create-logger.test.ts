import { describe, expect, it } from "vitest";
import { maskTokens } from "../../src/log/create-logger.ts";
import { captureLogs } from "../helpers/capture-logs.ts";

describe("logging", () => {
  it("redacts secrets by key and masks token-shaped strings anywhere", () => {
    const { logger, text } = captureLogs();
    logger.info(
      { token: "pk_42_ABCDEFGHIJ", nested: { secret: "s3cr3t" }, headers: { authorization: "pk_1" } },
      "hi",
    );
    logger.error({ err: new Error("ClickUp refused pk_42_ABCDEFGHIJ") }, "failed for xoxb-1234-5678-abcdef");
    const out = text();
    expect(out).not.toContain("ABCDEFGHIJ");
    expect(out).not.toContain("s3cr3t");
    expect(out).not.toContain("xoxb-1234-5678-abcdef");
    expect(out).toContain("pk_…GHIJ");
    expect(out).toContain("[redacted]");
  });

  it("hides database passwords", () => {
    expect(maskTokens("postgres://flowbot:hunter2@127.0.0.1:5432/db")).toBe(
      "postgres://flowbot:[redacted]@127.0.0.1:5432/db",
    );
  });
});
