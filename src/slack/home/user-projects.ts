import type { WebClient } from "@slack/web-api";
import type { Db } from "../../db/connect-database.ts";
import { projectsInChannels, type ReportProject } from "../../flow/report-projects.ts";

/** users.conversations pages read at most (1000 channels each). */
const MAX_PAGES = 10;

/**
 * The projects a user can see: this team's projects whose channel the user is a member of
 * (users.conversations, public and private channels, archived ones left out).
 */
export async function userProjects(
  client: WebClient,
  db: Db,
  teamId: string,
  userId: string,
): Promise<ReportProject[]> {
  const channelIds: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await client.users.conversations({
      user: userId,
      types: "public_channel,private_channel",
      exclude_archived: true,
      limit: 1000,
      ...(cursor ? { cursor } : {}),
    });
    for (const channel of result.channels ?? []) if (channel.id) channelIds.push(channel.id);
    cursor = result.response_metadata?.next_cursor || undefined;
    if (!cursor) break;
  }
  return projectsInChannels(db, teamId, channelIds);
}
