import { describe, expect, it } from "vitest";
import { BLOCK_LIMITS, createSlackFake } from "./index.ts";
import { section, slackError, webClientFor } from "./test-support.ts";

function setup() {
  const fake = createSlackFake({
    users: [{ id: "U1", name: "ana" }],
    channels: [
      { id: "C1", name: "general" },
      { id: "C2", name: "old", is_archived: true },
      { id: "C3", name: "private", is_private: true, is_member: false },
    ],
  });
  return { fake, client: webClientFor(fake) };
}

describe("Slack fake: chat.postMessage", () => {
  it("stores the message and returns channel, ts and the message", async () => {
    const { fake, client } = setup();
    const result = await client.chat.postMessage({ channel: "C1", text: "digest", blocks: [section("*a*")] });
    expect(result).toMatchObject({
      ok: true,
      channel: "C1",
      message: {
        text: "digest",
        user: fake.identity.botUserId,
        bot_id: fake.identity.botId,
        blocks: [section("*a*")],
      },
    });
    expect(result.ts).toMatch(/^\d+\.\d{6}$/);
    expect(result.message?.ts).toBe(result.ts);
    expect(fake.messages("C1")).toEqual([
      { channel: "C1", ts: result.ts, text: "digest", blocks: [section("*a*")] },
    ]);
  });

  it("gives each message a distinct ts even when the clock stands still", async () => {
    const { client } = setup();
    const a = await client.chat.postMessage({ channel: "C1", text: "a" });
    const b = await client.chat.postMessage({ channel: "C1", text: "b" });
    expect(a.ts).not.toBe(b.ts);
  });

  it("posts to a user id as a DM and keeps thread_ts", async () => {
    const { fake, client } = setup();
    const result = await client.chat.postMessage({ channel: "U1", text: "hi", thread_ts: "1.000001" });
    expect(result.channel).toBe("D1");
    expect(fake.messages("U1")).toEqual([
      { channel: "D1", ts: result.ts, text: "hi", thread_ts: "1.000001" },
    ]);
  });

  it("refuses unknown, archived and not-joined channels", async () => {
    const { client } = setup();
    expect((await slackError(client.chat.postMessage({ channel: "C404", text: "x" }))).error).toBe(
      "channel_not_found",
    );
    expect((await slackError(client.chat.postMessage({ channel: "C2", text: "x" }))).error).toBe(
      "is_archived",
    );
    expect((await slackError(client.chat.postMessage({ channel: "C3", text: "x" }))).error).toBe(
      "not_in_channel",
    );
  });

  it("requires some content and caps text length", async () => {
    const { client } = setup();
    expect((await slackError(client.apiCall("chat.postMessage", { channel: "C1" }))).error).toBe("no_text");
    const long = "x".repeat(BLOCK_LIMITS.messageText + 1);
    expect((await slackError(client.chat.postMessage({ channel: "C1", text: long }))).error).toBe(
      "msg_too_long",
    );
  });

  it("rejects more than 50 blocks with invalid_blocks and a pointer message", async () => {
    const { fake, client } = setup();
    const blocks = Array.from({ length: 51 }, (_, i) => section(`row ${i}`));
    const failure = await slackError(client.chat.postMessage({ channel: "C1", text: "t", blocks }));
    expect(failure.error).toBe("invalid_blocks");
    expect(failure.data).toMatchObject({
      response_metadata: {
        messages: ["[ERROR] must provide an array of no more than 50 items [json-pointer:/blocks]"],
      },
    });
    expect(fake.messages("C1")).toEqual([]);
    const fifty = blocks.slice(0, 50);
    expect((await client.chat.postMessage({ channel: "C1", text: "t", blocks: fifty })).ok).toBe(true);
  });

  it("enforces per-block text limits", async () => {
    const { client } = setup();
    const cases: [unknown, string][] = [
      [section("y".repeat(3001)), "/blocks/0/text/text"],
      [{ type: "header", text: { type: "plain_text", text: "h".repeat(151) } }, "/blocks/0/text/text"],
      [{ type: "header", text: { type: "mrkdwn", text: "h" } }, "/blocks/0/text/type"],
      [
        { type: "section", fields: Array.from({ length: 11 }, () => ({ type: "mrkdwn", text: "f" })) },
        "/blocks/0/fields",
      ],
      [{ type: "section", fields: [{ type: "mrkdwn", text: "f".repeat(2001) }] }, "/blocks/0/fields/0/text"],
      [
        { type: "context", elements: Array.from({ length: 11 }, () => ({ type: "mrkdwn", text: "c" })) },
        "/blocks/0/elements",
      ],
      [{ type: "image", image_url: "https://x/y.png" }, "/blocks/0/alt_text"],
      [
        { type: "section", block_id: "b".repeat(256), text: { type: "mrkdwn", text: "x" } },
        "/blocks/0/block_id",
      ],
      [{ text: "no type" }, "/blocks/0"],
    ];
    for (const [block, pointer] of cases) {
      const failure = await slackError(
        client.chat.postMessage({ channel: "C1", text: "t", blocks: [block as never] }),
      );
      expect(failure.error, pointer).toBe("invalid_blocks");
      expect(JSON.stringify(failure.data), pointer).toContain(`[json-pointer:${pointer}]`);
    }
  });

  it("answers invalid_blocks_format when blocks is not an array", async () => {
    const { client } = setup();
    const failure = await slackError(client.apiCall("chat.postMessage", { channel: "C1", blocks: "{oops" }));
    expect(failure.error).toBe("invalid_blocks_format");
  });

  it("rejects a very large total of block text with msg_blocks_too_long", async () => {
    const fake = createSlackFake({ channels: [{ id: "C1", name: "g" }], messageBlocksTextChars: 5000 });
    const client = webClientFor(fake);
    const blocks = Array.from({ length: 3 }, () => section("z".repeat(2000)));
    const failure = await slackError(client.chat.postMessage({ channel: "C1", text: "t", blocks }));
    expect(failure.error).toBe("msg_blocks_too_long");
  });
});

