import { createHash } from "node:crypto";

export type KeyedDelivery = {
  webhookId: string;
  event: string;
  taskId: string | null;
  /** Ids of the delivery's history items, in any order. */
  historyItemIds: string[];
};

/** Longest key kept readable; a longer one (many history items), or odd ids, are hashed. */
const MAX_PLAIN_KEY = 256;

/**
 * The idempotency key of a delivery: what identifies the change it carries. ClickUp sends one change as
 * several events carrying the same history items — taskStatusUpdated and taskUpdated with one item, or
 * taskCreated with a status item and a creation item and then taskStatusUpdated with that status item
 * alone — and retries a failed one. So the key is the webhook and the set of its history item ids: a
 * repeat of the same set is one delivery, while a delivery carrying an item more is stored too (the
 * apply job records each history item once, however many deliveries carry it). One item keeps the
 * documented `{webhook_id}:{history_item_id}`. With no history items (taskDeleted) the key is the
 * event, the task and a hash of the raw body.
 */
export function deliveryKey(delivery: KeyedDelivery, raw: Uint8Array): string {
  const ids = [...new Set(delivery.historyItemIds)].sort();
  if (ids.length === 0) {
    const hash = createHash("sha256").update(raw).digest("hex");
    return `${delivery.webhookId}:${delivery.event}:${delivery.taskId ?? ""}:${hash}`;
  }
  const key = `${delivery.webhookId}:${ids.join(",")}`;
  if (key.length <= MAX_PLAIN_KEY && ids.every((id) => /^[\w-]+$/.test(id))) return key;
  return `${delivery.webhookId}:items:${createHash("sha256").update(JSON.stringify(ids)).digest("hex")}`;
}
