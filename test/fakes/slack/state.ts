import type {
  BotIdentity,
  InjectedFailure,
  RecordedCall,
  ResponsePost,
  ResponseUrlRecord,
  SlackChannelSeed,
  SlackUserSeed,
  StoredEphemeral,
  StoredMessage,
  StoredView,
  TokenIdentity,
  TriggerRecord,
  UploadRecord,
} from "./types.ts";

/** The whole in-memory world of the fake: plain maps that routes mutate and tests read. */
export interface SlackFakeState {
  identity: BotIdentity;
  tokens: Map<string, TokenIdentity>;
  users: Map<string, SlackUserSeed>;
  channels: Map<string, SlackChannelSeed>;
  /** Messages per channel id (DMs are keyed by their D… id), oldest first. */
  messages: Map<string, StoredMessage[]>;
  ephemerals: StoredEphemeral[];
  triggers: Map<string, TriggerRecord>;
  views: Map<string, StoredView>;
  /** Open modal stack per user: view ids, root first. */
  stacks: Map<string, string[]>;
  /** Published App Home view id per user. */
  homeViews: Map<string, string>;
  uploads: Map<string, UploadRecord>;
  responseUrls: Map<string, ResponseUrlRecord>;
  responsePosts: ResponsePost[];
  calls: RecordedCall[];
  failures: Map<string, InjectedFailure[]>;
  seq: number;
}

export function createState(identity: BotIdentity): SlackFakeState {
  return {
    identity,
    tokens: new Map([
      [identity.token, { teamId: identity.teamId, userId: identity.botUserId, botId: identity.botId }],
    ]),
    users: new Map(),
    channels: new Map(),
    messages: new Map(),
    ephemerals: [],
    triggers: new Map(),
    views: new Map(),
    stacks: new Map(),
    homeViews: new Map(),
    uploads: new Map(),
    responseUrls: new Map(),
    responsePosts: [],
    calls: [],
    failures: new Map(),
    seq: 0,
  };
}

/** Deterministic ids so failures print the same way on every run. */
export function nextId(state: SlackFakeState, prefix: string): string {
  state.seq += 1;
  return `${prefix}${(0x10000000 + state.seq).toString(36).toUpperCase()}`;
}

/** Message timestamps look like Slack's "seconds.micro" and stay unique even when the clock stands still. */
export function nextTs(state: SlackFakeState, nowMs: number): string {
  state.seq += 1;
  return `${Math.floor(nowMs / 1000)}.${String(state.seq % 1_000_000).padStart(6, "0")}`;
}

/** Trigger ids follow Slack's "digits.digits.hex" shape. */
export function nextTriggerId(state: SlackFakeState): string {
  state.seq += 1;
  const hex = (state.seq * 2654435761).toString(16).padStart(32, "0").slice(-32);
  return `${1_000_000_000 + state.seq}.${state.identity.teamId.replace(/\D/g, "") || "1"}.${hex}`;
}

/** View hashes are "seconds.hex"; they change on every write so stale `hash` arguments can be detected. */
export function nextViewHash(state: SlackFakeState, nowMs: number): string {
  state.seq += 1;
  return `${Math.floor(nowMs / 1000)}.${(state.seq * 40503).toString(16).padStart(8, "0")}`;
}

export function messagesIn(state: SlackFakeState, channel: string): StoredMessage[] {
  let list = state.messages.get(channel);
  if (!list) {
    list = [];
    state.messages.set(channel, list);
  }
  return list;
}
