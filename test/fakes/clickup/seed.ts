import { createTaskFieldSeeder, type InitialTaskFields } from "./seed-task-fields.ts";
import { commentJson } from "./serialize.ts";
import {
  effectiveStatuses,
  type FakeState,
  findStatus,
  mustGet,
  nextNumericId,
  nextTaskId,
  randomUpperAlnum,
} from "./state.ts";
import type {
  CommentRec,
  FolderRec,
  ListRec,
  MemberRec,
  SpaceRec,
  StatusDef,
  StatusInput,
  TaskRec,
  UserRec,
  WorkspaceRec,
} from "./types.ts";
import type { WebhookEmitter } from "./webhook-emitter.ts";
import {
  commentPostedEvents,
  fieldChangedEvents,
  statusChangedEvents,
  taskCreatedEvents,
  taskDeletedEvents,
  taskMovedEvents,
} from "./webhook-payloads.ts";

const COLORS: Record<StatusInput["type"], string> = {
  open: "#d3d3d3",
  custom: "#4194f6",
  done: "#6bc950",
  closed: "#008844",
};

export const DEFAULT_STATUSES: StatusInput[] = [
  { status: "to do", type: "open" },
  { status: "in progress", type: "custom" },
  { status: "review", type: "custom" },
  { status: "done", type: "done" },
  { status: "complete", type: "closed" },
];

/** Options shared by actions that change a task: when it happened and who did it. */
export interface ActionOptions {
  at?: number;
  userId?: number;
}

export interface AddTaskInput extends InitialTaskFields {
  listId: string;
  name?: string;
  /** Initial status name; defaults to the list's first status. */
  status?: string;
  /** Earlier status visits, oldest first, e.g. to backfill time in status. The last one is current. */
  history?: { status: string; at: number }[];
  parent?: string;
  customId?: string;
  creatorId?: number;
  assignees?: number[];
  archived?: boolean;
  createdAt?: number;
  locations?: string[];
  dueDate?: number;
  startDate?: number;
  timeEstimate?: number;
  points?: number;
  description?: string;
  /** false = seed silently, no webhooks. */
  emit?: boolean;
}

export interface UpdateTaskInput {
  name?: string;
  assignees?: number[];
  archived?: boolean;
  description?: string;
  customId?: string | null;
  dueDate?: number | null;
}

