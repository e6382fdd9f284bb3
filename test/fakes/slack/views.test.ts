import { describe, expect, it } from "vitest";
import { createManualClock, createSlackFake, TRIGGER_TTL_MS } from "./index.ts";
import { modal, section, slackError, webClientFor } from "./test-support.ts";

function setup() {
  const clock = createManualClock();
  const fake = createSlackFake({ now: clock.now, users: [{ id: "U1" }] });
  return { clock, fake, client: webClientFor(fake) };
}

describe("Slack fake: views.open and triggers", () => {
  it("opens a modal and returns Slack's view fields", async () => {
    const { fake, client } = setup();
    const trigger = fake.issueTriggerId({ userId: "U1" });
    expect(trigger).toMatch(/^\d+\.\d+\.[0-9a-f]{32}$/);
    const result = await client.views.open({
      trigger_id: trigger,
      view: modal("Settings", { callback_id: "cfg" }),
    });
    expect(result.view).toMatchObject({
      type: "modal",
      title: { type: "plain_text", text: "Settings" },
      callback_id: "cfg",
      private_metadata: "",
      team_id: fake.identity.teamId,
      app_id: fake.identity.appId,
      bot_id: fake.identity.botId,
      previous_view_id: null,
    });
    expect(result.view?.id).toMatch(/^V/);
    expect(result.view?.root_view_id).toBe(result.view?.id);
    expect(result.view?.hash).toMatch(/^\d+\.[0-9a-f]+$/);
    expect(fake.openViews("U1").map((v) => v.id)).toEqual([result.view?.id]);
    expect(fake.callsTo("views.open")[0]!.args.view).toMatchObject({ callback_id: "cfg" });
  });

  it("accepts a trigger up to 3 s old and rejects it after", async () => {
    const { clock, fake, client } = setup();
    const fresh = fake.issueTriggerId();
    clock.advance(TRIGGER_TTL_MS);
    expect((await client.views.open({ trigger_id: fresh, view: modal() })).ok).toBe(true);

    const stale = fake.issueTriggerId();
    clock.advance(TRIGGER_TTL_MS + 1);
    expect((await slackError(client.views.open({ trigger_id: stale, view: modal() }))).error).toBe(
      "expired_trigger_id",
    );
  });

  it("lets a trigger be exchanged only once", async () => {
    const { fake, client } = setup();
    const trigger = fake.issueTriggerId();
    await client.views.open({ trigger_id: trigger, view: modal() });
    const failure = await slackError(client.views.open({ trigger_id: trigger, view: modal() }));
    expect(failure.error).toBe("exchanged_trigger_id");
  });

  it("rejects unknown or missing trigger ids", async () => {
    const { client } = setup();
    expect((await slackError(client.views.open({ trigger_id: "1.2.abc", view: modal() }))).error).toBe(
      "invalid_trigger_id",
    );
    const missing = await slackError(client.apiCall("views.open", { view: modal() }));
    expect(missing.error).toBe("invalid_arguments");
  });

  it("does not spend the trigger when the view is rejected", async () => {
    const { fake, client } = setup();
    const trigger = fake.issueTriggerId();
    await slackError(client.views.open({ trigger_id: trigger, view: modal("x".repeat(25)) }));
    expect((await client.views.open({ trigger_id: trigger, view: modal() })).ok).toBe(true);
  });

  it("enforces title/submit/close, block count, private_metadata and input-needs-submit limits", async () => {
    const { fake, client } = setup();
    const tooMany = Array.from({ length: 101 }, () => section("x"));
    const input = {
      type: "input",
      label: { type: "plain_text", text: "Name" },
      element: { type: "plain_text_input" },
    };
    const cases: [Record<string, unknown>, string][] = [
      [modal("t".repeat(25)), "/view/title/text"],
      [modal("ok", { submit: { type: "plain_text", text: "s".repeat(25) } }), "/view/submit/text"],
      [modal("ok", { close: { type: "plain_text", text: "c".repeat(25) } }), "/view/close/text"],
      [modal("ok", { blocks: tooMany }), "/view/blocks"],
      [modal("ok", { private_metadata: "m".repeat(3001) }), "/view/private_metadata"],
      [modal("ok", { blocks: [input] }), "/view/submit"],
      [{ type: "modal", blocks: [] }, "/view/title"],
      [modal("ok", { type: "home" }), "/view/type"],
    ];
    for (const [view, pointer] of cases) {
      const failure = await slackError(
        client.views.open({ trigger_id: fake.issueTriggerId(), view: view as never }),
      );
      expect(failure.error, pointer).toBe("invalid_arguments");
      expect(JSON.stringify(failure.data), pointer).toContain(`[json-pointer:${pointer}]`);
    }
    const limitsOk = modal("t".repeat(24), {
      blocks: Array.from({ length: 100 }, () => section("x")),
      private_metadata: "m".repeat(3000),
    });
    expect((await client.views.open({ trigger_id: fake.issueTriggerId(), view: limitsOk })).ok).toBe(true);
  });

  it("rejects views over 250 kB with view_too_large", async () => {
    const { fake, client } = setup();
    const huge = modal("big", { blocks: Array.from({ length: 90 }, () => section("x".repeat(2900))) });
    const failure = await slackError(client.views.open({ trigger_id: fake.issueTriggerId(), view: huge }));
    expect(failure.error).toBe("view_too_large");
  });
});

