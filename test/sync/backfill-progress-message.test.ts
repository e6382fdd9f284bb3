import { describe, expect, it } from "vitest";
import { createClickUpClient, createRateLimitRegistry } from "../../src/clickup/index.ts";
import { backfillProgressMessage, COMMENTS_STILL_READING } from "../../src/sync/backfill-progress-message.ts";
import { createClickUpFake } from "../fakes/clickup/index.ts";
import { createSlackFake, webClientFor } from "../fakes/slack/index.ts";
import { captureLogs } from "../helpers/capture-logs.ts";

function setup(expectedTasks?: number) {
  const slack = createSlackFake({
    channels: [{ id: "C1", name: "project" }],
    users: [{ id: "U1", is_admin: true }],
  });
  const clickup = createClickUpFake();
  let now = 1_700_000_000_000;
  const message = backfillProgressMessage({
    slack: webClientFor(slack),
    channelId: "C1",
    userId: "U1",
    label: "Eng › Sprint",
    clickup: createClickUpClient({
      baseUrl: "http://x/api",
      token: "pk_1_X",
      fetch: clickup.fetch,
      rateLimits: createRateLimitRegistry(),
    }),
    logger: captureLogs().logger,
    now: () => now,
    expectedTasks,
  });
  return { slack, message, advance: (ms: number) => (now += ms) };
}

describe("backfillProgressMessage", () => {
  it("posts, updates at most every 5 s with an ETA from the rate limit, and ends with a summary", async () => {
    const { slack, message, advance } = setup(1000);
    await message.start();
    expect(slack.callsTo("chat.postMessage")[0]!.args.text).toContain("Backfill of *Eng › Sprint* started");
    await message.progress({ tasks: 100, pages: 1, requests: 2, phase: "tasks" });
    expect(slack.callsTo("chat.update")).toHaveLength(0); // too soon after the start
    advance(6000);
    await message.progress({ tasks: 400, pages: 4, requests: 8, phase: "tasks" });
    const update = String(slack.callsTo("chat.update")[0]!.args.text);
    // 600 tasks left = 6 pages + 6 time-in-status calls at 100/min → 7.2 s → "about 8 s left".
    expect(update).toContain("400 task(s) in 4 page(s), 8 ClickUp request(s) · about 8 s left");
    expect(update).toContain("ClickUp allows 100 requests/min");
    advance(1000);
    await message.progress({ tasks: 500, pages: 5, requests: 10, phase: "tasks" });
    expect(slack.callsTo("chat.update")).toHaveLength(1);
    await message.finish({ status: "synced", tasks: 1000, pages: 10, requests: 21, warning: null });
    expect(String(slack.callsTo("chat.update").at(-1)!.args.text)).toContain(
      "done: 1000 task(s), 21 ClickUp request(s)",
    );
    expect(slack.callsTo("chat.postEphemeral")).toHaveLength(0);
  });

  it("says comments are still being read when a comments pass follows, and hands back the summary", async () => {
    const { slack, message } = setup();
    await message.start();
    const done = await message.finish(
      { status: "synced", tasks: 3, pages: 1, requests: 4, warning: null },
      { commentsQueued: true },
    );
    const text = String(slack.callsTo("chat.update").at(-1)!.args.text);
    expect(text).toContain("done: 3 task(s)");
    expect(text).toContain(COMMENTS_STILL_READING);
    expect(done.ts).toBe((slack.callsTo("chat.postMessage")[0]!.response as { ts: string }).ts);
    expect(done.summary).not.toContain(COMMENTS_STILL_READING);
    expect(text.startsWith(done.summary)).toBe(true);
  });

  it("reports a failure in the channel and once to the admin who asked", async () => {
    const { slack, message } = setup();
    await message.start();
    await message.finish({ status: "error", code: "token_invalid", reason: "ClickUp rejected the token" });
    expect(String(slack.callsTo("chat.update").at(-1)!.args.text)).toContain(
      "stopped: ClickUp rejected the token",
    );
    expect(slack.callsTo("chat.postEphemeral")).toHaveLength(1);
    expect(slack.callsTo("chat.postEphemeral")[0]!.args.user).toBe("U1");
  });
});
