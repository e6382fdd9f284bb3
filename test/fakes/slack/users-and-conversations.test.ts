import { describe, expect, it } from "vitest";
import { createSlackFake } from "./index.ts";
import { slackError, webClientFor } from "./test-support.ts";

function setup() {
  const fake = createSlackFake({
    users: [
      { id: "U1", name: "ana", is_admin: true, profile: { email: "Ana@Example.com", display_name: "Ana" } },
      { id: "U2", name: "bo", is_owner: true, is_primary_owner: true },
      { id: "U3", name: "gone", deleted: true },
      { id: "UB", name: "robot", is_bot: true },
    ],
    channels: [{ id: "C1", name: "eng", is_private: true }],
  });
  return { fake, client: webClientFor(fake) };
}

describe("Slack fake: users.info", () => {
  it("returns the role flags flowbot uses for admin checks", async () => {
    const { client } = setup();
    const ana = (await client.users.info({ user: "U1" })).user!;
    expect(ana).toMatchObject({
      id: "U1",
      name: "ana",
      is_admin: true,
      is_owner: false,
      is_primary_owner: false,
      is_bot: false,
      deleted: false,
      profile: { email: "Ana@Example.com", display_name: "Ana" },
    });
    expect((await client.users.info({ user: "U2" })).user).toMatchObject({
      is_owner: true,
      is_primary_owner: true,
    });
    expect((await client.users.info({ user: "U3" })).user).toMatchObject({ deleted: true, is_admin: false });
    expect((await client.users.info({ user: "UB" })).user).toMatchObject({ is_bot: true });
  });

  it("answers user_not_found until the user is added", async () => {
    const { fake, client } = setup();
    expect((await slackError(client.users.info({ user: "U9" }))).error).toBe("user_not_found");
    fake.addUser({ id: "U9", is_admin: true });
    expect((await client.users.info({ user: "U9" })).user).toMatchObject({ id: "U9", is_admin: true });
  });
});

describe("Slack fake: users.lookupByEmail", () => {
  it("finds users by email case-insensitively", async () => {
    const { client } = setup();
    expect((await client.users.lookupByEmail({ email: "ana@example.com" })).user?.id).toBe("U1");
    expect((await slackError(client.users.lookupByEmail({ email: "nobody@example.com" }))).error).toBe(
      "users_not_found",
    );
  });
});

describe("Slack fake: conversations.info", () => {
  it("describes seeded channels and rejects unknown ones", async () => {
    const { fake, client } = setup();
    expect((await client.conversations.info({ channel: "C1" })).channel).toMatchObject({
      id: "C1",
      name: "eng",
      is_private: true,
      is_channel: false,
      is_archived: false,
      is_member: true,
    });
    expect((await slackError(client.conversations.info({ channel: "C9" }))).error).toBe("channel_not_found");
    fake.addChannel({ id: "C9", name: "late", is_member: false });
    expect((await client.conversations.info({ channel: "C9" })).channel).toMatchObject({ is_member: false });
  });
});

describe("Slack fake: users.conversations", () => {
  function membership() {
    const fake = createSlackFake({
      users: [{ id: "U1" }, { id: "U2" }],
      channels: [
        { id: "C1", name: "eng", members: ["U1", "U2"] },
        { id: "C2", name: "ops", members: ["U2"] },
        { id: "C3", name: "secret", is_private: true, members: ["U1"] },
        { id: "C4", name: "hidden", is_private: true, is_member: false, members: ["U1"] },
        { id: "C5", name: "old", is_archived: true, members: ["U1"] },
      ],
    });
    return { fake, client: webClientFor(fake) };
  }

  it("lists a user's public channels by default, and private ones the bot shares when asked", async () => {
    const { client } = membership();
    const publicOnly = await client.users.conversations({ user: "U1" });
    expect(publicOnly.channels?.map((c) => c.id)).toEqual(["C1", "C5"]);
    const all = await client.users.conversations({
      user: "U1",
      types: "public_channel,private_channel",
      exclude_archived: true,
    });
    expect(all.channels?.map((c) => c.id)).toEqual(["C1", "C3"]);
    expect((await slackError(client.users.conversations({ user: "U404" }))).error).toBe("user_not_found");
    expect((await slackError(client.users.conversations({ user: "U1", types: "dm" }))).error).toBe(
      "invalid_types",
    );
  });

  it("pages with limit and next_cursor", async () => {
    const { client } = membership();
    const first = await client.users.conversations({
      user: "U1",
      types: "public_channel,private_channel",
      limit: 2,
    });
    expect(first.channels?.map((c) => c.id)).toEqual(["C1", "C3"]);
    const cursor = first.response_metadata?.next_cursor;
    expect(cursor).toBeTruthy();
    const second = await client.users.conversations({
      user: "U1",
      types: "public_channel,private_channel",
      limit: 2,
      cursor: cursor!,
    });
    expect(second.channels?.map((c) => c.id)).toEqual(["C5"]);
    expect(second.response_metadata?.next_cursor).toBe("");
  });
});

describe("Slack fake: conversations.members and users' teams", () => {
  it("lists a channel's members page by page, the bot included where it has joined", async () => {
    const members = Array.from({ length: 5 }, (_, i) => `U${i}`);
    const fake = createSlackFake({
      channels: [
        { id: "C1", name: "eng", members },
        { id: "C2", name: "ops", members: ["U1"], is_member: false },
        { id: "C3", name: "hush", is_private: true, is_member: false, members: ["U1"] },
      ],
    });
    const client = webClientFor(fake);
    const first = await client.conversations.members({ channel: "C1", limit: 4 });
    expect(first.members).toEqual(["U0", "U1", "U2", "U3"]);
    const second = await client.conversations.members({
      channel: "C1",
      limit: 4,
      cursor: first.response_metadata!.next_cursor!,
    });
    expect(second.members).toEqual(["U4", fake.identity.botUserId]);
    expect(second.response_metadata?.next_cursor).toBe("");
    expect((await client.conversations.members({ channel: "C2" })).members).toEqual(["U1"]);
    expect((await slackError(client.conversations.members({ channel: "C3" }))).error).toBe(
      "channel_not_found",
    );
    expect((await slackError(client.conversations.members({ channel: "C9" }))).error).toBe(
      "channel_not_found",
    );
  });

  it("gives a Slack Connect user their own team_id in users.info", async () => {
    const fake = createSlackFake({ users: [{ id: "U1" }, { id: "UX", team_id: "T0OTHER" }] });
    const client = webClientFor(fake);
    expect((await client.users.info({ user: "U1" })).user?.team_id).toBe(fake.identity.teamId);
    expect((await client.users.info({ user: "UX" })).user?.team_id).toBe("T0OTHER");
  });
});
