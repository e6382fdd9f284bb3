import { setTimeout as sleep } from "node:timers/promises";
import type { WebClient } from "@slack/web-api";
import type { Database } from "../../db/connect-database.ts";
import { computeDigest, type Digest, digestTasks } from "../../flow/digest/compute-digest.ts";
import type { PostDigestPayload } from "../../flow/digest/enqueue-digest.ts";
import type { Logger } from "../../log/create-logger.ts";
import { assigneeMentions } from "../../people/assignee-mentions.ts";
import { slackErrorCode } from "../views/block-kit.ts";
import { renderDigest } from "./render-digest.ts";
import type { SlackUserDirectory } from "./slack-user-directory.ts";

export type PostDigestDeps = {
  database: Database;
  slack: WebClient;
  logger: Logger;
  /** ms since the epoch */
  now: () => number;
  users: SlackUserDirectory;
};

export type PostDigestOutcome =
  | { outcome: "posted"; channelId: string; ts: string; alerts: number }
  | { outcome: "quiet" | "already_posted" | "not_found" | "digest_off" }
  | { outcome: "channel_problem"; channelId: string; error: string };

/** Slack allows about one message per second per channel. */
const CHANNEL_SPACING_MS = 1000;
/** Slack errors that retrying will not fix: the digest channel itself needs an admin. */
const CHANNEL_ERRORS: Record<string, string> = {
  not_in_channel: "flowbot is not a member of the digest channel: invite @flowbot there (`/invite @flowbot`)",
  channel_not_found:
    "the digest channel does not exist or flowbot cannot see it: pick another channel in `/flow settings`",
  is_archived: "the digest channel is archived: unarchive it or pick another channel in `/flow settings`",
};

/**
 * Builds and posts one due digest, then records what it alerted (alert_log), drops ended snoozes and
 * marks the digest run posted — so a retried job never posts the same due time twice. Slack refusing
 * the channel (not a member, gone, archived) is recorded as a sync error and ends the run without a retry.
 */
export async function postDigest(
  deps: PostDigestDeps,
  payload: PostDigestPayload,
): Promise<PostDigestOutcome> {
  const { sql } = deps.database;
  const dueAt = new Date(payload.dueAt);
  const [run] = await sql<{ posted: boolean }[]>`
    select posted_at is not null as posted from digest_runs
    where project_id = ${payload.projectId} and due_at = ${dueAt}::timestamptz`;
  if (run?.posted) return { outcome: "already_posted" };

  const [project] = await sql<{ enabled: boolean }[]>`
    select digest_enabled as enabled from projects where id = ${payload.projectId}`;
  if (!project) return { outcome: "not_found" };
  // A scheduled run queued before the digest was turned off; `/flow digest now` posts regardless.
  // Checked before the digest is computed: nothing is worked out that will not be posted.
  if (!payload.requestedBy && !project.enabled) return { outcome: "digest_off" };
  const now = new Date(deps.now());
  const digest = await computeDigest(deps.database, payload.projectId, { now });
  if (!digest) return { outcome: "not_found" };

  // Members mapped in `/flow people` are mentioned as their Slack user; the rest are looked up by email.
  const mentions = await assigneeMentions(
    sql,
    digest.slackTeamId,
    digestTasks(digest).flatMap((t) => t.assignees),
    (emails) => deps.users.lookup(emails),
  );
  const message = renderDigest(digest, mentions);
  if (!message) {
    await recordPosted(deps, digest, dueAt, undefined);
    return { outcome: "quiet" };
  }

  await waitForChannel(deps, digest);
  let ts: string;
  try {
    const res = await deps.slack.chat.postMessage({
      channel: digest.channelId,
      text: message.text,
      blocks: message.blocks,
      unfurl_links: false,
      unfurl_media: false,
    });
    ts = res.ts!;
  } catch (err) {
    const error = slackErrorCode(err);
    const why = error ? CHANNEL_ERRORS[error] : undefined;
    if (!error || !why) throw err;
    await sql`
      insert into sync_errors (slack_team_id, code, message)
      values (${digest.slackTeamId}, ${`digest_${error}`}, ${`The flow digest for <#${digest.projectChannelId}> could not be posted to <#${digest.channelId}>: ${why}.`})`;
    deps.logger.warn(
      { projectId: digest.projectId, channelId: digest.channelId, error },
      "digest not posted",
    );
    return { outcome: "channel_problem", channelId: digest.channelId, error };
  }
  await recordPosted(deps, digest, dueAt, ts);
  deps.logger.info({ projectId: digest.projectId, alerts: digest.alerts.length }, "digest posted");
  return { outcome: "posted", channelId: digest.channelId, ts, alerts: digest.alerts.length };
}

