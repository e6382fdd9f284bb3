import type {
  CommentRec,
  CustomFieldRec,
  CustomItemRec,
  DependencyRec,
  FolderRec,
  ListRec,
  SpaceRec,
  StatusDef,
  TagRec,
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
  /** The tags defined in each space, by space id. */
  spaceTags: Map<string, TagRec[]>;
  /** Custom task types by id (ids are unique across workspaces here, as in ClickUp). */
  customItems: Map<number, CustomItemRec>;
  /** Custom field definitions by field id, in the order they were defined. */
  customFields: Map<string, CustomFieldRec>;
  dependencies: DependencyRec[];
  /**
   * Bumped by every seeding action, so the task routes can reuse a query's sorted matches while nothing
   * changed. Change records through the seeder, not in place, or bump this yourself.
   */
  version: number;
  seq: {
    numeric: number;
    user: number;
    task: number;
    comment: number;
    history: bigint;
    uuid: number;
    customItem: number;
  };
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
    spaceTags: new Map(),
    customItems: new Map(),
    customFields: new Map(),
    dependencies: [],
    version: 0,
    // Deterministic counters: ids are stable across runs, which keeps snapshots and logs readable.
    seq: {
      numeric: 90_000_000_000,
      user: 4_400_000,
      task: 0,
      comment: 0,
      history: 2_800_000_000_000_000_000n,
      uuid: 0,
      // Custom task type ids are small integers (the spec's example is 1300); 0 and 1 are built in.
      customItem: 1300,
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

/**
 * Custom field and option ids are UUIDs. A counter laid into a version-4 layout keeps them unique and
 * stable across runs, like the other ids of the fake.
 */
export function nextUuid(state: FakeState): string {
  state.seq.uuid += 1;
  const hex = state.seq.uuid.toString(16).padStart(12, "0");
  return `5eed0000-0000-4000-8000-${hex}`;
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

/** The custom fields a list reaches: its own, its folder's, its space's and its workspace's. */
export function fieldsOfList(state: FakeState, list: ListRec): CustomFieldRec[] {
  const teamId = state.spaces.get(list.spaceId)?.teamId;
  const out: CustomFieldRec[] = [];
  for (const field of state.customFields.values()) {
    const { kind, id } = field.location;
    if (
      (kind === "list" && id === list.id) ||
      (kind === "folder" && id === list.folderId) ||
      (kind === "space" && id === list.spaceId) ||
      (kind === "team" && id === teamId)
    )
      out.push(field);
  }
  return out;
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
