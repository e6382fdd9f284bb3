import { describe, expect, it } from "vitest";
import {
  createManualClock,
  createSlackFake,
  RESPONSE_URL_MAX_USES,
  RESPONSE_URL_METHOD,
  RESPONSE_URL_TTL_MS,
} from "./index.ts";
import { section } from "./test-support.ts";

function post(fake: ReturnType<typeof createSlackFake>, url: string, body: unknown) {
  return fake.fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

describe("Slack fake: response_url", () => {
  it("issues URLs on the fake and records what is posted to them", async () => {
    const fake = createSlackFake();
    const url = fake.responseUrl("cmd-1");
    expect(url).toBe("http://slack.fake/response/cmd-1");
    const response = await post(fake, url, {
      response_type: "ephemeral",
      text: "Working on it",
      blocks: [section("x")],
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    expect(fake.responsePosts("cmd-1")).toEqual([
      {
        id: "cmd-1",
        at: expect.any(Number),
        status: 200,
        body: { response_type: "ephemeral", text: "Working on it", blocks: [section("x")] },
      },
    ]);
    expect(fake.callsTo(RESPONSE_URL_METHOD)[0]!.args).toMatchObject({ id: "cmd-1", text: "Working on it" });
  });

  it("generates distinct ids when none is given", () => {
    const fake = createSlackFake();
    expect(fake.responseUrl()).not.toBe(fake.responseUrl());
  });

  it("allows five uses within thirty minutes", async () => {
    const clock = createManualClock();
    const fake = createSlackFake({ now: clock.now });
    const url = fake.responseUrl("r");
    for (let i = 0; i < RESPONSE_URL_MAX_USES; i += 1)
      expect((await post(fake, url, { text: `${i}` })).status).toBe(200);
    const sixth = await post(fake, url, { text: "6" });
    expect(sixth.status).toBe(404);
    expect(await sixth.json()).toEqual({ ok: false, error: "used_url" });

    const later = fake.responseUrl("later");
    clock.advance(RESPONSE_URL_TTL_MS + 1);
    const expired = await post(fake, later, { text: "late" });
    expect(await expired.json()).toEqual({ ok: false, error: "expired_url" });
    expect(fake.responsePosts("later")[0]).toMatchObject({ status: 404, error: "expired_url" });
  });

  it("rejects oversize or empty messages and malformed JSON with a 400", async () => {
    const fake = createSlackFake();
    const url = fake.responseUrl("r");
    const blocks = Array.from({ length: 51 }, () => section("x"));
    const tooMany = await post(fake, url, { text: "t", blocks });
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toMatchObject({ ok: false, error: "invalid_blocks" });
    expect((await post(fake, url, {})).status).toBe(400);
    expect((await post(fake, url, "{nope")).status).toBe(400);
    // delete_original carries no content and is fine.
    expect((await post(fake, url, { delete_original: true })).status).toBe(200);
  });

  it("can be made to fail on demand", async () => {
    const fake = createSlackFake();
    fake.httpErrorNext(RESPONSE_URL_METHOD, 502);
    expect((await post(fake, fake.responseUrl(), { text: "x" })).status).toBe(502);
  });
});
