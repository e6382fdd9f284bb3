import { z } from "zod";
import { isStorableTime } from "../storable-time.ts";

/**
 * What the apply job reads from a stored ClickUp delivery (docs/clickup.md §5.3–5.4). Parsed leniently:
 * ClickUp's fields drift in type (ids as numbers or strings, orderindex as strings) and some payloads
 * lack `type`/`orderindex`; anything unusable is skipped, never guessed into the timeline.
 */
const idText = z.union([z.string(), z.number()]).transform(String);
const looseInt = z
  .union([z.number(), z.string()])
  .nullish()
  .transform((v) => {
    if (v === null || v === undefined || v === "") return null;
    const n = Number(v);
    return Number.isInteger(n) ? n : null;
  });

const statusSide = z
  .looseObject({
    status: z.string().nullish(),
    type: z.string().nullish(),
    orderindex: looseInt,
    id: z.string().nullish(),
  })
  .nullish();

const userRef = z
  .looseObject({
    id: z.union([z.number(), z.string()]).nullish(),
    username: z.string().nullish(),
    email: z.string().nullish(),
  })
  .nullish();

const listLocation = z
  .looseObject({
    id: idText,
    name: z.string().nullish(),
    /** Legacy naming in move payloads: category = folder. */
    category: z.looseObject({ id: idText.nullish(), hidden: z.boolean().nullish() }).nullish(),
    /** ... and project = space. */
    project: z.looseObject({ id: idText.nullish() }).nullish(),
  })
  .nullish();

/**
 * ClickUp's ids are a few dozen characters at most; a longer one (a hostile payload) is unreadable: kept,
 * it would exceed what a Postgres index entry holds and fail every write of the task (SQLSTATE 54000).
 */
export const MAX_ID_LENGTH = 128;
const itemId = idText.pipe(z.string().min(1).max(MAX_ID_LENGTH));

const historyItem = z.looseObject({
  id: itemId,
  date: z.union([z.string(), z.number()]).transform(Number),
  field: z.string().nullish(),
  parent_id: idText.nullish(),
  data: z.looseObject({ status_type: z.string().nullish() }).nullish(),
  user: userRef,
  before: z.unknown(),
  after: z.unknown(),
});

const deliveryBody = z.looseObject({
  event: z.string(),
  task_id: idText.nullish(),
  history_items: z.array(z.unknown()).nullish(),
});

type Actor = { id: number | null; name: string | null };
type StatusSide = { name: string; type: string | null; orderindex: number | null; id: string | null };
export type ListLocation = { listId: string; folderId: string | null; spaceId: string | null };
export type Assignee = { id: number; username: string | null; email: string | null };

export type TaskChange =
  | { kind: "status"; itemId: string; at: number; actor: Actor; from: StatusSide | null; to: StatusSide }
  | { kind: "moved"; itemId: string; at: number; actor: Actor; from: ListLocation | null; to: ListLocation }
  | { kind: "name"; itemId: string; at: number; actor: Actor; name: string }
  | { kind: "assignee_add" | "assignee_rem"; itemId: string; at: number; actor: Actor; assignee: Assignee }
  | { kind: "deleted" };

/**
 * One history item as it came (any field, status included), for the kept task fields and activity
 * (src/sync/task-fields: applyHistoryItem). Only items with an id and a readable date (a time flowbot
 * can store, src/sync/storable-time.ts) are kept.
 */
export type DeliveryItem = { itemId: string; at: number; field: string | null; raw: unknown };

export type ParsedDelivery = {
  event: string;
  changes: TaskChange[];
  items: DeliveryItem[];
  /** History items skipped as unreadable (no usable id or storable date, not an object), or -1 for an unreadable body. */
  unreadable: number;
};

function actorOf(user: z.infer<typeof userRef>): Actor {
  const id = user?.id === undefined || user?.id === null ? null : Number(user.id);
  return { id: Number.isSafeInteger(id) ? id : null, name: user?.username ?? null };
}

function statusOf(raw: unknown, fallbackType: string | null): StatusSide | null {
  const s = statusSide.safeParse(raw);
  if (!s.success || !s.data?.status) return null;
  // Creation's "before" is the pseudo-status {status: null, type: "removed"}: no status at all.
  if (s.data.type === "removed") return null;
  return {
    name: s.data.status,
    type: s.data.type ?? fallbackType,
    orderindex: s.data.orderindex,
    id: s.data.id ?? null,
  };
}

function locationOf(raw: unknown): ListLocation | null {
  const l = listLocation.safeParse(raw);
  if (!l.success || !l.data) return null;
  return { listId: l.data.id, folderId: l.data.category?.id ?? null, spaceId: l.data.project?.id ?? null };
}

function assigneeOf(raw: unknown): Assignee | null {
  const u = userRef.safeParse(raw);
  const id = Number(u.data?.id);
  if (!u.success || !u.data || !Number.isSafeInteger(id)) return null;
  return { id, username: u.data.username ?? null, email: u.data.email ?? null };
}

/**
 * The task changes one delivery carries (status, move, rename, assignees, deletion), and every readable
 * history item for the kept task fields and activity (tags, priority, custom fields, comments…).
 */
export function parseDelivery(body: unknown): ParsedDelivery {
  const parsed = deliveryBody.safeParse(body);
  if (!parsed.success) return { event: "unknown", changes: [], items: [], unreadable: -1 };
  const { event } = parsed.data;
  if (event === "taskDeleted") return { event, changes: [{ kind: "deleted" }], items: [], unreadable: 0 };
  const changes: TaskChange[] = [];
  const items: DeliveryItem[] = [];
  let unreadable = 0;
  for (const raw of parsed.data.history_items ?? []) {
    const item = historyItem.safeParse(raw);
    if (!item.success || !isStorableTime(item.data.date)) {
      unreadable += 1;
      continue;
    }
    const { id: itemId, date: at, field } = item.data;
    items.push({ itemId, at, field: field ?? null, raw });
    const actor = actorOf(item.data.user);
    if (field === "status") {
      const to = statusOf(item.data.after, item.data.data?.status_type ?? null);
      if (to) changes.push({ kind: "status", itemId, at, actor, from: statusOf(item.data.before, null), to });
    } else if (field === "section_moved") {
      const to = locationOf(item.data.after);
      if (to) changes.push({ kind: "moved", itemId, at, actor, from: locationOf(item.data.before), to });
    } else if (field === "name" && typeof item.data.after === "string" && item.data.after.length > 0) {
      changes.push({ kind: "name", itemId, at, actor, name: item.data.after });
    } else if (field === "assignee_add" || field === "assignee_rem") {
      const assignee = assigneeOf(field === "assignee_add" ? item.data.after : item.data.before);
      if (assignee) changes.push({ kind: field, itemId, at, actor, assignee });
    }
  }
  return { event, changes, items, unreadable };
}
