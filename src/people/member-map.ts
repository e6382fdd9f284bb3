import type { Sql } from "postgres";

export type MemberRow = {
  clickupUserId: number;
  username: string | null;
  role: number | null;
  slackUserId: string | null;
  matchedBy: "email" | "manual" | null;
};

/** The connection's members with their Slack match, unmatched first, then by name. */
export async function listMembers(sql: Sql, slackTeamId: string): Promise<MemberRow[]> {
  const rows = await sql<
    { id: string; username: string | null; role: number | null; slack: string | null; by: string | null }[]
  >`
    select m.clickup_user_id::text as id, m.username, m.role, m.slack_user_id as slack, m.matched_by as by
    from clickup_members m join connections c on c.id = m.connection_id
    where c.slack_team_id = ${slackTeamId}
    order by m.slack_user_id is not null, lower(coalesce(m.username, '')), m.clickup_user_id`;
  return rows.map((r) => ({
    clickupUserId: Number(r.id),
    username: r.username,
    role: r.role,
    slackUserId: r.slack,
    matchedBy: r.by === "email" || r.by === "manual" ? r.by : null,
  }));
}

/** ClickUp user id → Slack user id for the workspace's matched members. */
export async function slackUserByMember(
  sql: Sql,
  slackTeamId: string,
  clickupUserIds: readonly number[],
): Promise<Map<number, string>> {
  if (clickupUserIds.length === 0) return new Map();
  const rows = await sql<{ id: string; slack: string }[]>`
    select m.clickup_user_id::text as id, m.slack_user_id as slack
    from clickup_members m join connections c on c.id = m.connection_id
    where c.slack_team_id = ${slackTeamId} and m.slack_user_id is not null
      and m.clickup_user_id = any(${clickupUserIds.map(String)}::int8[])`;
  return new Map(rows.map((r) => [Number(r.id), r.slack]));
}

/**
 * Maps a member of this workspace's connection to a Slack user by hand (or clears the mapping with null).
 * @returns false when the connection has no such member: nothing was changed.
 */
export async function mapMember(
  sql: Sql,
  slackTeamId: string,
  clickupUserId: number,
  slackUserId: string | null,
  by: string,
): Promise<boolean> {
  const rows = await sql`
    update clickup_members m
    set slack_user_id = ${slackUserId}, matched_by = ${slackUserId ? "manual" : null},
        mapped_by = ${slackUserId ? by : null},
        -- Cleared: the next read matches by email again (a changed hash forces the lookup).
        email_hash = case when ${slackUserId}::text is null then null else m.email_hash end
    from connections c
    where c.id = m.connection_id and c.slack_team_id = ${slackTeamId} and m.clickup_user_id = ${clickupUserId}
    returning 1`;
  return rows.length > 0;
}
