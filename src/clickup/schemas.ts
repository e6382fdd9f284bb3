import { z } from "zod";

// ClickUp's field types drift between the spec, endpoints and time (docs/clickup.md §1.5), so values we
// only display or sort by are coerced; fields the sync depends on (ids, names, status) stay required.

/** Ids come as strings or numbers; we always compare strings. */
const id = z.union([z.string(), z.number()]).transform(String);
/** User ids are integers, sometimes sent as strings. */
const userId = z.union([z.number(), z.string()]).transform(Number).pipe(z.number().int());
/** Ms epoch as string or number. */
const ms = z
  .union([z.string(), z.number()])
  .transform(Number)
  .pipe(z.number().refine(Number.isFinite, "not a ms timestamp"));
const optionalMs = z.preprocess((v) => (v === "" ? null : v), ms.nullish()).transform((v) => v ?? null);
/** Counts and order indexes: string or number, never relied on. */
const looseNumber = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((v) => {
    const n = v === null || v === undefined || v === "" ? Number.NaN : Number(v);
    return Number.isFinite(n) ? n : null;
  });

const statusSchema = z.object({
  id: z.string().optional(),
  status: z.string(),
  type: z.string(),
  orderindex: looseNumber,
  color: z.string().nullish(),
});

export const userSchema = z.object({
  id: userId,
  username: z.string().nullish(),
  email: z.string().nullish(),
  timezone: z.string().nullish(),
  week_start_day: z.number().nullish(),
});

export const teamSchema = z.object({
  id,
  name: z.string(),
  color: z.string().nullish(),
  members: z
    .array(z.object({ user: userSchema.extend({ role: z.number().nullish() }) }))
    .optional()
    .default([]),
});

export const spaceSchema = z.object({
  id,
  name: z.string(),
  private: z.boolean().optional(),
  archived: z.boolean().optional().default(false),
  statuses: z.array(statusSchema).optional().default([]),
});

const ref = z.object({ id, name: z.string().optional() });

export const listSchema = z.object({
  id,
  name: z.string(),
  orderindex: looseNumber,
  content: z.string().nullish(),
  task_count: looseNumber,
  archived: z.boolean().optional().default(false),
  // Folderless lists report a hidden folder or none at all (docs/clickup.md §3.3).
  folder: ref.extend({ hidden: z.boolean().optional() }).nullish(),
  space: ref.nullish(),
  override_statuses: z.boolean().optional(),
  statuses: z.array(statusSchema).optional(),
  permission_level: z.string().optional(),
});

export const folderSchema = z.object({
  id,
  name: z.string(),
  orderindex: looseNumber,
  hidden: z.boolean().optional(),
  archived: z.boolean().optional().default(false),
  task_count: looseNumber,
  override_statuses: z.boolean().optional(),
  statuses: z.array(statusSchema).optional(),
  space: ref.nullish(),
  lists: z.array(listSchema).optional().default([]),
});

/**
 * An array whose elements are each parsed on their own: an element of another shape is left out, and a
 * value that is no array at all reads as empty. For the task fields flowbot keeps for segments and
 * signals (src/sync/task-fields/), where one odd tag or custom field must not cost the whole task.
 */
function lenientArray<T extends z.ZodType>(item: T) {
  return z
    .unknown()
    .optional()
    .transform((value) => {
      const out: z.output<T>[] = [];
      if (!Array.isArray(value)) return out;
      for (const element of value) {
        const parsed = item.safeParse(element);
        if (parsed.success) out.push(parsed.data);
      }
      return out;
    });
}

/** A tag: `{name, tag_fg, tag_bg, creator}` in task payloads, a bare name in the published spec (docs/clickup.md §10.1). */
const tagSchema = z.union([z.string().transform((name) => ({ name })), z.object({ name: z.string() })]);

/** `{id: "1".."4", priority: "urgent".."low", color, orderindex}`, or null when the task has none (docs/clickup.md §11.1). */
export const prioritySchema = z.object({
  id: id.nullish(),
  priority: z.string().nullish(),
});

/** A drop-down option is `{id, name, color, orderindex}`; a labels option is `{id, label, color}` (docs/clickup.md §13.2). */
const fieldOptionSchema = z.object({
  id: id,
  name: z.string().nullish(),
  label: z.string().nullish(),
  orderindex: looseNumber,
});

/**
 * A custom field as a task carries it (its definition, and `value`, which is absent when unset) and as
 * the fields endpoints list it (no value). What the value means depends on `type` (docs/clickup.md §13.4).
 */
