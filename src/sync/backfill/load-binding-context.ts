import { eq } from "drizzle-orm";
import { bindings, connections, projects } from "../../../db/schema.ts";
import type { Db } from "../../db/connect-database.ts";

type BindingRow = typeof bindings.$inferSelect;
type ConnectionRow = typeof connections.$inferSelect;

export interface BindingContext {
  binding: BindingRow;
  slackTeamId: string;
  connection: ConnectionRow;
}

/** The binding with its project's Slack team and that team's ClickUp connection; null if any is gone. */
export async function loadBindingContext(db: Db, bindingId: number): Promise<BindingContext | null> {
  const [row] = await db
    .select({ binding: bindings, slackTeamId: projects.slackTeamId, connection: connections })
    .from(bindings)
    .innerJoin(projects, eq(projects.id, bindings.projectId))
    .innerJoin(connections, eq(connections.slackTeamId, projects.slackTeamId))
    .where(eq(bindings.id, bindingId));
  return row ?? null;
}
