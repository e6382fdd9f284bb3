import { App, type Receiver, type ReceiverEvent } from "@slack/bolt";
import { describe, expect, it } from "vitest";
import { slashCommandFields } from "../../helpers/sign-slack-request.ts";
import { createSlackFake } from "./index.ts";
import { modal, silentLogger, TINY_PNG } from "./test-support.ts";

/** Bolt only needs init/start/stop from a receiver; events are fed to app.processEvent directly. */
const inertReceiver: Receiver = { init: () => {}, start: async () => {}, stop: async () => {} };

function boltAppOn(fake: ReturnType<typeof createSlackFake>): App {
  return new App({
    token: fake.identity.token,
    receiver: inertReceiver,
    logger: silentLogger,
    clientOptions: { slackApiUrl: fake.apiUrl, fetch: fake.fetch },
  });
}

function commandEvent(body: Record<string, string>): { event: ReceiverEvent; acks: unknown[] } {
  const acks: unknown[] = [];
  return {
    acks,
    event: {
      body,
      ack: async (response?: unknown) => {
        acks.push(response);
      },
    },
  };
}

describe("Bolt 5.1 App with clientOptions { slackApiUrl, fetch } pointed at the fake", () => {
  it("routes client calls, respond() and say() to the fake", async () => {
    const fake = createSlackFake({
      channels: [{ id: "C1", name: "eng" }],
      users: [{ id: "U1", is_admin: true }],
    });
    const app = boltAppOn(fake);
    app.command("/flow", async ({ ack, body, client, respond, say }) => {
      await ack();
      const user = await client.users.info({ user: body.user_id });
      await client.views.open({
        trigger_id: body.trigger_id,
        view: modal(user.user?.is_admin ? "Admin" : "Flow"),
      });
      await respond({ response_type: "ephemeral", text: "Opening settings" });
      await say("Someone opened settings");
      await client.filesUploadV2({ channel_id: body.channel_id, file: TINY_PNG, filename: "chart.png" });
    });

    const { event, acks } = commandEvent(
      slashCommandFields({
        user_id: "U1",
        channel_id: "C1",
        trigger_id: fake.issueTriggerId({ userId: "U1" }),
        response_url: fake.responseUrl("cmd-1"),
      }),
    );
    await app.processEvent(event);

    expect(acks).toEqual([undefined]);
    // Bolt verifies the token with auth.test before the first event.
    expect(fake.callsTo("auth.test")).toHaveLength(1);
    expect(fake.callsTo("views.open")[0]).toMatchObject({ token: fake.identity.token, status: 200 });
    expect(fake.openViews("U1")).toMatchObject([{ title: { text: "Admin" } }]);
    expect(fake.responsePosts("cmd-1")).toMatchObject([
      { status: 200, body: { response_type: "ephemeral", text: "Opening settings" } },
    ]);
    expect(fake.messages("C1")).toMatchObject([
      { text: "Someone opened settings" },
      { files: [{ name: "chart.png" }] },
    ]);
    expect(fake.uploads()[0]!.bytes).toEqual(new Uint8Array(TINY_PNG));
  });

  it("lets an expired trigger surface as a platform error inside the listener", async () => {
    let now = 1_000_000;
    const fake = createSlackFake({ now: () => now });
    const app = boltAppOn(fake);
    const errors: string[] = [];
    app.command("/flow", async ({ ack, body, client }) => {
      await ack();
      now += 3001;
      try {
        await client.views.open({ trigger_id: body.trigger_id, view: modal() });
      } catch (error) {
        errors.push((error as { data?: { error?: string } }).data?.error ?? String(error));
      }
    });
    const { event } = commandEvent(slashCommandFields({ trigger_id: fake.issueTriggerId() }));
    await app.processEvent(event);
    expect(errors).toEqual(["expired_trigger_id"]);
  });
});
