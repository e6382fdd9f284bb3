import { and, count, eq, ne } from "drizzle-orm";
import {
  bindings,
  clickupWebhooks,
  commentSentiment,
  reworkEvents,
  statusTransitions,
  trackedCases,
} from "../../db/schema.ts";
import type { ClickUpClient } from "../clickup/index.ts";
import { isClickUpError } from "../clickup/index.ts";
import type { Db } from "../db/connect-database.ts";

/** What "unbind & delete data" would remove, for the confirmation text. */
export async function bindingDataCounts(db: Db, bindingId: number) {
  const [cases] = await db
    .select({ n: count() })
    .from(trackedCases)
    .where(eq(trackedCases.bindingId, bindingId));
  const [transitions] = await db
    .select({ n: count() })
    .from(statusTransitions)
    .where(eq(statusTransitions.bindingId, bindingId));
  const [rework] = await db
    .select({ n: count() })
    .from(reworkEvents)
    .where(eq(reworkEvents.bindingId, bindingId));
  // Comment sentiment scores (docs/flow-metrics.md §14) go with their cases.
  const [comments] = await db
    .select({ n: count() })
    .from(commentSentiment)
    .innerJoin(trackedCases, eq(trackedCases.id, commentSentiment.caseId))
    .where(eq(trackedCases.bindingId, bindingId));
  return {
    tasks: cases?.n ?? 0,
    transitions: transitions?.n ?? 0,
    rework: rework?.n ?? 0,
    comments: comments?.n ?? 0,
  };
}

/**
 * Unbinds: syncing stops and flowbot's ClickUp webhook for it is deleted unless another binding
 * uses it. With `deleteData`, the binding's tracked cases and everything derived from them go too
 * (cascading from the binding row, in one transaction); no other binding's rows are touched.
 * @returns a note on the webhook for the admin ("" when there was none).
 */
export async function unbindBinding(
  db: Db,
  clickup: ClickUpClient | undefined,
  bindingId: number,
  deleteData: boolean,
  now: Date,
): Promise<string> {
  const [binding] = await db.select().from(bindings).where(eq(bindings.id, bindingId));
  if (!binding) return "";
  let webhookNote = "";
  if (binding.webhookId) {
    const [shared] = await db
      .select({ n: count() })
      .from(bindings)
      .where(and(eq(bindings.webhookId, binding.webhookId), ne(bindings.id, bindingId)));
    if ((shared?.n ?? 0) === 0) {
      try {
        await clickup?.deleteWebhook(binding.webhookId);
        webhookNote = "Its ClickUp webhook was deleted.";
      } catch (err) {
        webhookNote = isClickUpError(err, "not_found")
          ? "Its ClickUp webhook was already gone."
          : `Could not delete its ClickUp webhook ${binding.webhookId} (${(err as Error).message}); remove it in ClickUp.`;
      }
      await db.delete(clickupWebhooks).where(eq(clickupWebhooks.id, binding.webhookId));
    }
  }
  if (deleteData) {
    await db.delete(bindings).where(eq(bindings.id, bindingId));
  } else {
    await db
      .update(bindings)
      .set({ unboundAt: now, syncStatus: "paused", webhookId: null, backfillCheckpoint: null })
      .where(eq(bindings.id, bindingId));
  }
  return webhookNote;
}