describe("Slack fake: views.push", () => {
  it("stacks at most three views, linking root and previous ids", async () => {
    const { fake, client } = setup();
    const root = (
      await client.views.open({ trigger_id: fake.issueTriggerId({ userId: "U1" }), view: modal("1") })
    ).view!;
    const second = (
      await client.views.push({ trigger_id: fake.issueTriggerId({ userId: "U1" }), view: modal("2") })
    ).view!;
    expect(second).toMatchObject({ root_view_id: root.id, previous_view_id: root.id });
    const third = (
      await client.views.push({ trigger_id: fake.issueTriggerId({ userId: "U1" }), view: modal("3") })
    ).view!;
    expect(third).toMatchObject({ root_view_id: root.id, previous_view_id: second.id });
    const failure = await slackError(
      client.views.push({ trigger_id: fake.issueTriggerId({ userId: "U1" }), view: modal("4") }),
    );
    expect(failure.error).toBe("push_limit_reached");
    expect(fake.openViews("U1").map((v) => v.id)).toEqual([root.id, second.id, third.id]);
  });

  it("needs a fresh trigger and an open modal", async () => {
    const { clock, fake, client } = setup();
    const noModal = await slackError(client.views.push({ trigger_id: fake.issueTriggerId(), view: modal() }));
    expect(noModal.error).toBe("invalid_arguments");
    await client.views.open({ trigger_id: fake.issueTriggerId(), view: modal() });
    const stale = fake.issueTriggerId();
    clock.advance(TRIGGER_TTL_MS + 1);
    expect((await slackError(client.views.push({ trigger_id: stale, view: modal() }))).error).toBe(
      "expired_trigger_id",
    );
    fake.closeViews("U0TRIGGER");
    expect(fake.openViews("U0TRIGGER")).toEqual([]);
  });
});

describe("Slack fake: views.update", () => {
  it("updates by view_id or external_id, rotating the hash", async () => {
    const { fake, client } = setup();
    const keep = { external_id: "cfg-U1" };
    const opened = (await client.views.open({ trigger_id: fake.issueTriggerId(), view: modal("v1", keep) }))
      .view!;
    const v2 = (
      await client.views.update({ view_id: opened.id!, hash: opened.hash!, view: modal("v2", keep) })
    ).view!;
    expect(v2).toMatchObject({
      id: opened.id,
      root_view_id: opened.id,
      external_id: "cfg-U1",
      title: { text: "v2" },
    });
    expect(v2.hash).not.toBe(opened.hash);
    const v3 = (await client.views.update({ external_id: "cfg-U1", view: modal("v3", keep) })).view!;
    expect(v3).toMatchObject({ id: opened.id, title: { text: "v3" } });
    expect(fake.view(opened.id!)).toMatchObject({ title: { text: "v3" } });
  });

  it("reports hash_conflict, not_found, duplicate_external_id and invalid views", async () => {
    const { fake, client } = setup();
    const opened = (
      await client.views.open({ trigger_id: fake.issueTriggerId(), view: modal("a", { external_id: "e1" }) })
    ).view!;
    await client.views.update({ view_id: opened.id!, view: modal("b", { external_id: "e1" }) });
    const stale = await slackError(
      client.views.update({ view_id: opened.id!, hash: opened.hash!, view: modal("c") }),
    );
    expect(stale.error).toBe("hash_conflict");
    expect((await slackError(client.views.update({ view_id: "V404", view: modal() }))).error).toBe(
      "not_found",
    );
    expect((await slackError(client.views.update({ external_id: "nope", view: modal() }))).error).toBe(
      "not_found",
    );
    expect((await slackError(client.apiCall("views.update", { view: modal() }))).error).toBe(
      "invalid_arguments",
    );
    const dup = await slackError(
      client.views.open({ trigger_id: fake.issueTriggerId(), view: modal("d", { external_id: "e1" }) }),
    );
    expect(dup.error).toBe("duplicate_external_id");
    const bad = await slackError(client.views.update({ view_id: opened.id!, view: modal("t".repeat(25)) }));
    expect(bad.error).toBe("invalid_arguments");
  });
});

