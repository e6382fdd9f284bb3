import { bindings, connections, projects } from "../../db/schema.ts";
import type { Sealer } from "../../src/crypto/sealer.ts";
import type { Db } from "../../src/db/connect-database.ts";
import { type seededFake, TOKEN } from "../fakes/clickup/fixtures.ts";

/**
 * What `/flow connect` and `/flow bind` leave behind for a seeded fake workspace: Jane's sealed token
 * as the Slack team's connection, a project for the channel and a (not yet synced) binding of the
 * fake's list "Sprint" (Engineering › Product › Sprint).
 */
export async function bindFakeList(
  db: Db,
  sealer: Sealer,
  w: ReturnType<typeof seededFake>,
  ids: { slackTeamId: string; channelId: string },
): Promise<{ projectId: number; bindingId: number }> {
  await db.insert(connections).values({
    slackTeamId: ids.slackTeamId,
    clickupTeamId: w.team.id,
    clickupTeamName: "Acme",
    tokenSealed: sealer.seal(TOKEN),
    tokenLast4: TOKEN.slice(-4),
    tokenOwnerId: w.jane.id,
    tokenOwnerName: "Jane Roe",
    connectedBy: "U0ADMIN",
  });
  const [project] = await db.insert(projects).values(ids).returning();
  const [binding] = await db
    .insert(bindings)
    .values({
      projectId: project!.id,
      containerType: "list",
      containerId: w.list.id,
      containerName: "Sprint",
      containerPath: "Engineering › Product › Sprint",
      spaceId: w.space.id,
      folderId: w.folder.id,
      createdBy: "U0ADMIN",
    })
    .returning();
  return { projectId: project!.id, bindingId: binding!.id };
}
