import { webApi } from "@slack/bolt";
import { describe, expect, it } from "vitest";
import { createSlackFake } from "./index.ts";
import { section, slackError, webClientFor } from "./test-support.ts";

describe("Slack fake: auth and the call log", () => {
  it("answers auth.test with the seeded bot identity", async () => {
    const fake = createSlackFake({ teamId: "T123", botUserId: "U777", botId: "B777" });
    const result = await webClientFor(fake).auth.test();
    expect(result).toMatchObject({ ok: true, team_id: "T123", user_id: "U777", bot_id: "B777" });
  });

  it("rejects a missing token with not_authed and an unknown one with invalid_auth", async () => {
    const fake = createSlackFake();
    const anonymous = new webApi.WebClient(undefined, { slackApiUrl: fake.apiUrl, fetch: fake.fetch });
    expect((await slackError(anonymous.auth.test())).error).toBe("not_authed");
    const wrong = webClientFor(fake, { token: "xoxb-not-issued" });
    const failure = await slackError(wrong.auth.test());
    expect(failure).toMatchObject({ code: webApi.ErrorCode.PlatformError, error: "invalid_auth" });
    expect(fake.callsTo("auth.test").map((call) => call.token)).toEqual([undefined, "xoxb-not-issued"]);
  });

  it("reports token_revoked after revokeToken and accepts extra tokens", async () => {
    const fake = createSlackFake();
    fake.addToken("xoxb-second", { userId: "U0SECOND" });
    expect((await webClientFor(fake, { token: "xoxb-second" }).auth.test()).user_id).toBe("U0SECOND");
    fake.revokeToken();
    expect((await slackError(webClientFor(fake).auth.test())).error).toBe("token_revoked");
  });

  it("takes a token from a form field and parses JSON bodies too", async () => {
    const fake = createSlackFake({ channels: [{ id: "C1", name: "general" }] });
    const form = await fake.fetch(`${fake.apiUrl}auth.test`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `token=${fake.identity.token}`,
    });
    expect(await form.json()).toMatchObject({ ok: true });

    const json = await fake.fetch(`${fake.apiUrl}chat.postMessage`, {
      method: "POST",
      headers: {
        "content-type": "application/json; charset=utf-8",
        authorization: `Bearer ${fake.identity.token}`,
      },
      body: JSON.stringify({ channel: "C1", text: "hi", blocks: [section("*hi*")] }),
    });
    expect(await json.json()).toMatchObject({ ok: true, channel: "C1" });
    const [call] = fake.callsTo("chat.postMessage");
    expect(call).toMatchObject({ bodyKind: "json", args: { channel: "C1", blocks: [section("*hi*")] } });
    expect(call!.args).not.toHaveProperty("token");
  });

  it("records decoded arguments, token, time and response for every call", async () => {
    let now = 1_700_000_000_000;
    const fake = createSlackFake({ now: () => now, channels: [{ id: "C1", name: "general" }] });
    now += 5;
    await webClientFor(fake).chat.postMessage({ channel: "C1", text: "t", blocks: [section("a")] });
    expect(fake.calls).toHaveLength(1);
    const [call] = fake.calls;
    expect(call).toMatchObject({
      method: "chat.postMessage",
      token: fake.identity.token,
      bodyKind: "form",
      at: 1_700_000_000_005,
      status: 200,
      response: { ok: true, channel: "C1" },
    });
    // WebClient JSON-encodes blocks inside the form body; the log holds them decoded.
    expect(call!.args.blocks).toEqual([section("a")]);
    fake.clearCalls();
    expect(fake.calls).toHaveLength(0);
  });

  it("answers unknown_method for methods it does not implement", async () => {
    const fake = createSlackFake();
    const failure = await slackError(webClientFor(fake).apiCall("reactions.add", { name: "x" }));
    expect(failure.error).toBe("unknown_method");
  });

  it("answers malformed JSON bodies with invalid_json", async () => {
    const fake = createSlackFake();
    const response = await fake.fetch(`${fake.apiUrl}auth.test`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${fake.identity.token}` },
      body: "{not json",
    });
    expect(await response.json()).toEqual({ ok: false, error: "invalid_json" });
  });
});

describe("Slack fake: failure injection", () => {
  it("serves an injected platform error once, then the real answer", async () => {
    const fake = createSlackFake({ channels: [{ id: "C1", name: "general" }] });
    fake.failNext("chat.postMessage", "channel_is_archived", { extra: { needed: "x" } });
    const client = webClientFor(fake);
    const failure = await slackError(client.chat.postMessage({ channel: "C1", text: "a" }));
    expect(failure.error).toBe("channel_is_archived");
    expect(failure.data).toMatchObject({ needed: "x" });
    expect((await client.chat.postMessage({ channel: "C1", text: "b" })).ok).toBe(true);
    expect(fake.messages("C1").map((m) => m.text)).toEqual(["b"]);
  });

  it("injects failures before auth, for any method with '*', a given number of times", async () => {
    const fake = createSlackFake();
    fake.failNext("*", "fatal_error", { times: 2 });
    const client = webClientFor(fake, { token: "xoxb-bad" });
    expect((await slackError(client.auth.test())).error).toBe("fatal_error");
    expect((await slackError(client.users.info({ user: "U1" }))).error).toBe("fatal_error");
    expect((await slackError(client.auth.test())).error).toBe("invalid_auth");
  });

  it("serves a 5xx that WebClient surfaces as an HTTP error, and retries past it when allowed", async () => {
    const fake = createSlackFake();
    fake.httpErrorNext("auth.test", 503);
    const failure = await slackError(webClientFor(fake).auth.test());
    expect(failure.code).toBe(webApi.ErrorCode.HTTPError);
    expect(fake.callsTo("auth.test")[0]!.status).toBe(503);

    fake.httpErrorNext("auth.test", 500);
    const retrying = webClientFor(fake, { retryConfig: { retries: 1, minTimeout: 0, maxTimeout: 0 } });
    expect((await retrying.auth.test()).ok).toBe(true);
    expect(fake.callsTo("auth.test").map((call) => call.status)).toEqual([503, 500, 200]);
  });
});