/** The seeding and mutation API. Task changes go through here so that webhooks fire like in ClickUp. */
export function createSeeder(state: FakeState, emitter: WebhookEmitter, now: () => number) {
  const defs = (prefix: string, inputs: StatusInput[]): StatusDef[] =>
    inputs.map((s, i) => ({
      id: `${prefix}_${randomUpperAlnum(8).toLowerCase()}`,
      status: s.status,
      type: s.type,
      color: s.color ?? COLORS[s.type],
      orderindex: i,
    }));

  const actor = (task: TaskRec, userId?: number): UserRec =>
    mustGet(state.users, userId ?? task.creatorId, "user");

  /** Records a visit and keeps date_done/date_closed in step with the status type. */
  function enterStatus(task: TaskRec, status: StatusDef, at: number) {
    task.status = status;
    task.visits.push({ status, at });
    task.dateUpdated = at;
    // Unconfirmed in ClickUp; here a done-type status sets date_done, a closed one sets both, reopening clears.
    task.dateDone = status.type === "done" || status.type === "closed" ? at : null;
    task.dateClosed = status.type === "closed" ? at : null;
  }

  const fields = createTaskFieldSeeder(state, emitter, now, actor);

  const seeder = {
    ...fields.seeder,

    addWorkspace(input: { id?: string; name?: string; color?: string; timeInStatusEnabled?: boolean } = {}) {
      const ws: WorkspaceRec = {
        id: input.id ?? nextNumericId(state),
        name: input.name ?? "Workspace",
        color: input.color ?? "#40BC86",
        members: [],
        timeInStatusEnabled: input.timeInStatusEnabled ?? true,
      };
      state.workspaces.set(ws.id, ws);
      return ws;
    },

    /** Adds a user; `token` registers a token for them, `teamIds` makes them a member. */
    addUser(
      input: {
        id?: number;
        username?: string;
        email?: string;
        color?: string;
        timezone?: string;
        weekStartDay?: number | null;
        token?: string;
        teamIds?: string[];
        role?: MemberRec["role"];
      } = {},
    ) {
      state.seq.user += 1;
      const id = input.id ?? state.seq.user;
      const username = input.username ?? `User ${id}`;
      const user: UserRec = {
        id,
        username,
        email: input.email ?? `user${id}@example.com`,
        color: input.color ?? "#7b68ee",
        initials: username
          .split(/\s+/)
          .map((w) => w[0] ?? "")
          .join("")
          .slice(0, 2)
          .toUpperCase(),
        timezone: input.timezone ?? "Europe/Berlin",
        weekStartDay: input.weekStartDay ?? 1,
      };
      state.users.set(id, user);
      if (input.token) seeder.addToken(id, input.token);
      for (const teamId of input.teamIds ?? []) seeder.addMember(teamId, id, input.role);
      return user;
    },

    /** Registers a token (personal `pk_…` or OAuth access token) for a user and returns it. */
    addToken(userId: number, token = `pk_${userId}_${randomUpperAlnum(32)}`) {
      mustGet(state.users, userId, "user");
      state.tokens.set(token, userId);
      state.clientIds.set(token, randomUpperAlnum(32));
      return token;
    },

    revokeToken(token: string) {
      state.tokens.delete(token);
    },

    addMember(teamId: string, userId: number, role: MemberRec["role"] = 3) {
      const ws = mustGet(state.workspaces, teamId, "workspace");
      if (!ws.members.some((m) => m.userId === userId)) ws.members.push({ userId, role, dateJoined: now() });
    },

    removeMember(teamId: string, userId: number) {
      const ws = mustGet(state.workspaces, teamId, "workspace");
      ws.members = ws.members.filter((m) => m.userId !== userId);
    },

    /** Simulates the "Total time in Status" ClickApp being switched on or off for a workspace. */
    setTimeInStatusEnabled(teamId: string, enabled: boolean) {
      mustGet(state.workspaces, teamId, "workspace").timeInStatusEnabled = enabled;
    },

    addSpace(input: {
      teamId: string;
      id?: string;
      name?: string;
      archived?: boolean;
      private?: boolean;
      statuses?: StatusInput[];
    }) {
      mustGet(state.workspaces, input.teamId, "workspace");
      const id = input.id ?? nextNumericId(state);
      const space: SpaceRec = {
        id,
        teamId: input.teamId,
        name: input.name ?? `Space ${id}`,
        private: input.private ?? false,
        archived: input.archived ?? false,
        statuses: defs(`p${id}`, input.statuses ?? DEFAULT_STATUSES),
        hiddenFolderId: nextNumericId(state),
        orderindex: state.spaces.size,
      };
      state.spaces.set(id, space);
      return space;
    },

    addFolder(input: {
      spaceId: string;
      id?: string;
      name?: string;
      archived?: boolean;
      statuses?: StatusInput[];
    }) {
      mustGet(state.spaces, input.spaceId, "space");
      const id = input.id ?? nextNumericId(state);
      const folder: FolderRec = {
        id,
        spaceId: input.spaceId,
        name: input.name ?? `Folder ${id}`,
        archived: input.archived ?? false,
        hidden: false,
        orderindex: [...state.folders.values()].filter((f) => f.spaceId === input.spaceId).length,
        statuses: input.statuses ? defs(`f${id}`, input.statuses) : null,
      };
      state.folders.set(id, folder);
      return folder;
    },

    /** Give `folderId` for a list in a folder, or only `spaceId` for a folderless list. */
    addList(input: {
      folderId?: string;
      spaceId?: string;
      id?: string;
      name?: string;
      archived?: boolean;
      statuses?: StatusInput[];
      content?: string;
    }) {
      const folder = input.folderId ? mustGet(state.folders, input.folderId, "folder") : undefined;
      const spaceId = folder?.spaceId ?? input.spaceId;
      if (!spaceId) throw new Error("ClickUp fake: addList needs folderId or spaceId");
      mustGet(state.spaces, spaceId, "space");
      const id = input.id ?? nextNumericId(state);
      const list: ListRec = {
        id,
        spaceId,
        folderId: folder?.id ?? null,
        name: input.name ?? `List ${id}`,
        archived: input.archived ?? false,
        orderindex: [...state.lists.values()].filter((l) => l.spaceId === spaceId).length,
        content: input.content ?? "",
        statuses: input.statuses ? defs(`sc${id}`, input.statuses) : null,
      };
      state.lists.set(id, list);
      return list;
    },

    setArchived(kind: "space" | "folder" | "list", id: string, archived = true) {
      const map = kind === "space" ? state.spaces : kind === "folder" ? state.folders : state.lists;
      mustGet<string, { archived: boolean }>(map, id, kind).archived = archived;
    },

    addTask(input: AddTaskInput): TaskRec {
      const list = mustGet(state.lists, input.listId, "list");
      const space = mustGet(state.spaces, list.spaceId, "space");
      const ws = mustGet(state.workspaces, space.teamId, "workspace");
      if (input.parent) mustGet(state.tasks, input.parent, "parent task");
      const creatorId = input.creatorId ?? ws.members[0]?.userId;
      if (creatorId === undefined)
        throw new Error("ClickUp fake: addTask needs a workspace member or creatorId");
      const statusOf = (name: string) => {
        const found = findStatus(state, list, name);
        if (!found) throw new Error(`ClickUp fake: status "${name}" not in list ${list.id}`);
        return found;
      };
      const createdAt = input.createdAt ?? input.history?.[0]?.at ?? now();
      const history = input.history ?? [
        { status: input.status ?? effectiveStatuses(state, list)[0]!.status, at: createdAt },
      ];
      const task: TaskRec = {
        id: nextTaskId(state),
        customId: input.customId ?? null,
        teamId: ws.id,
        listId: list.id,
        locations: input.locations ?? [],
        name: input.name ?? "Task",
        description: input.description ?? "",
        status: statusOf(history[0]!.status),
        parent: input.parent ?? null,
        creatorId,
        assignees: input.assignees ?? [],
        archived: input.archived ?? false,
        dateCreated: createdAt,
        dateUpdated: createdAt,
        dateClosed: null,
        dateDone: null,
        dueDate: input.dueDate ?? null,
        startDate: input.startDate ?? null,
        timeEstimate: input.timeEstimate ?? null,
        points: input.points ?? null,
        visits: [],
        orderindex: state.seq.task + 1,
        tags: [],
        priority: null,
        customItemId: null,
        customValues: new Map(),
      };
      for (const visit of history) enterStatus(task, statusOf(visit.status), visit.at);
      fields.initialFields(task, input);
      state.tasks.set(task.id, task);
      if (input.emit !== false) emitter.emit(taskCreatedEvents(state, task, actor(task), createdAt));
      return task;
    },

    /** Changes the status: updates time-in-status and fires taskStatusUpdated + taskUpdated. */
    setTaskStatus(taskId: string, statusName: string, opts: ActionOptions = {}) {
      const task = mustGet(state.tasks, taskId, "task");
      const list = mustGet(state.lists, task.listId, "list");
      const next = findStatus(state, list, statusName);
      if (!next) throw new Error(`ClickUp fake: status "${statusName}" not in list ${list.id}`);
      const before = task.status;
      const at = opts.at ?? now();
      enterStatus(task, next, at);
      emitter.emit(statusChangedEvents(state, task, before, actor(task, opts.userId), at));
      return task;
    },

    /** Moves a task to a new home list (v3 move endpoint); fires taskMoved + taskUpdated + spaceUpdated. */
    moveTask(taskId: string, listId: string, opts: ActionOptions & { status?: string } = {}) {
      const task = mustGet(state.tasks, taskId, "task");
      const target = mustGet(state.lists, listId, "list");
      const from = task.listId;
      const at = opts.at ?? now();
      task.listId = listId;
      task.locations = task.locations.filter((l) => l !== listId);
      task.dateUpdated = at;
      // Same-named status if the target has it, else the mapping given, else the target's first status.
      const mapped =
        findStatus(state, target, opts.status ?? task.status.status) ?? effectiveStatuses(state, target)[0];
      if (mapped && mapped.id !== task.status.id) enterStatus(task, mapped, at);
      emitter.emit(taskMovedEvents(state, task, from, actor(task, opts.userId), at));
      return task;
    },

    updateTask(taskId: string, changes: UpdateTaskInput, opts: ActionOptions = {}) {
      const task = mustGet(state.tasks, taskId, "task");
      const at = opts.at ?? now();
      const user = actor(task, opts.userId);
      task.dateUpdated = at;
      if (changes.name !== undefined && changes.name !== task.name) {
        const before = task.name;
        task.name = changes.name;
        emitter.emit(
          fieldChangedEvents(
            state,
            task,
            "taskUpdated",
            { field: "name", before, after: task.name },
            user,
            at,
          ),
        );
      }
      if (changes.assignees) {
        const added = changes.assignees.filter((id) => !task.assignees.includes(id));
        const removed = task.assignees.filter((id) => !changes.assignees?.includes(id));
        task.assignees = [...changes.assignees];
        const ref = (id: number) => {
          const u = mustGet(state.users, id, "user");
          return {
            id: u.id,
            username: u.username,
            email: u.email,
            color: u.color,
            initials: u.initials,
            profilePicture: null,
          };
        };
        for (const id of added)
          emitter.emit(
            fieldChangedEvents(
              state,
              task,
              "taskAssigneeUpdated",
              { field: "assignee_add", before: null, after: ref(id) },
              user,
              at,
            ),
          );
        for (const id of removed)
          emitter.emit(
            fieldChangedEvents(
              state,
              task,
              "taskAssigneeUpdated",
              { field: "assignee_rem", before: ref(id), after: null },
              user,
              at,
            ),
          );
      }
      if (changes.archived !== undefined) task.archived = changes.archived;
      if (changes.description !== undefined) task.description = changes.description;
      if (changes.customId !== undefined) task.customId = changes.customId;
      if (changes.dueDate !== undefined) task.dueDate = changes.dueDate;
      return task;
    },

    /** Tasks in Multiple Lists: adds the task to another list without changing its home list. */
    addTaskToList(taskId: string, listId: string) {
      const task = mustGet(state.tasks, taskId, "task");
      mustGet(state.lists, listId, "list");
      if (listId !== task.listId && !task.locations.includes(listId)) task.locations.push(listId);
    },

    deleteTask(taskId: string) {
      const task = mustGet(state.tasks, taskId, "task");
      const events = taskDeletedEvents(state, task);
      state.tasks.delete(taskId);
      state.comments.delete(taskId);
      // A deleted task takes its dependency records with it, on both sides.
      state.dependencies = state.dependencies.filter((d) => d.taskId !== taskId && d.dependsOn !== taskId);
      emitter.emit(events);
    },

    /** A comment on the task, or with `parentId` a threaded reply to one of its comments. */
    addComment(input: {
      taskId: string;
      text?: string;
      userId?: number;
      at?: number;
      emit?: boolean;
      parentId?: string;
    }) {
      const task = mustGet(state.tasks, input.taskId, "task");
      if (input.parentId && !(state.comments.get(task.id) ?? []).some((c) => c.id === input.parentId))
        throw new Error(`ClickUp fake: comment ${input.parentId} is not on task ${task.id}`);
      state.seq.comment += 1;
      const comment: CommentRec = {
        id: String(90_000_000 + state.seq.comment),
        taskId: task.id,
        userId: input.userId ?? task.creatorId,
        text: input.text ?? `Comment ${state.seq.comment}`,
        date: input.at ?? now(),
        resolved: false,
        ...(input.parentId ? { parentId: input.parentId } : {}),
      };
      const list = state.comments.get(task.id) ?? [];
      list.push(comment);
      state.comments.set(task.id, list);
      if (input.emit !== false) {
        const json = commentJson(state, comment);
        emitter.emit(commentPostedEvents(state, task, json, actor(task, comment.userId), comment.date));
      }
      return comment;
    },

    /** Edits a comment's text: fires taskCommentUpdated + taskUpdated at `at` (the comment keeps its date). */
    updateComment(commentId: string, text: string, opts: ActionOptions & { emit?: boolean } = {}) {
      const comment = [...state.comments.values()].flat().find((c) => c.id === commentId);
      if (!comment) throw new Error(`ClickUp fake: no comment ${commentId}`);
      comment.text = text;
      if (opts.emit !== false) {
        const task = mustGet(state.tasks, comment.taskId, "task");
        const json = commentJson(state, comment);
        const user = actor(task, opts.userId ?? comment.userId);
        emitter.emit(commentPostedEvents(state, task, json, user, opts.at ?? now(), "taskCommentUpdated"));
      }
      return comment;
    },

    /** Deletes a comment (and its replies); ClickUp sends no event for it (docs/clickup.md §16.5). */
    deleteComment(commentId: string) {
      for (const [taskId, list] of state.comments) {
        state.comments.set(
          taskId,
          list.filter((c) => c.id !== commentId && c.parentId !== commentId),
        );
      }
    },

    getTask: (taskId: string) => state.tasks.get(taskId),
  };
  // Every action but the read changes the world: bump its version (see FakeState.version).
  const methods = seeder as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of Object.keys(methods)) {
    if (name === "getTask") continue;
    const action = methods[name]!;
    methods[name] = (...args) => {
      state.version += 1;
      return action.apply(seeder, args);
    };
  }
  return seeder;
}

export type Seeder = ReturnType<typeof createSeeder>;
