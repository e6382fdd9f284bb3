import { bindings, clickupWebhooks, connections, projects } from "../../db/schema.ts";
import type { Flowbot } from "../../src/app/start-flowbot.ts";
import { CLICKUP_WEBHOOK_PATH } from "../../src/http/create-http-app.ts";

/**
 * What the webhook route needs to store a delivery: a connected workspace (Slack team T1, ClickUp 9001),
 * a ClickUp webhook with its sealed secret, and a synced binding of list `listId` in channel C1 served
 * by that webhook. Returns the binding's id.
 */
export async function seedWebhookBinding(
  flowbot: Flowbot,
  webhook: { id: string; secret: string; token: string; events?: string[]; listId?: string },
): Promise<number> {
  const { db } = flowbot.database;
  const listId = webhook.listId ?? "900";
  const [connection] = await db
    .insert(connections)
    .values({
      slackTeamId: "T1",
      clickupTeamId: "9001",
      clickupTeamName: "Acme",
      tokenSealed: flowbot.sealer.seal(webhook.token),
      tokenLast4: webhook.token.slice(-4),
      tokenOwnerId: 1,
      tokenOwnerName: "Jane",
      connectedBy: "U1",
    })
    .returning();
  await db.insert(clickupWebhooks).values({
    id: webhook.id,
    connectionId: connection!.id,
    containerType: "list",
    containerId: listId,
    endpoint: flowbot.url + CLICKUP_WEBHOOK_PATH,
    events: webhook.events ?? ["taskStatusUpdated"],
    secretSealed: flowbot.sealer.seal(webhook.secret),
  });
  const [project] = await db.insert(projects).values({ slackTeamId: "T1", channelId: "C1" }).returning();
  const [binding] = await db
    .insert(bindings)
    .values({
      projectId: project!.id,
      containerType: "list",
      containerId: listId,
      containerName: "Backlog",
      containerPath: "Eng › Backlog",
      spaceId: "500",
      syncStatus: "synced",
      webhookId: webhook.id,
      createdBy: "U1",
    })
    .returning();
  return binding!.id;
}
