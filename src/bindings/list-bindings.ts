import { and, count, eq, isNull, sql } from "drizzle-orm";
import { bindings, clickupWebhooks, projects, trackedCases } from "../../db/schema.ts";
import type { Db } from "../db/connect-database.ts";

export type BindingRow = Awaited<ReturnType<typeof listBindings>>[number];

/** A channel's bindings with what the table shows: tracked tasks and webhook health. */
export async function listBindings(db: Db, slackTeamId: string, channelId: string) {
  return db
    .select({
      id: bindings.id,
      type: bindings.containerType,
      containerId: bindings.containerId,
      name: bindings.containerName,
      path: bindings.containerPath,
      syncStatus: bindings.syncStatus,
      errorReason: bindings.errorReason,
      warning: bindings.warning,
      lastSyncedAt: bindings.lastSyncedAt,
      webhookHealth: clickupWebhooks.healthStatus,
      tasks:
        sql<number>`(select ${count()} from ${trackedCases} where ${trackedCases.bindingId} = ${bindings.id} and ${trackedCases.tracked} and ${trackedCases.deletedAt} is null)`.mapWith(
          Number,
        ),
    })
    .from(bindings)
    .innerJoin(projects, eq(bindings.projectId, projects.id))
    .leftJoin(clickupWebhooks, eq(bindings.webhookId, clickupWebhooks.id))
    .where(
      and(
        eq(projects.slackTeamId, slackTeamId),
        eq(projects.channelId, channelId),
        isNull(bindings.unboundAt),
      ),
    )
    .orderBy(bindings.id);
}

/**
 * Finds the binding an admin named in a subcommand: its flowbot number, its ClickUp id, or
 * (case-insensitively) its name.
 */
export function matchBinding(rows: BindingRow[], ref: string): BindingRow | undefined {
  const r = ref.trim().replace(/^#/, "").toLowerCase();
  return (
    rows.find((b) => String(b.id) === r) ??
    rows.find((b) => b.containerId.toLowerCase() === r) ??
    rows.find((b) => b.name.toLowerCase() === r)
  );
}
