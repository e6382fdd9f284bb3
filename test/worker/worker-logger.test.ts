import { describe, expect, it } from "vitest";
import { workerLogger } from "../../src/worker/worker-logger.ts";
import { captureLogs } from "../helpers/capture-logs.ts";

describe("workerLogger", () => {
  it("logs a job aborted at shutdown (an AbortError) instead of throwing inside graphile-worker", () => {
    const logs = captureLogs("debug");
    const log = workerLogger(logs.logger).scope({ label: "worker", workerId: "worker-1" });
    const controller = new AbortController();
    controller.abort();
    expect(() =>
      log.error("Failed task 7 (backfill-binding) with error This operation was aborted", {
        error: controller.signal.reason,
      }),
    ).not.toThrow();
    expect(logs.lines).toHaveLength(1);
    expect(logs.lines[0]).toMatchObject({
      level: "error",
      component: "worker",
      workerId: "worker-1",
      err: { type: "DOMException", message: "This operation was aborted" },
    });
  });

  it("masks a token inside a logged error's message", () => {
    const logs = captureLogs("debug");
    workerLogger(logs.logger).error("job failed", {
      error: new Error("ClickUp refused pk_4500001_ABCDEFGHIJ"),
    });
    expect(logs.text()).not.toContain("pk_4500001_ABCDEFGHIJ");
    expect(logs.lines[0]).toMatchObject({ err: { message: "ClickUp refused pk_…GHIJ" } });
  });
});
