import { createHash } from "node:crypto";
import type { Sql, TransactionSql } from "postgres";
import type { ClickUpClient } from "../clickup/index.ts";

/**
 * Whether the connection still exists, locked against deletion until the transaction ends, so a disconnect
 * meanwhile waits rather than a write failing on its foreign key.
 */
export async function connectionHeld(tx: TransactionSql, connectionId: number): Promise<boolean> {
  return (await tx`select 1 from connections where id = ${connectionId} for key share`).length > 0;
}

/** Finds Slack users by email (src/slack/digest/slack-user-directory.ts satisfies it). */
export type EmailLookup = { lookup(emails: Iterable<string>): Promise<Map<string, string>> };

export type MembersRead = { members: number; matched: number; unmatched: number; gone: number };

/** SHA-256 of the lower-cased address: tells a changed email without keeping it (docs/clickup.md §17.3). */
export const emailHash = (email: string) =>
  createHash("sha256").update(email.trim().toLowerCase()).digest("hex");

type Stored = {
  clickup_user_id: number;
  email_hash: string | null;
  slack_user_id: string | null;
  matched_by: string | null;
};

/**
 * Reads the connection's workspace members from `GET /v2/team` (docs/clickup.md §17) and keeps them with
 * their Slack match: a manual mapping stays as the admin set it; an email match is looked up again only for
 * a member without one or whose address changed, so a periodic read costs Slack a call per new or changed
 * member, not per member. Members no longer listed are removed with their mapping.
 */
export async function refreshMembers(
  deps: { sql: Sql; clickup: ClickUpClient; slackUsers: EmailLookup | undefined; now: Date },
  connection: { id: number; clickupTeamId: string },
  signal?: AbortSignal,
): Promise<MembersRead> {
  const { sql } = deps;
  const teams = await deps.clickup.getTeams({ signal });
  const team = teams.find((t) => t.id === connection.clickupTeamId);
  const members = team?.members ?? [];
  const stored = new Map(
    (
      await sql<Stored[]>`
        select clickup_user_id::int8 as clickup_user_id, email_hash, slack_user_id, matched_by
        from clickup_members where connection_id = ${connection.id}`
    ).map((r) => [Number(r.clickup_user_id), r]),
  );

  const toLookUp = new Map<number, string>();
  for (const { user } of members) {
    const email = user.email?.trim().toLowerCase();
    if (!email) continue;
    const before = stored.get(user.id);
    const changed = before?.email_hash !== emailHash(email);
    if (before?.matched_by === "manual") continue;
    if (!before?.slack_user_id || changed) toLookUp.set(user.id, email);
  }
  const found =
    deps.slackUsers && toLookUp.size > 0 ? await deps.slackUsers.lookup(toLookUp.values()) : new Map();

  const rows = members.map(({ user }) => {
    const email = user.email?.trim().toLowerCase() || null;
    const before = stored.get(user.id);
    let slackUserId = before?.slack_user_id ?? null;
    let matchedBy = before?.matched_by ?? null;
    if (matchedBy !== "manual") {
      const lookedUp = toLookUp.get(user.id);
      if (lookedUp !== undefined) {
        slackUserId = found.get(lookedUp) ?? null;
        matchedBy = slackUserId ? "email" : null;
      } else if (!email) {
        slackUserId = null;
        matchedBy = null;
      }
    }
    return {
      connection_id: connection.id,
      clickup_user_id: user.id,
      username: user.username ?? null,
      role: user.role ?? null,
      email_hash: email ? emailHash(email) : null,
      slack_user_id: slackUserId,
      matched_by: matchedBy,
      seen_at: deps.now,
    };
  });

  return sql.begin(async (tx) => {
    // Disconnected while ClickUp answered: the members went with the connection, nothing to keep.
    if (!(await connectionHeld(tx, connection.id))) return { members: 0, matched: 0, unmatched: 0, gone: 0 };
    if (rows.length > 0) {
      await tx`
        insert into clickup_members ${tx(rows)}
        on conflict (connection_id, clickup_user_id) do update set
          username = excluded.username, role = excluded.role, email_hash = excluded.email_hash,
          -- A mapping an admin made while this read ran wins over what the read saw.
          slack_user_id = case when clickup_members.matched_by = 'manual' then clickup_members.slack_user_id
                               else excluded.slack_user_id end,
          matched_by = case when clickup_members.matched_by = 'manual' then 'manual' else excluded.matched_by end,
          seen_at = excluded.seen_at`;
    }
    const gone = await tx`
      delete from clickup_members
      where connection_id = ${connection.id} and seen_at < ${deps.now}::timestamptz
      returning 1`;
    await tx`
      insert into people_sync_state (connection_id, members_read_at) values (${connection.id}, ${deps.now}::timestamptz)
      on conflict (connection_id) do update set members_read_at = excluded.members_read_at`;
    const matched = rows.filter((r) => r.slack_user_id).length;
    return { members: rows.length, matched, unmatched: rows.length - matched, gone: gone.length };
  });
}
