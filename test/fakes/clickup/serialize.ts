import { taskCustomFieldsJson } from "./custom-fields.ts";
import { priorityJson } from "./priority.ts";
import { effectiveStatuses, type FakeState, mustGet } from "./state.ts";
import type {
  CommentRec,
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

// Wire shapes follow real responses (docs/clickup.md), not the spec where the two disagree:
// ms dates as strings, nulls where the real API sends null, user ids as integers.

const ms = (value: number | null): string | null => (value === null ? null : String(value));

export function userJson(user: UserRec) {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    color: user.color,
    profilePicture: null,
    initials: user.initials,
    week_start_day: user.weekStartDay,
    global_font_support: false,
    timezone: user.timezone,
  };
}

/** The compact user object embedded in tasks, comments and webhook history items. */
export function userRefJson(user: UserRec) {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    color: user.color,
    initials: user.initials,
    profilePicture: null,
  };
}

const ROLE_KEYS = { 1: "owner", 2: "admin", 3: "member", 4: "guest" } as const;

export function teamJson(state: FakeState, ws: WorkspaceRec) {
  return {
    id: ws.id,
    name: ws.name,
    color: ws.color,
    avatar: null,
    members: ws.members.map((m) => {
      const user = mustGet(state.users, m.userId, "user");
      return {
        user: {
          ...userRefJson(user),
          role: m.role,
          role_subtype: 0,
          role_key: ROLE_KEYS[m.role],
          custom_role: null,
          last_active: String(m.dateJoined),
          date_joined: String(m.dateJoined),
          date_invited: String(m.dateJoined),
        },
      };
    }),
  };
}

export function statusJson(s: StatusDef) {
  return { id: s.id, status: s.status, type: s.type, orderindex: s.orderindex, color: s.color };
}

const enabled = { enabled: true };
const FEATURES = {
  due_dates: { enabled: true, start_date: true, remap_due_dates: false, remap_closed_due_date: false },
  time_tracking: enabled,
  tags: enabled,
  time_estimates: enabled,
  checklists: enabled,
  custom_fields: enabled,
  remap_dependencies: enabled,
  dependency_warning: enabled,
  portfolios: enabled,
};

export function spaceJson(space: SpaceRec) {
  return {
    id: space.id,
    name: space.name,
    color: null,
    private: space.private,
    avatar: null,
    admin_can_manage: true,
    archived: space.archived,
    statuses: space.statuses.map(statusJson),
    multiple_assignees: true,
    features: FEATURES,
  };
}

function countTasks(state: FakeState, listIds: Set<string>): number {
  let n = 0;
  for (const t of state.tasks.values()) if (listIds.has(t.listId) && !t.archived) n += 1;
  return n;
}

function folderRefJson(state: FakeState, list: ListRec) {
  if (list.folderId) {
    const folder = mustGet(state.folders, list.folderId, "folder");
    return { id: folder.id, name: folder.name, hidden: false, access: true };
  }
  // Folderless lists report the space's hidden folder (docs/clickup.md §3.3: hidden or null).
  const space = mustGet(state.spaces, list.spaceId, "space");
  return { id: space.hiddenFolderId, name: "hidden", hidden: true, access: true };
}

function spaceRefJson(state: FakeState, spaceId: string) {
  const space = mustGet(state.spaces, spaceId, "space");
  return { id: space.id, name: space.name, access: true };
}

export function listJson(state: FakeState, list: ListRec, single = false) {
  return {
    id: list.id,
    name: list.name,
    orderindex: list.orderindex,
    content: list.content,
    status: null,
    priority: null,
    assignee: null,
    // Real GetList returned a number here although the spec says string (docs/clickup.md §1.5).
    task_count: countTasks(state, new Set([list.id])),
    due_date: null,
    due_date_time: false,
    start_date: null,
    start_date_time: null,
    folder: folderRefJson(state, list),
    space: spaceRefJson(state, list.spaceId),
    ...(single ? { inbound_address: `a.${list.id}.fake@tasks.clickup.com`, deleted: false } : {}),
    archived: list.archived,
    override_statuses: list.statuses !== null,
    statuses: effectiveStatuses(state, list).map(statusJson),
    permission_level: "create",
  };
}

export function folderJson(state: FakeState, folder: FolderRec) {
  const lists = [...state.lists.values()].filter((l) => l.folderId === folder.id && !l.archived);
  return {
    id: folder.id,
    name: folder.name,
    orderindex: folder.orderindex,
    override_statuses: folder.statuses !== null,
    hidden: false,
    space: spaceRefJson(state, folder.spaceId),
    task_count: String(countTasks(state, new Set(lists.map((l) => l.id)))),
    archived: folder.archived,
    statuses: (folder.statuses ?? []).map(statusJson),
    lists: lists.map((l) => listJson(state, l)),
    permission_level: "create",
  };
}

/** A tag on a task or in a space; `creator` is a user id (docs/clickup.md §10.1). */
export function tagJson(tag: TagRec) {
  return { name: tag.name, tag_fg: tag.fg, tag_bg: tag.bg, creator: tag.creatorId };
}

