import { webApi } from "@slack/bolt";
import { describe, expect, it } from "vitest";
import { createSlackFake, UPLOAD_METHOD } from "./index.ts";
import { PNG_SIGNATURE, slackError, TINY_PNG, webClientFor } from "./test-support.ts";

function setup() {
  const fake = createSlackFake({ channels: [{ id: "C1", name: "charts" }] });
  return { fake, client: webClientFor(fake) };
}

/** Every byte value, so any text re-encoding along the way would show up. */
const binaryTail = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));

describe("Slack fake: filesUploadV2 end to end", () => {
  it("runs the three-step upload and keeps the PNG bytes intact", async () => {
    const { fake, client } = setup();
    const png = Buffer.concat([TINY_PNG, binaryTail]);
    const result = await client.filesUploadV2({
      channel_id: "C1",
      file: png,
      filename: "cycle-time.png",
      title: "Cycle time",
      alt_text: "Cycle time chart",
      initial_comment: "Weekly flow",
    });
    expect(result.ok).toBe(true);
    expect(fake.calls.map((call) => call.method)).toEqual([
      "files.getUploadURLExternal",
      UPLOAD_METHOD,
      "files.completeUploadExternal",
    ]);
    expect(fake.callsTo("files.getUploadURLExternal")[0]!.args).toMatchObject({
      filename: "cycle-time.png",
      length: String(png.length),
      alt_text: "Cycle time chart",
    });
    const [upload] = fake.uploads();
    expect(upload).toMatchObject({
      filename: "cycle-time.png",
      declaredLength: png.length,
      completed: true,
      title: "Cycle time",
      channelId: "C1",
      altText: "Cycle time chart",
      initialComment: "Weekly flow",
    });
    expect([...upload!.bytes!.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(Buffer.from(upload!.bytes!).equals(png)).toBe(true);
    // The share shows up as a channel message carrying the file.
    expect(fake.messages("C1")).toMatchObject([
      { text: "Weekly flow", files: [{ id: upload!.id, title: "Cycle time" }] },
    ]);
  });

  it("hands out an absolute upload_url on the origin of the request", async () => {
    const { client } = setup();
    const ticket = await client.files.getUploadURLExternal({ filename: "a.png", length: 10 });
    expect(ticket.upload_url).toBe(`http://slack.fake/upload/v1/${ticket.file_id}`);
  });
});

describe("Slack fake: upload steps individually", () => {
  it("accepts a raw POST body and the alt_txt spelling", async () => {
    const { fake, client } = setup();
    const ticket = (await client.apiCall("files.getUploadURLExternal", {
      filename: "c.png",
      length: TINY_PNG.length,
      alt_txt: "chart",
    })) as unknown as { upload_url: string; file_id: string };
    const response = await fake.fetch(ticket.upload_url, {
      method: "POST",
      headers: { "content-type": "image/png" },
      body: new Uint8Array(TINY_PNG),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(`OK - ${TINY_PNG.length}`);
    const done = await client.files.completeUploadExternal({ files: [{ id: ticket.file_id }] });
    expect(done).toMatchObject({ ok: true, files: [{ id: ticket.file_id, title: "c.png" }] });
    expect(fake.upload(ticket.file_id)).toMatchObject({
      altText: "chart",
      contentType: "image/png",
    });
    expect(fake.upload(ticket.file_id)?.channelId).toBeUndefined();
  });

  it("validates getUploadURLExternal arguments", async () => {
    const { client } = setup();
    expect((await slackError(client.apiCall("files.getUploadURLExternal", { length: 3 }))).error).toBe(
      "invalid_arguments",
    );
    expect((await slackError(client.apiCall("files.getUploadURLExternal", { filename: "a" }))).error).toBe(
      "invalid_arguments",
    );
    expect((await slackError(client.files.getUploadURLExternal({ filename: "a", length: 0 }))).error).toBe(
      "invalid_arguments",
    );
  });

  it("refuses to complete files whose bytes never arrived, or into unknown channels", async () => {
    const { fake, client } = setup();
    const ticket = await client.files.getUploadURLExternal({ filename: "a.png", length: 3 });
    const id = ticket.file_id!;
    expect((await slackError(client.files.completeUploadExternal({ files: [{ id }] }))).error).toBe(
      "file_not_found",
    );
    await fake.fetch(ticket.upload_url as string, { method: "POST", body: new Uint8Array([1, 2, 3]) });
    const wrongChannel = await slackError(
      client.files.completeUploadExternal({ files: [{ id }], channel_id: "C9" }),
    );
    expect(wrongChannel.error).toBe("invalid_channel");
    expect((await slackError(client.apiCall("files.completeUploadExternal", { files: [] }))).error).toBe(
      "invalid_arguments",
    );
  });

  it("answers 404 for an upload to an unknown ticket, and can fail the upload step on demand", async () => {
    const { fake, client } = setup();
    const unknown = await fake.fetch(`${fake.origin}/upload/v1/F404`, { method: "POST", body: "x" });
    expect(unknown.status).toBe(404);
    fake.httpErrorNext(UPLOAD_METHOD, 500);
    const failure = await slackError(
      client.filesUploadV2({ channel_id: "C1", file: TINY_PNG, filename: "a.png" }),
    );
    expect(failure.code).toBe(webApi.ErrorCode.HTTPError);
    expect(fake.callsTo("files.completeUploadExternal")).toHaveLength(0);
  });
});

describe("Slack fake: image blocks that show an uploaded file", () => {
  const image = (slackFile: Record<string, string>) => ({
    type: "image",
    slack_file: slackFile,
    alt_text: "chart",
  });

  it("accepts slack_file ids of completed uploads and rejects unknown ones", async () => {
    const { fake, client } = setup();
    const uploaded = await client.filesUploadV2({ file: TINY_PNG, filename: "chart.png" });
    const id = uploaded.files[0]!.files![0]!.id!;
    expect(fake.upload(id)?.channelId).toBeUndefined();
    const posted = await client.chat.postMessage({ channel: "C1", text: "chart", blocks: [image({ id })] });
    expect(posted.ok).toBe(true);
    const failure = await slackError(
      client.chat.postMessage({ channel: "C1", text: "chart", blocks: [image({ id: "F0NOPE" })] }),
    );
    expect(failure.error).toBe("invalid_blocks");
    expect(JSON.stringify(failure.data)).toContain("invalid slack file [json-pointer:/blocks/0/slack_file]");
    const byUrl = await client.chat.postMessage({
      channel: "C1",
      text: "chart",
      blocks: [image({ url: "https://files.slack.com/files-pri/T1-F1/chart.png" })],
    });
    expect(byUrl.ok).toBe(true);
  });

  it("checks response_url messages the same way", async () => {
    const { fake } = setup();
    const post = (blocks: unknown[]) =>
      fake.fetch(fake.responseUrl("r1"), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ text: "chart", blocks }),
      });
    expect((await post([image({ id: "F0NOPE" })])).status).toBe(400);
    expect(fake.responsePosts("r1")[0]!.error).toBe("invalid_blocks");
  });
});
