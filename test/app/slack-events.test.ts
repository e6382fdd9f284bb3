import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Flowbot, startFlowbot } from "../../src/app/start-flowbot.ts";
import { createSlackFake, type SlackFake } from "../fakes/slack/index.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import {
  eventRequest,
  interactionRequest,
  slashCommandRequest,
  sslCheckRequest,
  urlVerificationBody,
} from "../helpers/sign-slack-request.ts";
import { TEST_SIGNING_SECRET, testConfig } from "../helpers/test-config.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.ts";

// Drives the running app over loopback exactly as Slack does: signed form and JSON bodies to
// /slack/events, with the Web API answered by the in-repo Slack fake.
type SlackAnswer = { response_type: string; text: string };
let db: TestDatabase;
let slack: SlackFake;
let flowbot: Flowbot;
const logs = captureLogs();
let url: string;

beforeAll(async () => {
  db = await createTestDatabase();
  slack = createSlackFake();
  flowbot = await startFlowbot({
    config: testConfig({ DATABASE_URL: db.url }),
    logger: logs.logger,
    slackFetch: slack.fetch,
    slackUnackedTimeoutMs: 300,
  });
  url = `${flowbot.url}/slack/events`;
  // A slow listener, registered only here, to exercise the unacked path through the real receiver.
  flowbot.slack!.app.action("never_acked", async () => {
    await new Promise((r) => setTimeout(r, 600));
  });
});
afterAll(async () => {
  await flowbot?.stop();
  await db?.drop();
});

const send = (request: Request) => fetch(request);

describe("POST /slack/events", () => {
  it("answers /flow help with the list of subcommands, ephemeral, in the HTTP response", async () => {
    const res = await send(slashCommandRequest({ url, signingSecret: TEST_SIGNING_SECRET, text: "help" }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as SlackAnswer;
    expect(body.response_type).toBe("ephemeral");
    const registered = flowbot.slack!.registry.list();
    expect(registered.length).toBeGreaterThan(0);
    for (const s of registered) expect(body.text).toContain(`\`${s.usage}\``);
    expect(body.text.split("\n").filter((l: string) => l.startsWith("• "))).toHaveLength(registered.length);
  });

  it("treats /flow alone as help", async () => {
    const res = await send(slashCommandRequest({ url, signingSecret: TEST_SIGNING_SECRET, text: "" }));
    expect(((await res.json()) as SlackAnswer).text).toContain("`/flow help`");
  });

  it("answers an unknown subcommand with help and a did-you-mean", async () => {
    const res = await send(slashCommandRequest({ url, signingSecret: TEST_SIGNING_SECRET, text: "hepl me" }));
    const body = (await res.json()) as SlackAnswer;
    expect(body.response_type).toBe("ephemeral");
    expect(body.text).toContain("`/flow hepl` is not a flowbot command");
    expect(body.text).toContain("Did you mean `/flow help`?");
    expect(body.text).toContain("`/flow help` — show this list");
  });

  it("refuses a wrong signature with 401 and runs nothing", async () => {
    const before = slack.calls.length;
    const res = await send(
      slashCommandRequest({ url, signingSecret: TEST_SIGNING_SECRET, text: "help", corruptSignature: true }),
    );
    expect(res.status).toBe(401);
    expect(await res.text()).toBe("");
    expect(slack.calls.length).toBe(before);
    expect(logs.text()).toContain("signature mismatch");
  });

  it("refuses a timestamp 10 minutes old with 401", async () => {
    const res = await send(
      slashCommandRequest({ url, signingSecret: TEST_SIGNING_SECRET, text: "help", ageSeconds: 600 }),
    );
    expect(res.status).toBe(401);
  });

  it("refuses a timestamp 5 minutes in the future with 401, and takes a few seconds of clock skew", async () => {
    const ahead = await send(
      slashCommandRequest({ url, signingSecret: TEST_SIGNING_SECRET, text: "help", ageSeconds: -300 }),
    );
    expect(ahead.status).toBe(401);
    expect(logs.text()).toContain("in the future");
    const skewed = await send(
      slashCommandRequest({ url, signingSecret: TEST_SIGNING_SECRET, text: "help", ageSeconds: -20 }),
    );
    expect(skewed.status).toBe(200);
  });

  it("refuses a body changed after signing, and an unsigned request", async () => {
    const tampered = await send(
      slashCommandRequest({
        url,
        signingSecret: TEST_SIGNING_SECRET,
        text: "help",
        tamperBody: (b) => b.replace("help", "pelh"),
      }),
    );
    expect(tampered.status).toBe(401);
    const unsigned = await send(
      slashCommandRequest({ url, signingSecret: TEST_SIGNING_SECRET, unsigned: true }),
    );
    expect(unsigned.status).toBe(401);
  });

  it("echoes the url_verification challenge from a JSON body", async () => {
    const res = await send(
      eventRequest({ url, signingSecret: TEST_SIGNING_SECRET, body: urlVerificationBody("chal-123") }),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ challenge: "chal-123" });
  });

  it("answers ssl_check without a signature", async () => {
    const res = await send(sslCheckRequest({ url, signingSecret: TEST_SIGNING_SECRET, unsigned: true }));
    expect(res.status).toBe(200);
  });

  it("answers 400 to a signed body that does not parse", async () => {
    const { buildSignedRequest } = await import("../helpers/sign-slack-request.ts");
    const res = await send(
      buildSignedRequest({
        url,
        signingSecret: TEST_SIGNING_SECRET,
        body: "{not json",
        contentType: "application/json",
      }),
    );
    expect(res.status).toBe(400);
  });

  it("answers 404 when a listener does not ack in time, as Bolt's receiver does", async () => {
    const res = await send(
      interactionRequest({
        url,
        signingSecret: TEST_SIGNING_SECRET,
        payload: {
          type: "block_actions",
          team: { id: "T0FAKETEAM" },
          user: { id: "U0ADMIN" },
          api_app_id: "A0FAKEAPP",
          token: "x",
          trigger_id: "1.2.3",
          actions: [{ action_id: "never_acked", block_id: "b", type: "button", action_ts: "1" }],
        },
      }),
    );
    expect(res.status).toBe(404);
    expect(logs.text()).toContain("not acknowledged within 3 seconds");
  });

  it("publishes the App Home when the home tab opens (event acked at once)", async () => {
    const { eventCallbackBody, appHomeOpenedEvent } = await import("../helpers/sign-slack-request.ts");
    const res = await send(
      eventRequest({
        url,
        signingSecret: TEST_SIGNING_SECRET,
        body: eventCallbackBody({ event: appHomeOpenedEvent({ user: "U0ADMIN" }) }),
      }),
    );
    expect(res.status).toBe(200);
    await expect.poll(() => slack.callsTo("views.publish").length).toBe(1);
    expect(slack.callsTo("views.publish")[0]!.args.user_id).toBe("U0ADMIN");
  });
});
