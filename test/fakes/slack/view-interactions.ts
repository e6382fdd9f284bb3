import { nextId, nextTriggerId, nextViewHash, type SlackFakeState } from "./state.ts";
import type { JsonObject } from "./types.ts";

/**
 * What Slack sends an app from a modal the user has open, and what it does with the app's answer to a
 * view_submission: the payloads carry the stored view (id, hash, root_view_id, previous_view_id,
 * private_metadata) as Slack keeps it, and a `response_action` changes the user's stack as Slack does.
 */

function storedView(state: SlackFakeState, viewId: string) {
  const stored = state.views.get(viewId);
  if (!stored) throw new Error(`the Slack fake has no view ${viewId}`);
  return stored;
}

function userOf(state: SlackFakeState, userId: string): JsonObject {
  const seed = state.users.get(userId);
  return {
    id: userId,
    username: seed?.name ?? userId.toLowerCase(),
    name: seed?.name ?? userId.toLowerCase(),
    team_id: seed?.team_id ?? state.identity.teamId,
  };
}

function envelope(state: SlackFakeState, type: string, userId: string, issuedAt: number) {
  const triggerId = nextTriggerId(state);
  state.triggers.set(triggerId, { issuedAt, used: false, userId });
  return {
    type,
    team: { id: state.identity.teamId, domain: state.identity.teamDomain },
    user: userOf(state, userId),
    api_app_id: state.identity.appId,
    token: "fake-verification-token",
    trigger_id: triggerId,
    is_enterprise_install: false,
    enterprise: null,
  };
}

/** A view_submission of the view, with the input `values` the user entered (Slack's state.values shape). */
export function viewSubmission(state: SlackFakeState, now: number, viewId: string, values: JsonObject = {}) {
  const stored = storedView(state, viewId);
  return {
    ...envelope(state, "view_submission", stored.userId, now),
    view: { ...stored.view, state: { values } },
    response_urls: [],
  };
}

/** A block_actions payload for an element in the view (e.g. a select the user changed). */
export function viewAction(state: SlackFakeState, now: number, viewId: string, action: JsonObject) {
  const stored = storedView(state, viewId);
  return {
    ...envelope(state, "block_actions", stored.userId, now),
    container: { type: "view", view_id: viewId },
    view: stored.view,
    actions: [{ action_ts: `${Math.floor(now / 1000)}.000100`, ...action }],
  };
}

/** A block_suggestion payload: the user typed `value` into an external select of the view. */
export function viewSuggestion(
  state: SlackFakeState,
  now: number,
  viewId: string,
  fields: { action_id: string; block_id: string; value: string },
) {
  const stored = storedView(state, viewId);
  const { trigger_id: _none, ...rest } = envelope(state, "block_suggestion", stored.userId, now);
  return { ...rest, container: { type: "view", view_id: viewId }, view: stored.view, ...fields };
}

/**
 * Applies the app's answer to a view_submission as Slack does: `update` replaces the submitted view
 * (same id, new hash), `push` adds a view on top of the stack, `clear` closes every view, `errors` keeps
 * the view open, and an empty answer closes the submitted view.
 * @returns the id of the view now on top of the user's stack, if any.
 */
export function applyViewAnswer(
  state: SlackFakeState,
  now: number,
  viewId: string,
  answer: JsonObject | undefined,
): string | undefined {
  const stored = storedView(state, viewId);
  const stack = state.stacks.get(stored.userId) ?? [];
  const action = answer?.response_action;
  const fresh = (input: JsonObject, id: string, root: string, previous: string | null): JsonObject => ({
    private_metadata: "",
    callback_id: "",
    external_id: "",
    clear_on_close: false,
    notify_on_close: false,
    ...input,
    id,
    team_id: state.identity.teamId,
    state: { values: {} },
    hash: nextViewHash(state, now),
    root_view_id: root,
    previous_view_id: previous,
    app_id: state.identity.appId,
    bot_id: state.identity.botId,
  });
  if (action === "update") {
    stored.view = fresh(
      answer!.view as JsonObject,
      viewId,
      stored.view.root_view_id as string,
      stored.view.previous_view_id as string | null,
    );
  } else if (action === "push") {
    const id = nextId(state, "V");
    state.views.set(id, {
      userId: stored.userId,
      view: fresh(answer!.view as JsonObject, id, stored.view.root_view_id as string, viewId),
    });
    stack.push(id);
  } else if (action === "clear") {
    stack.length = 0;
  } else if (action !== "errors") {
    const at = stack.indexOf(viewId);
    if (at >= 0) stack.splice(at, 1);
  }
  if (stack.length) state.stacks.set(stored.userId, stack);
  else state.stacks.delete(stored.userId);
  return stack.at(-1);
}
