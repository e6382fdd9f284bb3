import { type CustomFieldInput, sameValue, toStoredValue } from "./custom-fields.ts";
import { type PriorityName, toPriorityId } from "./priority.ts";
import type { ActionOptions } from "./seed.ts";
import { type FakeState, fieldsOfList, mustGet, nextUuid, teamOfList } from "./state.ts";
import type {
  CustomFieldRec,
  CustomFieldType,
  CustomItemRec,
  DependencyRec,
  FieldLocation,
  PriorityId,
  TagRec,
  TaskRec,
  UserRec,
} from "./types.ts";
import type { WebhookEmitter } from "./webhook-emitter.ts";
import {
  customFieldEvents,
  dependencyEvents,
  priorityEvents,
  tagEvents,
  taskTypeEvents,
} from "./webhook-field-payloads.ts";

export interface TagInput {
  name: string;
  /** Text and background colours; default a blue pair. */
  fg?: string;
  bg?: string;
  creatorId?: number;
}

/** Where to define a field: exactly one of the four (docs/clickup.md §13.1). */
export type FieldLocationInput =
  | { listId: string }
  | { folderId: string }
  | { spaceId: string }
  | { teamId: string };

export type DefineCustomFieldInput = FieldLocationInput & {
  type: CustomFieldType;
  name?: string;
  id?: string;
  /** drop_down and labels choices, in order: a name (label), or a name with a colour. */
  options?: (string | { name: string; color?: string | null })[];
  /** Extra type_config keys, e.g. {precision: 0} for currency or {count: 3} for emoji. */
  typeConfig?: Record<string, unknown>;
  required?: boolean;
  hideFromGuests?: boolean;
  creatorId?: number;
};

/** Fields a task can be created with (AddTaskInput). */
export interface InitialTaskFields {
  tags?: string[];
  priority?: PriorityId | PriorityName | null;
  customItemId?: number | null;
  /** Values by field id, in the forms setCustomFieldValue takes. */
  customFields?: Record<string, CustomFieldInput>;
}

const DEFAULT_TAG_COLOR = "#4169e1";

/**
 * Seeders for tags, priority, task types, custom fields and dependencies. Task changes move the task's
 * `date_updated` and fire the webhooks ClickUp sends for them (docs/clickup.md §15); field definitions are
 * not task changes and fire nothing.
 */
