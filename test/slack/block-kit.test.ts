import { describe, expect, it } from "vitest";
import {
  button,
  clip,
  describeSlackError,
  modal,
  section,
  slackErrorCode,
} from "../../src/slack/views/block-kit.ts";
import { createSlackFake, webClientFor } from "../fakes/slack/index.ts";

describe("Block Kit helpers", () => {
  it("clip a section to Slack's 3,000 characters and build buttons and modals in Slack's shape", () => {
    const long = section("x".repeat(3500));
    expect(long.text!.text).toHaveLength(3000);
    expect(long.text!.text.endsWith("…")).toBe(true);
    expect(clip("abc", 5)).toBe("abc");
    expect(button({ actionId: "a", text: "Go", value: "1", style: "primary" })).toEqual({
      type: "button",
      action_id: "a",
      text: { type: "plain_text", text: "Go" },
      value: "1",
      style: "primary",
    });
    expect(modal({ title: "T", blocks: [], callbackId: "cb", submit: "Save" })).toEqual({
      type: "modal",
      callback_id: "cb",
      title: { type: "plain_text", text: "T" },
      submit: { type: "plain_text", text: "Save" },
      close: { type: "plain_text", text: "Cancel" },
      blocks: [],
    });
  });

  it("read Slack's platform error code from a real Web API error, and nothing else as one", async () => {
    const client = webClientFor(createSlackFake());
    const err = await client.chat.postMessage({ channel: "C0NOWHERE", text: "hi" }).catch((e: unknown) => e);
    expect(slackErrorCode(err)).toBe("channel_not_found");
    expect(describeSlackError(err)).toBe("channel_not_found");
    expect(slackErrorCode(new Error("socket hang up"))).toBeUndefined();
    expect(describeSlackError(new Error("socket hang up"))).toBe("socket hang up");
    expect(describeSlackError(undefined)).toBe("unknown error");
  });
});
