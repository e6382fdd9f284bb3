import type { Sql } from "postgres";
import { slackUserByMember } from "./member-map.ts";

type Assignee = { id: number | string; email?: string | null };

/**
 * The Slack users digests and alerts mention (docs/clickup.md §17): an assignee mapped in `/flow people` (by
 * email or by hand) is mentioned as that user; the rest are looked up by their ClickUp email as before.
 * Returns the lower-cased email → Slack user map the digest renderer reads.
 */
export async function assigneeMentions(
  sql: Sql,
  slackTeamId: string,
  assignees: readonly Assignee[],
  lookup: (emails: string[]) => Promise<Map<string, string>>,
): Promise<Map<string, string>> {
  const ids = [...new Set(assignees.map((a) => Number(a.id)).filter(Number.isSafeInteger))];
  const mapped = await slackUserByMember(sql, slackTeamId, ids);
  const mentions = new Map<string, string>();
  const rest: string[] = [];
  for (const a of assignees) {
    const email = a.email?.trim().toLowerCase();
    if (!email) continue;
    const user = mapped.get(Number(a.id));
    if (user) mentions.set(email, user);
    else rest.push(email);
  }
  const looked = rest.length > 0 ? await lookup(rest) : new Map<string, string>();
  for (const [email, user] of looked) if (!mentions.has(email)) mentions.set(email, user);
  return mentions;
}