export function customItemJson(item: CustomItemRec) {
  return { id: item.id, name: item.name, name_plural: item.namePlural, description: item.description };
}

const dependencyIndexes = new WeakMap<FakeState, { version: number; byTask: Map<string, DependencyRec[]> }>();

/** Records by task id, both sides, rebuilt when the world's version moves: pages of tasks stay linear. */
function dependencyIndex(state: FakeState): Map<string, DependencyRec[]> {
  const cached = dependencyIndexes.get(state);
  if (cached?.version === state.version) return cached.byTask;
  const byTask = new Map<string, DependencyRec[]>();
  for (const d of state.dependencies)
    for (const id of [d.taskId, d.dependsOn]) byTask.set(id, [...(byTask.get(id) ?? []), d]);
  dependencyIndexes.set(state, { version: state.version, byTask });
  return byTask;
}

/**
 * The dependency records a task takes part in, on either side (docs/clickup.md §14.1): `task_id` waits on
 * `depends_on`. `type` says which side this task is on, 0 waiting and 1 blocking, an assumption.
 */
function dependenciesJson(state: FakeState, task: TaskRec) {
  return (dependencyIndex(state).get(task.id) ?? []).map((d) => ({
    task_id: d.taskId,
    depends_on: d.dependsOn,
    type: d.taskId === task.id ? 0 : 1,
    date_created: String(d.dateCreated),
    userid: String(d.userId),
    workspace_id: d.teamId,
    chain_id: null,
  }));
}

export type TaskShape = "list" | "full";

/** `shape` = "list" for GET /list/{id}/task (bare {id} refs), "full" for the task and team endpoints. */
export function taskJson(state: FakeState, task: TaskRec, shape: TaskShape) {
  const list = mustGet(state.lists, task.listId, "list");
  const creator = mustGet(state.users, task.creatorId, "user");
  const folder = folderRefJson(state, list);
  const users = (ids: number[]) => ids.map((id) => userRefJson(mustGet(state.users, id, "user")));
  let topLevel = task.parent;
  while (topLevel) {
    const parent = state.tasks.get(topLevel);
    if (!parent?.parent) break;
    topLevel = parent.parent;
  }
  return {
    id: task.id,
    custom_id: task.customId,
    custom_item_id: task.customItemId,
    name: task.name,
    text_content: task.description,
    description: task.description,
    status: statusJson(task.status),
    orderindex: `${task.orderindex}.00000000000000000000000000000000`,
    date_created: String(task.dateCreated),
    date_updated: String(task.dateUpdated),
    date_closed: ms(task.dateClosed),
    date_done: ms(task.dateDone),
    archived: task.archived,
    creator: {
      id: creator.id,
      username: creator.username,
      color: creator.color,
      email: creator.email,
      profilePicture: null,
    },
    assignees: users(task.assignees),
    group_assignees: [],
    watchers: users([task.creatorId]),
    checklists: [],
    tags: task.tags.map(tagJson),
    parent: task.parent,
    top_level_parent: topLevel,
    priority: task.priority === null ? null : priorityJson(task.priority),
    due_date: ms(task.dueDate),
    start_date: ms(task.startDate),
    points: task.points,
    // A number in practice although the spec says string (docs/clickup.md §1.5).
    time_estimate: task.timeEstimate,
    custom_fields: taskCustomFieldsJson(state, task),
    dependencies: dependenciesJson(state, task),
    linked_tasks: [],
    locations: task.locations.map((id) => ({ id, name: mustGet(state.lists, id, "list").name })),
    team_id: task.teamId,
    url: `https://app.clickup.com/t/${task.id}`,
    permission_level: "create",
    list: shape === "full" ? { id: list.id, name: list.name, access: true } : { id: list.id },
    project: shape === "full" ? folder : { id: folder.id },
    folder: shape === "full" ? folder : { id: folder.id },
    space: { id: list.spaceId },
  };
}

export function commentJson(state: FakeState, comment: CommentRec) {
  const user = userRefJson(mustGet(state.users, comment.userId, "user"));
  return {
    id: comment.id,
    comment: [{ text: comment.text }],
    comment_text: comment.text,
    user,
    resolved: comment.resolved,
    assignee: null,
    assigned_by: null,
    reactions: [],
    date: String(comment.date),
    // A string in the published schema (docs/clickup.md §16.2).
    reply_count: String(
      (state.comments.get(comment.taskId) ?? []).filter((r) => r.parentId === comment.id).length,
    ),
  };
}

export function webhookJson(hook: WebhookRec) {
  return {
    id: hook.id,
    // Integers on the webhook object, unlike everywhere else (docs/clickup.md §5.1).
    userid: hook.userId,
    team_id: Number(hook.teamId),
    endpoint: hook.endpoint,
    client_id: hook.clientId,
    events: hook.events,
    task_id: hook.taskId,
    list_id: hook.listId,
    folder_id: hook.folderId,
    space_id: hook.spaceId,
    health: { ...hook.health },
    secret: hook.secret,
  };
}
