import { webApi } from "@slack/bolt";
import { afterEach, describe, expect, it } from "vitest";
import { createSlackFake, type ListeningSlackFake } from "./index.ts";
import { PNG_SIGNATURE, silentLogger, slackError, TINY_PNG } from "./test-support.ts";

const open: ListeningSlackFake[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((server) => server.close()));
});

async function listening() {
  const fake = createSlackFake({
    channels: [{ id: "C1", name: "g" }],
    users: [{ id: "U1", is_admin: true }],
  });
  const server = await fake.listen();
  open.push(server);
  // No injected fetch: real sockets through the global fetch.
  const client = new webApi.WebClient(fake.identity.token, {
    slackApiUrl: server.apiUrl,
    retryConfig: { retries: 0 },
    logger: silentLogger,
  });
  return { fake, server, client };
}

describe("Slack fake over loopback", () => {
  it("listens on 127.0.0.1 with an ephemeral port and an /api/ URL", async () => {
    const { server } = await listening();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.apiUrl).toBe(`${server.url}/api/`);
  });

  it("serves Web API calls, including errors", async () => {
    const { fake, client } = await listening();
    expect((await client.users.info({ user: "U1" })).user).toMatchObject({ is_admin: true });
    expect((await slackError(client.users.info({ user: "U2" }))).error).toBe("user_not_found");
    await client.chat.postMessage({ channel: "C1", text: "over tcp" });
    expect(fake.messages("C1").map((m) => m.text)).toEqual(["over tcp"]);
  });

  it("uploads a file with an upload_url on the loopback origin", async () => {
    const { fake, server, client } = await listening();
    await client.filesUploadV2({ channel_id: "C1", file: TINY_PNG, filename: "chart.png", title: "Chart" });
    const ticket = fake.callsTo("files.getUploadURLExternal")[0]!.response as { upload_url: string };
    expect(ticket.upload_url.startsWith(`${server.url}/upload/v1/`)).toBe(true);
    const [upload] = fake.uploads();
    expect([...upload!.bytes!.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(Buffer.from(upload!.bytes!).equals(TINY_PNG)).toBe(true);
  });

  it("accepts response_url posts and rate-limits over the wire", async () => {
    const { fake, server } = await listening();
    const url = server.responseUrl("r1");
    expect(url).toBe(`${server.url}/response/r1`);
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "done" }),
    });
    expect(response.status).toBe(200);
    expect(fake.responsePosts("r1")[0]!.body).toEqual({ text: "done" });

    fake.rateLimitNext("auth.test", 0);
    const retrying = new webApi.WebClient(fake.identity.token, {
      slackApiUrl: server.apiUrl,
      retryConfig: { retries: 1, minTimeout: 0, maxTimeout: 0 },
      logger: silentLogger,
    });
    expect((await retrying.auth.test()).ok).toBe(true);
    expect(fake.callsTo("auth.test").map((call) => call.status)).toEqual([429, 200]);
  });

  it("closes cleanly so the port stops answering", async () => {
    const { server } = await listening();
    await open.pop()!.close();
    await expect(fetch(`${server.apiUrl}auth.test`, { method: "POST" })).rejects.toThrow();
  });
});
