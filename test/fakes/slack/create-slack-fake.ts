import { Hono } from "hono";
import { queueFailure } from "./failures.ts";
import { listenOnLoopback } from "./listen.ts";
import { dmChannelId } from "./methods/resolve-channel.ts";
import { mountApiRoute } from "./routes/api-route.ts";
import type { RouteContext } from "./routes/context.ts";
import { mountResponseUrlRoute, RESPONSE_PATH } from "./routes/response-url-route.ts";
import { mountUploadRoute } from "./routes/upload-route.ts";
import { createState, messagesIn, nextId, nextTriggerId, type SlackFakeState } from "./state.ts";
import type {
  BotIdentity,
  InjectedFailure,
  JsonObject,
  RecordedCall,
  ResponsePost,
  SlackChannelSeed,
  SlackUserSeed,
  StoredEphemeral,
  StoredMessage,
  TokenIdentity,
  UploadRecord,
} from "./types.ts";
import { applyViewAnswer, viewAction, viewSubmission, viewSuggestion } from "./view-interactions.ts";

export interface SlackFakeOptions extends Partial<BotIdentity> {
  /** Milliseconds since the epoch; drives trigger expiry, response_url lifetime and message ts. */
  now?: () => number;
  /** Origin used for in-process URLs (apiUrl, upload_url, response_url). */
  origin?: string;
  users?: SlackUserSeed[];
  channels?: SlackChannelSeed[];
  /** Ceiling for total text in message blocks before `msg_blocks_too_long`; Slack's value is undocumented. */
  messageBlocksTextChars?: number;
}

export interface ListeningSlackFake {
  url: string;
  apiUrl: string;
  responseUrl: (id?: string) => string;
  close: () => Promise<void>;
}

export type FakeFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** User a trigger belongs to when the test does not say; modal stacks are tracked per user. */
export const DEFAULT_TRIGGER_USER = "U0TRIGGER";