describe("Slack fake: chat.update / chat.postEphemeral / chat.delete", () => {
  it("replaces a message's content", async () => {
    const { fake, client } = setup();
    const posted = await client.chat.postMessage({ channel: "C1", text: "v1", blocks: [section("one")] });
    const updated = await client.chat.update({ channel: "C1", ts: posted.ts!, text: "v2" });
    expect(updated).toMatchObject({
      ok: true,
      channel: "C1",
      ts: posted.ts,
      text: "v2",
      message: { text: "v2" },
    });
    expect(fake.messages("C1")).toEqual([{ channel: "C1", ts: posted.ts, text: "v2", edited: true }]);
    const missing = await slackError(client.chat.update({ channel: "C1", ts: "9.000009", text: "x" }));
    expect(missing.error).toBe("message_not_found");
    const oversize = Array.from({ length: 51 }, () => section("x"));
    const invalid = await slackError(
      client.chat.update({ channel: "C1", ts: posted.ts!, text: "x", blocks: oversize }),
    );
    expect(invalid.error).toBe("invalid_blocks");
  });

  it("posts ephemeral messages to known users only", async () => {
    const { fake, client } = setup();
    const result = await client.chat.postEphemeral({ channel: "C1", user: "U1", text: "only you" });
    expect(result.message_ts).toMatch(/^\d+\.\d{6}$/);
    expect(fake.ephemerals()).toEqual([
      { channel: "C1", user: "U1", message_ts: result.message_ts, text: "only you" },
    ]);
    expect(fake.messages("C1")).toEqual([]);
    const failure = await slackError(client.chat.postEphemeral({ channel: "C1", user: "U404", text: "x" }));
    expect(failure.error).toBe("user_not_found");
  });

  it("deletes a message once", async () => {
    const { fake, client } = setup();
    const posted = await client.chat.postMessage({ channel: "C1", text: "bye" });
    expect(await client.chat.delete({ channel: "C1", ts: posted.ts! })).toMatchObject({
      ok: true,
      ts: posted.ts,
    });
    expect(fake.messages("C1")).toEqual([]);
    const again = await slackError(client.chat.delete({ channel: "C1", ts: posted.ts! }));
    expect(again.error).toBe("message_not_found");
  });
});