export function createTaskFieldSeeder(
  state: FakeState,
  emitter: WebhookEmitter,
  now: () => number,
  actor: (task: TaskRec, userId?: number) => UserRec,
) {
  const spaceOf = (task: TaskRec) => mustGet(state.lists, task.listId, "list").spaceId;

  /** The space's tag by name (tags are matched case-insensitively), created on first use. */
  function spaceTag(spaceId: string, input: TagInput, fallbackCreator: number): TagRec {
    const tags = state.spaceTags.get(spaceId) ?? [];
    const found = tags.find((t) => t.name.toLowerCase() === input.name.toLowerCase());
    if (found) return found;
    const tag: TagRec = {
      name: input.name,
      fg: input.fg ?? DEFAULT_TAG_COLOR,
      bg: input.bg ?? DEFAULT_TAG_COLOR,
      creatorId: input.creatorId ?? fallbackCreator,
    };
    state.spaceTags.set(spaceId, [...tags, tag]);
    return tag;
  }

  function fieldLocation(input: FieldLocationInput): { location: FieldLocation; teamId: string } {
    if ("listId" in input) {
      const teamId = teamOfList(state, input.listId);
      if (!teamId) throw new Error(`ClickUp fake: unknown list ${input.listId}`);
      return { location: { kind: "list", id: input.listId }, teamId };
    }
    if ("folderId" in input) {
      const folder = mustGet(state.folders, input.folderId, "folder");
      const teamId = mustGet(state.spaces, folder.spaceId, "space").teamId;
      return { location: { kind: "folder", id: folder.id }, teamId };
    }
    if ("spaceId" in input) {
      const teamId = mustGet(state.spaces, input.spaceId, "space").teamId;
      return { location: { kind: "space", id: input.spaceId }, teamId };
    }
    mustGet(state.workspaces, input.teamId, "workspace");
    return { location: { kind: "team", id: input.teamId }, teamId: input.teamId };
  }

  /** A field the task's home list reaches; ClickUp refuses a value for any other. */
  function reachableField(task: TaskRec, fieldId: string): CustomFieldRec {
    const field = mustGet(state.customFields, fieldId, "custom field");
    const list = mustGet(state.lists, task.listId, "list");
    if (!fieldsOfList(state, list).includes(field))
      throw new Error(`ClickUp fake: field ${field.name} is not reachable from list ${list.id}`);
    return field;
  }

  /** A new task's tags, priority, type and values, set silently: its taskCreated stands for them. */
  function initialFields(task: TaskRec, input: InitialTaskFields) {
    for (const name of input.tags ?? []) {
      const tag = spaceTag(spaceOf(task), { name }, task.creatorId);
      if (!task.tags.some((t) => t.name === tag.name)) task.tags.push({ ...tag });
    }
    task.priority = toPriorityId(input.priority ?? null);
    if (input.customItemId !== undefined) task.customItemId = input.customItemId;
    for (const [fieldId, value] of Object.entries(input.customFields ?? {})) {
      const field = reachableField(task, fieldId);
      const stored = toStoredValue(state, field, value);
      if (stored !== undefined) task.customValues.set(field.id, stored);
    }
  }

  const seeder = {
    /** Defines a tag in a space without putting it on a task. */
    addSpaceTag(spaceId: string, input: TagInput): TagRec {
      const space = mustGet(state.spaces, spaceId, "space");
      const owner = mustGet(state.workspaces, space.teamId, "workspace").members[0]?.userId;
      if (input.creatorId === undefined && owner === undefined)
        throw new Error("ClickUp fake: addSpaceTag needs a workspace member or creatorId");
      return spaceTag(spaceId, input, input.creatorId ?? owner!);
    },

    /** Puts a tag on a task (defining it in the space if new); fires taskTagUpdated + taskUpdated. */
    addTag(taskId: string, tag: string | TagInput, opts: ActionOptions = {}): TaskRec {
      const task = mustGet(state.tasks, taskId, "task");
      const input = typeof tag === "string" ? { name: tag } : tag;
      const user = actor(task, opts.userId);
      const defined = spaceTag(spaceOf(task), input, user.id);
      if (task.tags.some((t) => t.name === defined.name)) return task;
      const at = opts.at ?? now();
      task.tags = [...task.tags, { ...defined }];
      task.dateUpdated = at;
      emitter.emit(tagEvents(state, task, { added: defined }, user, at));
      return task;
    },

    removeTag(taskId: string, name: string, opts: ActionOptions = {}): TaskRec {
      const task = mustGet(state.tasks, taskId, "task");
      const removed = task.tags.find((t) => t.name.toLowerCase() === name.toLowerCase());
      if (!removed) return task;
      const at = opts.at ?? now();
      task.tags = task.tags.filter((t) => t !== removed);
      task.dateUpdated = at;
      emitter.emit(tagEvents(state, task, { removed }, actor(task, opts.userId), at));
      return task;
    },

    /** Makes the task's tags exactly `names`: one removal event per dropped tag, one add per new one. */
    setTags(taskId: string, names: string[], opts: ActionOptions = {}): TaskRec {
      const task = mustGet(state.tasks, taskId, "task");
      const wanted = new Set(names.map((n) => n.toLowerCase()));
      for (const t of [...task.tags])
        if (!wanted.has(t.name.toLowerCase())) seeder.removeTag(taskId, t.name, opts);
      for (const name of names) seeder.addTag(taskId, name, opts);
      return task;
    },

    /** urgent/high/normal/low or 1–4; null clears it. Fires taskPriorityUpdated + taskUpdated. */
    setPriority(
      taskId: string,
      priority: PriorityId | PriorityName | null,
      opts: ActionOptions = {},
    ): TaskRec {
      const task = mustGet(state.tasks, taskId, "task");
      const next = toPriorityId(priority);
      if (next === task.priority) return task;
      const before = task.priority;
      const at = opts.at ?? now();
      task.priority = next;
      task.dateUpdated = at;
      emitter.emit(priorityEvents(state, task, before, actor(task, opts.userId), at));
      return task;
    },

    /** A custom task type of a workspace, as GET /team/{id}/custom_item lists it (§12). */
    addCustomTaskType(
      teamId: string,
      input: { name: string; namePlural?: string; description?: string; id?: number },
    ): CustomItemRec {
      mustGet(state.workspaces, teamId, "workspace");
      if (input.id === undefined) state.seq.customItem += 1;
      const id = input.id ?? state.seq.customItem;
      if (id === 0 || id === 1 || state.customItems.has(id))
        throw new Error(`ClickUp fake: task type id ${id} is taken`);
      const item: CustomItemRec = {
        id,
        teamId,
        name: input.name,
        namePlural: input.namePlural ?? `${input.name}s`,
        description: input.description ?? "",
      };
      state.customItems.set(id, item);
      return item;
    },

    /** null = the default "Task"; 1 = milestone; else a custom type of the task's workspace. */
    setTaskType(taskId: string, customItemId: number | null, opts: ActionOptions = {}): TaskRec {
      const task = mustGet(state.tasks, taskId, "task");
      if (customItemId !== null && customItemId !== 0 && customItemId !== 1) {
        const item = mustGet(state.customItems, customItemId, "task type");
        if (item.teamId !== task.teamId) throw new Error(`ClickUp fake: task type ${item.id} is elsewhere`);
      }
      if (customItemId === task.customItemId) return task;
      const before = task.customItemId;
      const at = opts.at ?? now();
      task.customItemId = customItemId;
      task.dateUpdated = at;
      emitter.emit(taskTypeEvents(state, task, before, actor(task, opts.userId), at));
      return task;
    },

    /** Defines a custom field on a list, folder, space or workspace. No webhook: not a task change. */
    defineCustomField(input: DefineCustomFieldInput): CustomFieldRec {
      const { location, teamId } = fieldLocation(input);
      const creatorId = input.creatorId ?? mustGet(state.workspaces, teamId, "workspace").members[0]?.userId;
      if (creatorId === undefined) throw new Error("ClickUp fake: defineCustomField needs a member");
      const field: CustomFieldRec = {
        id: input.id ?? nextUuid(state),
        teamId,
        location,
        name: input.name ?? `${input.type} field`,
        type: input.type,
        options: (input.options ?? []).map((o, i) => {
          const option = typeof o === "string" ? { name: o } : o;
          return { id: nextUuid(state), name: option.name, color: option.color ?? null, orderindex: i };
        }),
        typeConfig: input.typeConfig ?? {},
        dateCreated: now(),
        creatorId,
        hideFromGuests: input.hideFromGuests ?? false,
        required: input.required ?? false,
      };
      if (state.customFields.has(field.id)) throw new Error(`ClickUp fake: field ${field.id} exists`);
      state.customFields.set(field.id, field);
      return field;
    },

    /** Renames a field: the id stays, every task shows the new name (§13.5). */
    renameCustomField(fieldId: string, name: string): CustomFieldRec {
      const field = mustGet(state.customFields, fieldId, "custom field");
      field.name = name;
      return field;
    },

    /** Deletes a field and its values: it leaves the fields endpoint and every task (§13.5). */
    deleteCustomField(fieldId: string) {
      mustGet(state.customFields, fieldId, "custom field");
      state.customFields.delete(fieldId);
      for (const task of state.tasks.values()) task.customValues.delete(fieldId);
    },

    /**
     * Sets (or with null clears) a task's value: drop_down takes an option id, name or orderindex; labels
     * an array of ids or labels; checkbox a boolean; users user ids; the rest the JSON value to send.
     * Fires taskUpdated with a `custom_field` history item.
     */
    setCustomFieldValue(taskId: string, fieldId: string, value: CustomFieldInput, opts: ActionOptions = {}) {
      const task = mustGet(state.tasks, taskId, "task");
      const field = reachableField(task, fieldId);
      const before = task.customValues.get(field.id);
      const after = toStoredValue(state, field, value);
      if (sameValue(before, after)) return task;
      const at = opts.at ?? now();
      if (after === undefined) task.customValues.delete(field.id);
      else task.customValues.set(field.id, after);
      task.dateUpdated = at;
      emitter.emit(customFieldEvents(state, task, field, { before, after }, actor(task, opts.userId), at));
      return task;
    },

    /** `taskId` now waits on `dependsOnId`. Both tasks show the record and move their date_updated. */
    addDependency(taskId: string, dependsOnId: string, opts: ActionOptions = {}): DependencyRec {
      const task = mustGet(state.tasks, taskId, "task");
      const other = mustGet(state.tasks, dependsOnId, "task");
      if (task.id === other.id) throw new Error("ClickUp fake: a task cannot wait on itself");
      if (task.teamId !== other.teamId) throw new Error("ClickUp fake: dependencies stay inside a workspace");
      const existing = state.dependencies.find((d) => d.taskId === task.id && d.dependsOn === other.id);
      if (existing) return existing;
      const at = opts.at ?? now();
      const user = actor(task, opts.userId);
      const dep: DependencyRec = {
        taskId: task.id,
        dependsOn: other.id,
        teamId: task.teamId,
        userId: user.id,
        dateCreated: at,
      };
      state.dependencies.push(dep);
      task.dateUpdated = at;
      other.dateUpdated = at;
      emitter.emit(dependencyEvents(state, dep, "added", user, at));
      return dep;
    },

    removeDependency(taskId: string, dependsOnId: string, opts: ActionOptions = {}) {
      const dep = state.dependencies.find((d) => d.taskId === taskId && d.dependsOn === dependsOnId);
      if (!dep) return;
      const at = opts.at ?? now();
      state.dependencies = state.dependencies.filter((d) => d !== dep);
      const task = mustGet(state.tasks, dep.taskId, "task");
      task.dateUpdated = at;
      mustGet(state.tasks, dep.dependsOn, "task").dateUpdated = at;
      emitter.emit(dependencyEvents(state, dep, "removed", actor(task, opts.userId), at));
    },
  };
  return { seeder, initialFields };
}
