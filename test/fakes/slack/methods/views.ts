import {
  errorMessage,
  fail,
  type MethodHandler,
  type MethodRequest,
  type MethodResult,
  ok,
} from "../method-result.ts";
import { stringArg } from "../parse-body.ts";
import { nextId, nextViewHash, type SlackFakeState } from "../state.ts";
import type { JsonObject } from "../types.ts";
import { checkView, VIEW_LIMITS } from "../view-limits.ts";

/** Slack's trigger_id lifetime. */
export const TRIGGER_TTL_MS = 3000;

interface Trigger {
  id: string;
  userId: string;
}

/** Checks a trigger without spending it, so a rejected view does not burn the caller's only trigger. */
function checkTrigger({ state, args, now }: MethodRequest): Trigger | MethodResult {
  const id = stringArg(args, "trigger_id") ?? stringArg(args, "interactivity_pointer");
  if (!id)
    return fail("invalid_arguments", [errorMessage("missing required field: trigger_id", "/trigger_id")]);
  const trigger = state.triggers.get(id);
  if (!trigger) return fail("invalid_trigger_id");
  if (trigger.used) return fail("exchanged_trigger_id");
  if (now - trigger.issuedAt > TRIGGER_TTL_MS) return fail("expired_trigger_id");
  return { id, userId: trigger.userId };
}

function isResult(value: Trigger | MethodResult): value is MethodResult {
  return "ok" in value;
}

function duplicateExternalId(state: SlackFakeState, externalId: unknown, selfId?: string): boolean {
  if (typeof externalId !== "string" || externalId === "") return false;
  return [...state.views.values()].some((v) => v.view.external_id === externalId && v.view.id !== selfId);
}

/** The stored/returned view: Slack's defaults, then the caller's fields, then server-owned fields. */
function materialize(
  { state, now }: MethodRequest,
  input: JsonObject,
  id: string,
  rootId: string,
  previousId: string | null,
): JsonObject {
  return {
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
    root_view_id: rootId,
    previous_view_id: previousId,
    app_id: state.identity.appId,
    bot_id: state.identity.botId,
  };
}

export const viewsOpen: MethodHandler = (request) => {
  const { state, args } = request;
  const trigger = checkTrigger(request);
  if (isResult(trigger)) return trigger;
  const invalid = checkView(args.view, ["modal"]);
  if (invalid) return invalid;
  const input = args.view as JsonObject;
  if (duplicateExternalId(state, input.external_id)) return fail("duplicate_external_id");
  state.triggers.get(trigger.id)!.used = true;
  const id = nextId(state, "V");
  const view = materialize(request, input, id, id, null);
  state.views.set(id, { userId: trigger.userId, view });
  // Opening a modal from a fresh trigger starts a new stack for that user.
  state.stacks.set(trigger.userId, [id]);
  return ok({ view });
};

export const viewsPush: MethodHandler = (request) => {
  const { state, args } = request;
  const trigger = checkTrigger(request);
  if (isResult(trigger)) return trigger;
  const stack = state.stacks.get(trigger.userId) ?? [];
  if (stack.length === 0) {
    // The fake's own rule: a push needs an open modal to sit on.
    return fail("invalid_arguments", [errorMessage("no open modal to push onto", "/trigger_id")]);
  }
  if (stack.length >= VIEW_LIMITS.stackDepth) return fail("push_limit_reached");
  const invalid = checkView(args.view, ["modal"]);
  if (invalid) return invalid;
  const input = args.view as JsonObject;
  if (duplicateExternalId(state, input.external_id)) return fail("duplicate_external_id");
  state.triggers.get(trigger.id)!.used = true;
  const id = nextId(state, "V");
  const view = materialize(request, input, id, stack[0]!, stack.at(-1)!);
  state.views.set(id, { userId: trigger.userId, view });
  stack.push(id);
  return ok({ view });
};

export const viewsUpdate: MethodHandler = (request) => {
  const { state, args } = request;
  const viewId = stringArg(args, "view_id");
  const externalId = stringArg(args, "external_id");
  if (!viewId && !externalId) {
    return fail("invalid_arguments", [errorMessage("either view_id or external_id is required", "/view_id")]);
  }
  const stored = viewId
    ? state.views.get(viewId)
    : [...state.views.values()].find((v) => v.view.external_id === externalId);
  if (!stored) return fail("not_found");
  const hash = stringArg(args, "hash");
  if (hash && hash !== stored.view.hash) return fail("hash_conflict");
  const current = stored.view;
  const invalid = checkView(args.view, [current.type === "home" ? "home" : "modal"]);
  if (invalid) return invalid;
  const input = args.view as JsonObject;
  if (duplicateExternalId(state, input.external_id, current.id as string))
    return fail("duplicate_external_id");
  stored.view = materialize(
    request,
    input,
    current.id as string,
    current.root_view_id as string,
    current.previous_view_id as string | null,
  );
  return ok({ view: stored.view });
};

export const viewsPublish: MethodHandler = (request) => {
  const { state, args } = request;
  const userId = stringArg(args, "user_id");
  if (!userId)
    return fail("invalid_arguments", [errorMessage("missing required field: user_id", "/user_id")]);
  if (!state.users.has(userId)) return fail("user_not_found");
  const invalid = checkView(args.view, ["home"]);
  if (invalid) return invalid;
  const existingId = state.homeViews.get(userId);
  const existing = existingId ? state.views.get(existingId) : undefined;
  const hash = stringArg(args, "hash");
  if (hash && existing && hash !== existing.view.hash) return fail("hash_conflict");
  const id = existingId ?? nextId(state, "V");
  const view = materialize(request, args.view as JsonObject, id, id, null);
  state.views.set(id, { userId, view });
  state.homeViews.set(userId, id);
  return ok({ view });
};
