import { webApi } from "@slack/bolt";
import { describe, expect, it } from "vitest";
import { createSlackFake } from "./index.ts";
import { slackError, webClientFor } from "./test-support.ts";

describe("Slack fake: HTTP 429 with Retry-After", () => {
  it("is waited out and retried by WebClient", async () => {
    const fake = createSlackFake({ channels: [{ id: "C1", name: "g" }] });
    fake.rateLimitNext("chat.postMessage", 1);
    const client = webClientFor(fake, { retryConfig: { retries: 2, minTimeout: 0, maxTimeout: 0 } });
    const waits: number[] = [];
    client.on(webApi.WebClientEvent.RATE_LIMITED, (seconds: number) => waits.push(seconds));
    const started = performance.now();
    const result = await client.chat.postMessage({ channel: "C1", text: "after the pause" });
    const elapsed = performance.now() - started;
    expect(result.ok).toBe(true);
    expect(waits).toEqual([1]);
    // WebClient pauses its queue for Retry-After seconds before retrying.
    expect(elapsed).toBeGreaterThanOrEqual(950);
    const calls = fake.callsTo("chat.postMessage");
    expect(calls.map((call) => call.status)).toEqual([429, 200]);
    expect(calls[0]!.response).toEqual({ ok: false, error: "ratelimited" });
    // The rate-limited attempt must not have posted anything.
    expect(fake.messages("C1").map((m) => m.text)).toEqual(["after the pause"]);
  });

  it("sends the Retry-After header", async () => {
    const fake = createSlackFake();
    fake.rateLimitNext("auth.test", 7);
    const response = await fake.fetch(`${fake.apiUrl}auth.test`, { method: "POST" });
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("7");
    // Consumed: the next call is answered normally (here: no token).
    const next = await fake.fetch(`${fake.apiUrl}auth.test`, { method: "POST" });
    expect(await next.json()).toEqual({ ok: false, error: "not_authed" });
  });

  it("surfaces as WebAPIRateLimitedError when the client rejects rate-limited calls", async () => {
    const fake = createSlackFake();
    fake.rateLimitNext("users.info", 30);
    const client = webClientFor(fake, { rejectRateLimitedCalls: true });
    const failure = await slackError(client.users.info({ user: "U1" }));
    expect(failure.code).toBe(webApi.ErrorCode.RateLimitedError);
  });
});