export function createSlackFake(options: SlackFakeOptions = {}) {
  const origin = (options.origin ?? "http://slack.fake").replace(/\/+$/, "");
  const identity: BotIdentity = {
    token: options.token ?? "xoxb-fake-bot-token",
    teamId: options.teamId ?? "T0FAKETEAM",
    teamName: options.teamName ?? "Fake Team",
    teamDomain: options.teamDomain ?? "fake-team",
    botUserId: options.botUserId ?? "U0FAKEBOT",
    botUserName: options.botUserName ?? "flowbot",
    botId: options.botId ?? "B0FAKEBOT",
    appId: options.appId ?? "A0FAKEAPP",
  };
  const state: SlackFakeState = createState(identity);
  const ctx: RouteContext = {
    state,
    now: options.now ?? Date.now,
    limits: { messageBlocksTextChars: options.messageBlocksTextChars ?? 13_000 },
  };
  for (const user of options.users ?? []) state.users.set(user.id, user);
  for (const channel of options.channels ?? []) state.channels.set(channel.id, channel);

  const app = new Hono();
  mountApiRoute(app, ctx);
  mountUploadRoute(app, ctx);
  mountResponseUrlRoute(app, ctx);

  const fetch: FakeFetch = async (input, init) => app.fetch(new Request(input, init));

  const viewObject = (id: string | undefined): JsonObject | undefined =>
    id === undefined ? undefined : state.views.get(id)?.view;

  return {
    app,
    /** In-process transport: pass as `fetch` to WebClient / Bolt's `clientOptions`. */
    fetch,
    origin,
    /** Ends with "/": WebClient appends method names to it. */
    apiUrl: `${origin}/api/`,
    identity,
    /** Escape hatch for assertions the helpers below do not cover. */
    state,
    /** Every request received, in order (live array). */
    calls: state.calls as readonly RecordedCall[],
    callsTo: (method: string): RecordedCall[] => state.calls.filter((call) => call.method === method),
    clearCalls: (): void => {
      state.calls.length = 0;
    },

    addUser: (user: SlackUserSeed): void => {
      state.users.set(user.id, user);
    },
    addChannel: (channel: SlackChannelSeed): void => {
      state.channels.set(channel.id, channel);
    },
    /** Registers another accepted token (e.g. a second bot or a user token). */
    addToken: (token: string, who: Partial<TokenIdentity> = {}): void => {
      state.tokens.set(token, { teamId: identity.teamId, userId: identity.botUserId, ...who });
    },
    /** Later calls with this token answer `token_revoked`, as after an app uninstall. */
    revokeToken: (token: string = identity.token): void => {
      const known = state.tokens.get(token);
      if (known) known.revoked = true;
    },

    /** A fresh trigger_id, valid for 3 s of the fake's clock and for one views.open/push. */
    issueTriggerId: ({ userId = DEFAULT_TRIGGER_USER }: { userId?: string } = {}): string => {
      const id = nextTriggerId(state);
      state.triggers.set(id, { issuedAt: ctx.now(), used: false, userId });
      return id;
    },
    /** A response_url served by this fake (in-process origin). Its 30-minute lifetime starts now. */
    responseUrl: (id?: string): string => issueResponseUrl(state, ctx.now(), origin, id),
    responsePosts: (id?: string): ResponsePost[] =>
      id === undefined ? [...state.responsePosts] : state.responsePosts.filter((post) => post.id === id),

    /** Messages currently in a channel (a user id reads that user's DM). */
    messages: (channel: string): StoredMessage[] => [
      ...messagesIn(state, state.users.has(channel) ? dmChannelId(channel) : channel),
    ],
    ephemerals: (): StoredEphemeral[] => [...state.ephemerals],
    view: viewObject,
    /** The user's modal stack, root first. */
    openViews: (userId: string): JsonObject[] =>
      (state.stacks.get(userId) ?? []).map((id) => viewObject(id)).filter((v) => v !== undefined),
    /** Simulates the user closing/submitting their modals, which empties the stack. */
    closeViews: (userId: string): void => {
      state.stacks.delete(userId);
    },
    homeView: (userId: string): JsonObject | undefined => viewObject(state.homeViews.get(userId)),
    /** The view_submission Slack sends when the user submits this view with these input values. */
    viewSubmission: (viewId: string, values: JsonObject = {}) =>
      viewSubmission(state, ctx.now(), viewId, values),
    /** The block_actions Slack sends for an element of this view. */
    viewAction: (viewId: string, action: JsonObject) => viewAction(state, ctx.now(), viewId, action),
    /** The block_suggestion Slack sends while the user types into an external select of this view. */
    viewSuggestion: (viewId: string, fields: { action_id: string; block_id: string; value: string }) =>
      viewSuggestion(state, ctx.now(), viewId, fields),
    /** Applies the app's answer to a submission as Slack does; the id of the view then on top, if any. */
    applyViewAnswer: (viewId: string, answer: JsonObject | undefined) =>
      applyViewAnswer(state, ctx.now(), viewId, answer),
    upload: (fileId: string): UploadRecord | undefined => state.uploads.get(fileId),
    uploads: (): UploadRecord[] => [...state.uploads.values()],

    /** Next `times` calls of `method` ("*" = any; also "upload", "response_url") answer `{ok:false,error}`. */
    failNext: (
      method: string,
      error: string,
      { times = 1, extra }: { times?: number; extra?: JsonObject } = {},
    ) => queueFailure(state, method, { type: "error", error, ...(extra ? { extra } : {}) }, times),
    /** Next `times` calls answer HTTP 429 with `Retry-After: retryAfterSeconds`. */
    rateLimitNext: (method: string, retryAfterSeconds = 1, times = 1) =>
      queueFailure(state, method, { type: "rate_limited", retryAfter: retryAfterSeconds }, times),
    /** Next `times` calls answer a bare HTTP error status (5xx outages). */
    httpErrorNext: (method: string, status = 500, times = 1) =>
      queueFailure(state, method, { type: "http", status }, times),
    injectFailure: (method: string, failure: InjectedFailure, times = 1) =>
      queueFailure(state, method, failure, times),

    /** Also serve on 127.0.0.1:<ephemeral>; URLs the fake hands out follow the origin each request used. */
    listen: async (): Promise<ListeningSlackFake> => {
      const server = await listenOnLoopback(app);
      return {
        url: server.url,
        apiUrl: `${server.url}/api/`,
        responseUrl: (id?: string) => issueResponseUrl(state, ctx.now(), server.url, id),
        close: server.close,
      };
    },
  };
}

export type SlackFake = ReturnType<typeof createSlackFake>;

function issueResponseUrl(state: SlackFakeState, now: number, base: string, id?: string): string {
  const key = id ?? nextId(state, "R");
  if (!state.responseUrls.has(key)) state.responseUrls.set(key, { issuedAt: now, uses: 0 });
  return `${base}${RESPONSE_PATH}${encodeURIComponent(key)}`;
}
