import { createHmac } from "node:crypto";
import { isValidSlackRequest, verifySlackRequest } from "@slack/bolt";
import { describe, expect, it } from "vitest";
import {
  appHomeOpenedEvent,
  eventCallbackBody,
  eventRequest,
  interactionRequest,
  type SignedRequestOptions,
  signSlackRequest,
  slackSignature,
  slashCommandRequest,
  sslCheckRequest,
  urlVerificationBody,
} from "./sign-slack-request.ts";

const SECRET = "test-signing-secret";
const NOW_MS = 1_736_150_400_000;
const now = () => NOW_MS;
const base: SignedRequestOptions = { url: "http://app.test/slack/events", signingSecret: SECRET, now };

/** Checks a Request with Bolt's own verifier, at the same instant it was signed unless told otherwise. */
async function boltAccepts(request: Request, atMs = NOW_MS): Promise<boolean> {
  return isValidSlackRequest({
    signingSecret: SECRET,
    body: await request.text(),
    headers: {
      "x-slack-signature": request.headers.get("x-slack-signature") ?? "",
      "x-slack-request-timestamp": Number(request.headers.get("x-slack-request-timestamp")),
    },
    nowMilliseconds: atMs,
  });
}

describe("slackSignature / signSlackRequest", () => {
  it("matches the worked example in Slack's request-verification docs", () => {
    const body =
      "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V" +
      "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=" +
      "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN" +
      "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    expect(slackSignature("8f742231b10e8888abcd99yyyzzz85a5", 1531420618, body)).toBe(
      "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
    );
  });

  it("signs v0:{ts}:{body} with HMAC-SHA256, timestamp from the injected clock", () => {
    const body = JSON.stringify({ type: "event_callback", text: "héllo ✓" });
    const headers = signSlackRequest({ signingSecret: SECRET, body, now });
    const expected = createHmac("sha256", SECRET).update(`v0:1736150400:${body}`, "utf8").digest("hex");
    expect(headers).toEqual({
      "X-Slack-Signature": `v0=${expected}`,
      "X-Slack-Request-Timestamp": "1736150400",
    });
  });

  it("uses an explicit timestamp when given", () => {
    const headers = signSlackRequest({ signingSecret: SECRET, body: "a=1", timestamp: 42 });
    expect(headers["X-Slack-Request-Timestamp"]).toBe("42");
    expect(headers["X-Slack-Signature"]).toBe(slackSignature(SECRET, 42, "a=1"));
  });

  it("is accepted by Bolt's verifySlackRequest", () => {
    const body = "ssl_check=1";
    const headers = signSlackRequest({ signingSecret: SECRET, body, now });
    expect(() =>
      verifySlackRequest({
        signingSecret: SECRET,
        body,
        headers: {
          "x-slack-signature": headers["X-Slack-Signature"],
          "x-slack-request-timestamp": Number(headers["X-Slack-Request-Timestamp"]),
        },
        nowMilliseconds: NOW_MS,
      }),
    ).not.toThrow();
    expect(() =>
      verifySlackRequest({
        signingSecret: "another-secret",
        body,
        headers: {
          "x-slack-signature": headers["X-Slack-Signature"],
          "x-slack-request-timestamp": Number(headers["X-Slack-Request-Timestamp"]),
        },
        nowMilliseconds: NOW_MS,
      }),
    ).toThrow(/signature mismatch/);
  });
});

