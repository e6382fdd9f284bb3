import { and, eq, gt, lt } from "drizzle-orm";
import { slackViews } from "../../../db/schema.ts";
import type { Db } from "../../db/connect-database.ts";
import type { ViewKind } from "./rules.ts";

/** How long a recorded modal is honoured: longer than anyone keeps a flowbot dialog open. */
const VIEW_RECORD_TTL_MS = 24 * 60 * 60 * 1000;

export type ViewRecord = {
  viewId: string;
  teamId: string;
  userId: string;
  channelId: string;
  kind: ViewKind;
  projectId: number | null;
  openedAt: Date;
};

/** Remembers a modal flowbot opened (and forgets ones past their lifetime). */
export async function recordView(db: Db, record: ViewRecord): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .delete(slackViews)
      .where(lt(slackViews.openedAt, new Date(record.openedAt.getTime() - VIEW_RECORD_TTL_MS)));
    await tx
      .insert(slackViews)
      .values({
        viewId: record.viewId,
        slackTeamId: record.teamId,
        userId: record.userId,
        channelId: record.channelId,
        kind: record.kind,
        projectId: record.projectId,
        openedAt: record.openedAt,
      })
      .onConflictDoNothing();
  });
}

/** The recorded modal with this id, if it is still within its lifetime. */
export async function findView(db: Db, viewId: string, now: Date): Promise<ViewRecord | undefined> {
  const [row] = await db
    .select()
    .from(slackViews)
    .where(
      and(
        eq(slackViews.viewId, viewId),
        // Lifetime checked here too: the sweep only runs when another modal opens.
        gt(slackViews.openedAt, new Date(now.getTime() - VIEW_RECORD_TTL_MS)),
      ),
    );
  if (!row) return undefined;
  return {
    viewId: row.viewId,
    teamId: row.slackTeamId,
    userId: row.userId,
    channelId: row.channelId,
    kind: row.kind as ViewKind,
    projectId: row.projectId,
    openedAt: row.openedAt,
  };
}
