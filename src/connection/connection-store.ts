import { and, count, desc, eq, inArray, isNull, ne } from "drizzle-orm";
import { bindings, clickupWebhooks, connections, projects, syncErrors } from "../../db/schema.ts";
import type { Db } from "../db/connect-database.ts";

export type Connection = typeof connections.$inferSelect;

export async function findConnection(db: Db, slackTeamId: string): Promise<Connection | undefined> {
  const [row] = await db.select().from(connections).where(eq(connections.slackTeamId, slackTeamId));
  return row;
}

/** Bindings of every project in this Slack workspace. */
export async function countBindings(db: Db, slackTeamId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(bindings)
    .innerJoin(projects, eq(bindings.projectId, projects.id))
    .where(and(eq(projects.slackTeamId, slackTeamId), isNull(bindings.unboundAt)));
  return row?.n ?? 0;
}

export async function bindingsByStatus(db: Db, slackTeamId: string): Promise<Record<string, number>> {
  const rows = await db
    .select({ status: bindings.syncStatus, n: count() })
    .from(bindings)
    .innerJoin(projects, eq(bindings.projectId, projects.id))
    .where(and(eq(projects.slackTeamId, slackTeamId), isNull(bindings.unboundAt)))
    .groupBy(bindings.syncStatus);
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

export async function recentErrors(db: Db, slackTeamId: string, limit = 5) {
  return db
    .select()
    .from(syncErrors)
    .where(eq(syncErrors.slackTeamId, slackTeamId))
    .orderBy(desc(syncErrors.occurredAt))
    .limit(limit);
}

/** Inserts the connection, or replaces the token of the existing one (bindings are untouched). */
export async function saveConnection(db: Db, values: typeof connections.$inferInsert): Promise<Connection> {
  const [row] = await db
    .insert(connections)
    .values(values)
    .onConflictDoUpdate({
      target: connections.slackTeamId,
      set: {
        clickupTeamId: values.clickupTeamId,
        clickupTeamName: values.clickupTeamName,
        tokenSealed: values.tokenSealed,
        tokenLast4: values.tokenLast4,
        tokenOwnerId: values.tokenOwnerId,
        tokenOwnerName: values.tokenOwnerName,
        tokenOwnerEmail: values.tokenOwnerEmail,
        connectedBy: values.connectedBy,
        connectedAt: values.connectedAt,
        rateLimitPerMin: values.rateLimitPerMin,
        rateLimitObservedAt: values.rateLimitObservedAt,
      },
    })
    .returning();
  return row!;
}

export async function webhooksOf(db: Db, connectionId: number) {
  return db.select().from(clickupWebhooks).where(eq(clickupWebhooks.connectionId, connectionId));
}

/** What disconnecting did to the workspace's bindings. */
export type RemovedConnection = {
  /** Bound bindings paused (kept data) or deleted with their data. */
  bindings: number;
  /** Bindings already unbound whose kept flow data was deleted too (only when deleting data). */
  unboundDeleted: number;
};

/**
 * Removes the connection (and so its token and webhook records). Bound bindings that had synced are
 * paused (unbound ones are left as they are), unless `deleteData`, which removes every binding of the
 * workspace, bound or unbound, with its flow data.
 */
export async function removeConnection(
  db: Db,
  connection: Connection,
  deleteData: boolean,
): Promise<RemovedConnection> {
  return db.transaction(async (tx) => {
    const teamProjects = tx
      .select({ id: projects.id })
      .from(projects)
      .where(eq(projects.slackTeamId, connection.slackTeamId));
    let result: RemovedConnection;
    if (deleteData) {
      const deleted = await tx
        .delete(bindings)
        .where(inArray(bindings.projectId, teamProjects))
        .returning({ unboundAt: bindings.unboundAt });
      const unboundDeleted = deleted.filter((b) => b.unboundAt !== null).length;
      result = { bindings: deleted.length - unboundDeleted, unboundDeleted };
    } else {
      const paused = await tx
        .update(bindings)
        .set({
          syncStatus: "paused",
          webhookId: null,
          errorReason: "ClickUp was disconnected: run /flow connect, then resume this binding",
        })
        .where(
          and(
            inArray(bindings.projectId, teamProjects),
            isNull(bindings.unboundAt),
            ne(bindings.syncStatus, "not_synced"),
          ),
        )
        .returning({ id: bindings.id });
      result = { bindings: paused.length, unboundDeleted: 0 };
    }
    await tx.delete(connections).where(eq(connections.id, connection.id));
    return result;
  });
}