describe("signed request builders against Bolt's verifier", () => {
  it("accepts every builder's output", async () => {
    const requests = [
      slashCommandRequest({ ...base, text: "config" }),
      interactionRequest({ ...base, payload: { type: "block_actions", actions: [{ action_id: "a" }] } }),
      eventRequest({ ...base, body: urlVerificationBody("ch4llenge") }),
      sslCheckRequest({ ...base }),
    ];
    for (const request of requests) expect(await boltAccepts(request)).toBe(true);
  });

  it("rejects a tampered body, a corrupted signature and missing headers", async () => {
    const tampered = slashCommandRequest({
      ...base,
      text: "a",
      tamperBody: (b) => b.replace("text=a", "text=b"),
    });
    expect(await boltAccepts(tampered)).toBe(false);
    expect(await boltAccepts(slashCommandRequest({ ...base, corruptSignature: true }))).toBe(false);
    const unsigned = eventRequest({ ...base, body: { type: "x" }, unsigned: true });
    expect(unsigned.headers.get("x-slack-signature")).toBeNull();
    expect(await boltAccepts(unsigned)).toBe(false);
  });

  it("rejects a timestamp older than five minutes", async () => {
    expect(await boltAccepts(slashCommandRequest({ ...base, ageSeconds: 299 }))).toBe(true);
    expect(await boltAccepts(slashCommandRequest({ ...base, ageSeconds: 301 }))).toBe(false);
    // The same request, checked six minutes after it was signed.
    expect(await boltAccepts(slashCommandRequest(base), NOW_MS + 6 * 60_000)).toBe(false);
    expect(() =>
      verifySlackRequest({
        signingSecret: SECRET,
        body: "x",
        headers: { "x-slack-signature": slackSignature(SECRET, 1, "x"), "x-slack-request-timestamp": 1 },
        nowMilliseconds: NOW_MS,
      }),
    ).toThrow(/stale/);
  });
});

describe("request shapes", () => {
  it("builds a slash command form body with Slack's fields in Slack's order", async () => {
    const request = slashCommandRequest({
      ...base,
      text: "report weekly",
      user_id: "U1",
      team_id: "T1",
      channel_id: "C1",
      trigger_id: "1.2.abc",
      response_url: "http://slack.fake/response/r1",
    });
    expect(request.method).toBe("POST");
    expect(request.url).toBe("http://app.test/slack/events");
    expect(request.headers.get("content-type")).toBe("application/x-www-form-urlencoded");
    const fields = new URLSearchParams(await request.text());
    expect([...fields.keys()]).toEqual([
      "token",
      "team_id",
      "team_domain",
      "channel_id",
      "channel_name",
      "user_id",
      "user_name",
      "command",
      "text",
      "api_app_id",
      "is_enterprise_install",
      "response_url",
      "trigger_id",
    ]);
    expect(Object.fromEntries(fields)).toMatchObject({
      team_id: "T1",
      user_id: "U1",
      channel_id: "C1",
      command: "/flow",
      text: "report weekly",
      is_enterprise_install: "false",
      response_url: "http://slack.fake/response/r1",
      trigger_id: "1.2.abc",
    });
  });

  it("wraps interaction payloads as payload=<json>", async () => {
    const payload = { type: "view_submission", view: { callback_id: "cfg", private_metadata: "a&b=c" } };
    const request = interactionRequest({ ...base, payload });
    expect(request.headers.get("content-type")).toBe("application/x-www-form-urlencoded");
    const fields = new URLSearchParams(await request.text());
    expect([...fields.keys()]).toEqual(["payload"]);
    expect(JSON.parse(fields.get("payload")!)).toEqual(payload);
  });

  it("sends events as JSON, with retry headers when asked", async () => {
    const body = eventCallbackBody({ event: appHomeOpenedEvent({ user: "U1" }) });
    const request = eventRequest({ ...base, body, retryNum: 1, retryReason: "http_timeout" });
    expect(request.headers.get("content-type")).toBe("application/json");
    expect(request.headers.get("x-slack-retry-num")).toBe("1");
    expect(request.headers.get("x-slack-retry-reason")).toBe("http_timeout");
    expect(await request.json()).toMatchObject({
      type: "event_callback",
      team_id: "T0FAKETEAM",
      event: { type: "app_home_opened", user: "U1", tab: "home" },
    });
    expect(urlVerificationBody("c")).toEqual({
      token: "fake-verification-token",
      challenge: "c",
      type: "url_verification",
    });
  });

  it("builds an unsigned ssl_check unless a secret is given", async () => {
    const request = sslCheckRequest({ url: base.url, now });
    expect(request.headers.get("x-slack-signature")).toBeNull();
    expect(Object.fromEntries(new URLSearchParams(await request.text()))).toEqual({
      ssl_check: "1",
      token: "fake-verification-token",
    });
    const signed = sslCheckRequest({ url: base.url, signingSecret: SECRET, now });
    expect(await boltAccepts(signed)).toBe(true);
  });
});
