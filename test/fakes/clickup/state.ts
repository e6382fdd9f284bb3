import type {
  CommentRec,
  FolderRec,
  ListRec,
  SpaceRec,
  StatusDef,
  TaskRec,
  UserRec,
  WebhookRec,
  WorkspaceRec,
} from "./types.ts";

/** The whole in-memory world of the fake. Plain maps so tests and routes share one source of truth. */
export interface FakeState {
  users: Map<number, UserRec>;
  /** token → user id. Revoking deletes the entry. */
  tokens: Map<string, number>;
  /** token → OAuth-app-like client id, reported on webhooks created with that token. */
  clientIds: Map<string, string>;
  workspaces: Map<string, WorkspaceRec>;
  spaces: Map<string, SpaceRec>;
  folders: Map<string, FolderRec>;
  lists: Map<string, ListRec>;
  tasks: Map<string, TaskRec>;
  /** Comments per task, oldest first. */
  comments: Map<string, CommentRec[]>;
  webhooks: Map<string, WebhookRec>;
  /**
   * Bumped by every seeding action, so the task routes can reuse a query's sorted matches while nothing
   * changed. Change records through the seeder, not in place, or bump this yourself.
   */
  version: number;
  seq: { numeric: number; user: number; task: number; comment: number; history: bigint };
}

export function createState(): FakeState {
  return {
    users: new Map(),
    tokens: new Map(),
    clientIds: new Map(),
    workspaces: new Map(),
    spaces: new Map(),
    folders: new Map(),
    lists: new Map(),
    tasks: new Map(),
    comments: new Map(),
    webhooks: new Map(),
    version: 0,
    // Deterministic counters: ids are stable across runs, which keeps snapshots and logs readable.
    seq: {
      numeric: 90_000_000_000,
      user: 4_400_000,
      task: 0,
      comment: 0,
      history: 2_800_000_000_000_000_000n,
    },
  };
}

/** Workspace/space/folder/list ids: digit strings, like the real API. */
export function nextNumericId(state: FakeState): string {
  state.seq.numeric += 1;
  return String(state.seq.numeric);
}

const TASK_ID_SPACE = 36n ** 7n;

/**
 * Task ids are short lowercase alphanumerics such as "868fm5fyq". Multiplying the counter by a constant
 * coprime with 36 scrambles it bijectively, so ids stay unique and deterministic but contain letters.
 */
export function nextTaskId(state: FakeState): string {
  state.seq.task += 1;
  const scrambled = (BigInt(state.seq.task) * 2_654_435_761n) % TASK_ID_SPACE;
  return `86${scrambled.toString(36).padStart(7, "0")}`;
}

/** Webhook history item ids are large numeric strings. */
export function nextHistoryId(state: FakeState): string {
  state.seq.history += 1n;
  return state.seq.history.toString();
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

export function randomUpperAlnum(length: number): string {
  const bytes = new Uint8Array(length);
  crypto.getRandomValues(bytes);
  let out = "";
  for (const b of bytes) out += ALNUM[b % ALNUM.length];
  return out;
}

export function isMember(state: FakeState, teamId: string, userId: number): boolean {
  return state.workspaces.get(teamId)?.members.some((m) => m.userId === userId) ?? false;
}

/** The statuses that apply to a list: its own override, else its folder's, else the space's. */
export function effectiveStatuses(state: FakeState, list: ListRec): StatusDef[] {
  if (list.statuses) return list.statuses;
  const folder = list.folderId ? state.folders.get(list.folderId) : undefined;
  if (folder?.statuses) return folder.statuses;
  return state.spaces.get(list.spaceId)?.statuses ?? [];
}

export function findStatus(state: FakeState, list: ListRec, name: string): StatusDef | undefined {
  const wanted = name.toLowerCase();
  return effectiveStatuses(state, list).find((s) => s.status.toLowerCase() === wanted);
}

/** Team id owning a space/folder/list, or undefined when it does not exist. */
export function teamOfSpace(state: FakeState, spaceId: string): string | undefined {
  return state.spaces.get(spaceId)?.teamId;
}

export function teamOfFolder(state: FakeState, folderId: string): string | undefined {
  const folder = state.folders.get(folderId);
  return folder && !folder.hidden ? teamOfSpace(state, folder.spaceId) : undefined;
}

export function teamOfList(state: FakeState, listId: string): string | undefined {
  const list = state.lists.get(listId);
  return list ? teamOfSpace(state, list.spaceId) : undefined;
}

export function mustGet<K, V>(map: Map<K, V>, key: K, what: string): V {
  const value = map.get(key);
  if (value === undefined) throw new Error(`ClickUp fake: unknown ${what} ${String(key)}`);
  return value;
}