describe("Slack fake: views.publish", () => {
  const home = (text: string) => ({ type: "home" as const, blocks: [section(text)] });

  it("publishes one App Home per user, keeping its id across publishes", async () => {
    const { fake, client } = setup();
    const first = (await client.views.publish({ user_id: "U1", view: home("one") })).view!;
    expect(first).toMatchObject({ type: "home", blocks: [section("one")] });
    const second = (await client.views.publish({ user_id: "U1", view: home("two"), hash: first.hash! }))
      .view!;
    expect(second.id).toBe(first.id);
    expect(fake.homeView("U1")).toMatchObject({ blocks: [section("two")] });
    expect(fake.homeView("U2")).toBeUndefined();
  });

  it("rejects modals, unknown users, stale hashes and more than 100 blocks", async () => {
    const { client } = setup();
    const first = (await client.views.publish({ user_id: "U1", view: home("one") })).view!;
    await client.views.publish({ user_id: "U1", view: home("two") });
    const errors = [
      await slackError(client.views.publish({ user_id: "U1", view: modal() })),
      await slackError(client.views.publish({ user_id: "U404", view: home("x") })),
      await slackError(client.views.publish({ user_id: "U1", view: home("x"), hash: first.hash! })),
      await slackError(
        client.views.publish({
          user_id: "U1",
          view: { type: "home", blocks: Array.from({ length: 101 }, () => section("x")) },
        }),
      ),
    ];
    expect(errors.map((e) => e.error)).toEqual([
      "invalid_arguments",
      "user_not_found",
      "hash_conflict",
      "invalid_arguments",
    ]);
  });
});

describe("Slack fake: what a modal sends, and what the app's answer does", () => {
  it("sends the stored view with the user's values, and applies update, push and clear as Slack does", async () => {
    const { fake, client } = setup();
    const opened = await client.views.open({
      trigger_id: fake.issueTriggerId({ userId: "U1" }),
      view: modal("Bind", { callback_id: "bind", private_metadata: '{"a":1}' }),
    });
    const root = opened.view!.id!;
    const values = { token: { value: { type: "plain_text_input", value: "x" } } };
    const submission = fake.viewSubmission(root, values);
    expect(submission).toMatchObject({
      type: "view_submission",
      team: { id: fake.identity.teamId },
      user: { id: "U1", team_id: fake.identity.teamId },
      view: {
        id: root,
        root_view_id: root,
        callback_id: "bind",
        private_metadata: '{"a":1}',
        state: { values },
      },
    });
    expect(fake.viewAction(root, { action_id: "pick" })).toMatchObject({
      type: "block_actions",
      container: { type: "view", view_id: root },
      view: { id: root, hash: opened.view!.hash },
      actions: [{ action_id: "pick" }],
    });
    expect(fake.viewSuggestion(root, { action_id: "pick", block_id: "b", value: "en" })).toMatchObject({
      type: "block_suggestion",
      action_id: "pick",
      value: "en",
      view: { id: root },
    });

    const pushed = fake.applyViewAnswer(root, {
      response_action: "push",
      view: modal("Confirm", { callback_id: "confirm" }),
    });
    expect(pushed).not.toBe(root);
    expect(fake.view(pushed!)).toMatchObject({
      callback_id: "confirm",
      root_view_id: root,
      previous_view_id: root,
    });
    expect(fake.openViews("U1").map((v) => v.id)).toEqual([root, pushed]);
    expect(fake.applyViewAnswer(pushed!, { response_action: "errors", errors: { a: "b" } })).toBe(pushed);
    expect(fake.applyViewAnswer(pushed!, { response_action: "update", view: modal("Done") })).toBe(pushed);
    expect(fake.view(pushed!)).toMatchObject({ id: pushed, title: { text: "Done" }, root_view_id: root });
    expect(fake.applyViewAnswer(pushed!, undefined)).toBe(root);
    expect(fake.applyViewAnswer(root, { response_action: "clear" })).toBeUndefined();
    expect(fake.openViews("U1")).toEqual([]);
  });
});
