import { eq } from "drizzle-orm";
import { bindings, syncErrors } from "../../../db/schema.ts";
import type { ClickUpErrorCode } from "../../clickup/clickup-error.ts";
import type { Db } from "../../db/connect-database.ts";

/** ClickUp answers no retry will change: the admin has to act first. */
export const PERMANENT_CODES: ReadonlySet<ClickUpErrorCode> = new Set([
  "token_invalid",
  "not_found",
  "not_authorized",
]);

export async function markSynced(db: Db, bindingId: number, at: Date, warning: string | null) {
  await db
    .update(bindings)
    .set({
      syncStatus: "synced",
      lastSyncedAt: at,
      backfillCheckpoint: null,
      errorCode: null,
      errorReason: null,
      warning,
    })
    .where(eq(bindings.id, bindingId));
}

/** Stops the binding with an error the admin can act on; the checkpoint stays for the next attempt. */
export async function markFailed(
  db: Db,
  input: { bindingId: number; slackTeamId: string; code: string; reason: string; at: Date },
) {
  await db.transaction(async (tx) => {
    await tx
      .update(bindings)
      .set({ syncStatus: "error", errorCode: input.code, errorReason: input.reason })
      .where(eq(bindings.id, input.bindingId));
    await tx.insert(syncErrors).values({
      slackTeamId: input.slackTeamId,
      bindingId: input.bindingId,
      code: input.code,
      message: input.reason,
      occurredAt: input.at,
    });
  });
}
