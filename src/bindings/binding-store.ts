import { and, eq, isNull } from "drizzle-orm";
import { bindings, projects } from "../../db/schema.ts";
import type { Db } from "../db/connect-database.ts";
import type { Container } from "./container.ts";

/** The project of a channel, created on first use. */
export async function ensureProject(db: Db, slackTeamId: string, channelId: string): Promise<number> {
  const [row] = await db
    .insert(projects)
    .values({ slackTeamId, channelId })
    .onConflictDoUpdate({ target: [projects.slackTeamId, projects.channelId], set: { slackTeamId } })
    .returning({ id: projects.id });
  return row!.id;
}

/** The containers a channel's project already binds. */
export async function boundContainers(db: Db, slackTeamId: string, channelId: string): Promise<Container[]> {
  const rows = await db
    .select({
      type: bindings.containerType,
      id: bindings.containerId,
      name: bindings.containerName,
      spaceId: bindings.spaceId,
      folderId: bindings.folderId,
      path: bindings.containerPath,
    })
    .from(bindings)
    .innerJoin(projects, eq(bindings.projectId, projects.id))
    .where(
      and(
        eq(projects.slackTeamId, slackTeamId),
        eq(projects.channelId, channelId),
        isNull(bindings.unboundAt),
      ),
    );
  return rows;
}

export async function createBinding(
  db: Db,
  projectId: number,
  c: Container,
  createdBy: string,
): Promise<number> {
  const [row] = await db
    .insert(bindings)
    .values({
      projectId,
      containerType: c.type,
      containerId: c.id,
      containerName: c.name,
      containerPath: c.path,
      spaceId: c.spaceId,
      folderId: c.folderId,
      createdBy,
    })
    // Binding an unbound container again revives its row, so the flow data it kept is reused.
    .onConflictDoUpdate({
      target: [bindings.projectId, bindings.containerType, bindings.containerId],
      set: {
        unboundAt: null,
        syncStatus: "not_synced",
        containerName: c.name,
        containerPath: c.path,
        createdBy,
      },
    })
    .returning({ id: bindings.id });
  return row!.id;
}