/** The sentence to tell an admin who asked for the digest what happened. */
export function describeOutcome(result: PostDigestOutcome, projectChannelId: string): string {
  switch (result.outcome) {
    case "posted":
      return `:white_check_mark: Posted the flow digest to <#${result.channelId}>.`;
    case "quiet":
      return `:ocean: Nothing to report for <#${projectChannelId}>: no task newly ageing, stuck, stalled or at risk and no new rework since the last digest, so no digest was posted.`;
    case "channel_problem":
      return `:warning: The digest could not be posted: ${CHANNEL_ERRORS[result.error] ?? result.error}.`;
    case "already_posted":
      return "That digest was already posted.";
    case "digest_off":
      return "The digest is off for this project; turn it on in `/flow settings`.";
    case "not_found":
      return "This channel's project no longer exists.";
  }
}

async function waitForChannel(deps: PostDigestDeps, digest: Digest): Promise<void> {
  const [last] = await deps.database.sql<{ at: Date | null }[]>`
    select max(r.posted_at) as at
    from digest_runs r join projects p on p.id = r.project_id
    where p.slack_team_id = ${digest.slackTeamId}
      and coalesce(p.digest_channel_id, p.channel_id) = ${digest.channelId}
      and r.message_ts is not null`;
  if (!last?.at) return;
  const wait = Math.min(CHANNEL_SPACING_MS, last.at.getTime() + CHANNEL_SPACING_MS - deps.now());
  if (wait > 0) await sleep(wait);
}

async function recordPosted(
  deps: PostDigestDeps,
  digest: Digest,
  dueAt: Date,
  ts: string | undefined,
): Promise<void> {
  const now = new Date(deps.now());
  await deps.database.sql.begin(async (tx) => {
    if (digest.alerts.length && ts) {
      const rows = digest.alerts.map((a) => ({
        project_id: digest.projectId,
        case_id: a.caseId,
        kind: a.kind,
        threshold: a.threshold,
        channel_id: digest.channelId,
        message_ts: ts,
      }));
      await tx`
        insert into alert_log (project_id, case_id, kind, threshold, alerted_at, channel_id, message_ts)
        select r.project_id, r.case_id, r.kind, r.threshold, ${now}::timestamptz, r.channel_id, r.message_ts
        from jsonb_to_recordset(${tx.json(rows)})
          as r(project_id bigint, case_id bigint, kind text, threshold text, channel_id text, message_ts text)
        on conflict (project_id, case_id, kind, threshold)
        do update set alerted_at = excluded.alerted_at, channel_id = excluded.channel_id, message_ts = excluded.message_ts`;
    }
    if (digest.endedSnoozeIds.length) {
      await tx`delete from snoozes where id in ${tx(digest.endedSnoozeIds)}`;
    }
    await tx`update projects set last_digest_at = ${now}::timestamptz where id = ${digest.projectId}`;
    await tx`
      update digest_runs set posted_at = ${now}::timestamptz, message_ts = ${ts ?? null}
      where project_id = ${digest.projectId} and due_at = ${dueAt}::timestamptz`;
  });
}