export const customFieldSchema = z.object({
  id: id,
  name: z.string().nullish(),
  type: z.string(),
  type_config: z
    .object({ options: lenientArray(fieldOptionSchema) })
    .partial()
    .nullish()
    .catch(null),
  value: z.unknown().optional(),
});

/**
 * The fields endpoints' answer (`GET /v2/list|folder|space/{id}/field`, docs/clickup.md §13.1): a field of
 * a shape flowbot cannot read is left out, never the reason the answer fails.
 */
export const fieldsResponseSchema = z.object({ fields: lenientArray(customFieldSchema) });

/**
 * `GET /v2/team/{id}/custom_item` (docs/clickup.md §12.2): the workspace's custom task types. An item
 * without a name, or whose id is no number, is left out.
 */
export const customItemsResponseSchema = z.object({
  custom_items: lenientArray(
    z.object({
      id: z.union([z.number(), z.string()]).transform(Number).pipe(z.number().int().nonnegative()),
      name: z.string(),
    }),
  ),
});

/** `{task_id, depends_on, type, …}`: `task_id` waits on `depends_on` (docs/clickup.md §14.1); a bare id says no direction. */
const dependencySchema = z.object({ task_id: id, depends_on: id });

export const taskSchema = z.object({
  id,
  custom_id: z.string().nullish(),
  name: z.string(),
  status: statusSchema,
  orderindex: looseNumber,
  date_created: ms,
  date_updated: ms,
  date_closed: optionalMs,
  date_done: optionalMs,
  archived: z.boolean().optional().default(false),
  creator: z.object({ id: userId }).nullish(),
  assignees: z
    .array(z.object({ id: userId, username: z.string().nullish(), email: z.string().nullish() }))
    .optional()
    .default([]),
  parent: id.nullish().transform((v) => v ?? null),
  top_level_parent: id.nullish().transform((v) => v ?? null),
  due_date: optionalMs,
  start_date: optionalMs,
  points: looseNumber,
  time_estimate: looseNumber,
  team_id: id.optional(),
  url: z.string().optional(),
  list: ref,
  folder: ref.extend({ hidden: z.boolean().optional() }).nullish(),
  space: z.object({ id }).nullish(),
  locations: z.array(ref).optional().default([]),
  // Read for segments and signals (src/sync/task-fields/); none of them may reject a task.
  tags: lenientArray(tagSchema),
  priority: prioritySchema.nullish().catch(null),
  /** The task type: null or 0 is ClickUp's plain task, 1 a milestone, others the workspace's own (docs/clickup.md §12.1). */
  custom_item_id: looseNumber.catch(null),
  custom_fields: lenientArray(customFieldSchema),
  dependencies: lenientArray(dependencySchema),
});

const totalTime = z.object({ by_minute: looseNumber.transform((v) => v ?? 0), since: optionalMs });

export const timeInStatusSchema = z.object({
  current_status: z
    .object({ status: z.string(), color: z.string().nullish(), total_time: totalTime })
    .nullish(),
  status_history: z
    .array(
      z.object({
        status: z.string(),
        color: z.string().nullish(),
        type: z.string().nullish(),
        orderindex: looseNumber,
        total_time: totalTime,
      }),
    )
    .optional()
    .default([]),
});

export const webhookSchema = z.object({
  id: z.string(),
  userid: userId.nullish(),
  team_id: id.nullish(),
  endpoint: z.string(),
  client_id: z.string().nullish(),
  events: z.array(z.string()),
  task_id: id.nullish(),
  list_id: id.nullish(),
  folder_id: id.nullish(),
  space_id: id.nullish(),
  health: z.object({ status: z.string(), fail_count: looseNumber }).nullish(),
  secret: z.string().optional(),
});

export type ClickUpTask = z.output<typeof taskSchema>;
export type ClickUpCustomField = z.output<typeof customFieldSchema>;
export type ClickUpTimeInStatus = z.output<typeof timeInStatusSchema>;
export type ClickUpWebhook = z.output<typeof webhookSchema>;

/**
 * A task comment or a threaded reply (docs/clickup.md §16.2). Only what sentiment needs is read: the
 * text (to score, never kept), the author's id and the time; `reply_count` says whether to ask for replies.
 */
export const commentSchema = z.object({
  id,
  comment_text: z.string().nullish(),
  comment: z.array(z.object({ text: z.string().nullish() })).nullish(),
  user: z.object({ id: userId.nullish() }).nullish(),
  date: ms,
  reply_count: looseNumber,
});
export type ClickUpComment = z.output<typeof commentSchema>;
