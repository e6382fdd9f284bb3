import type { Task } from "graphile-worker";
import { describeOutcome, postDigest } from "../src/slack/digest/post-digest.ts";
import { createSlackUserDirectory } from "../src/slack/digest/slack-user-directory.ts";
import { parseJobPayload } from "../src/worker/job-catalog.ts";
import type { JobDeps } from "../src/worker/job-deps.ts";

/**
 * post-digest — posts one project's digest for one due time (queued by schedule-digests or
 * `/flow digest now` through src/flow/digest/enqueue-digest.ts); the admin who asked (requestedBy) is
 * told the outcome ephemerally.
 */
export default function postDigestJob(deps: JobDeps): Task<"post-digest"> {
  // One cache of email → Slack user per process.
  const users = deps.slack ? createSlackUserDirectory(deps.slack, deps.logger, deps.now) : undefined;
  return async (raw) => {
    const payload = parseJobPayload("post-digest", raw);
    if (!deps.slack || !users) {
      deps.logger.warn({ projectId: payload.projectId }, "Slack is not configured; digest not posted");
      return;
    }
    const result = await postDigest(
      { database: deps.database, slack: deps.slack, logger: deps.logger, now: deps.now, users },
      payload,
    );
    const asked = payload.requestedBy;
    if (asked) {
      await deps.slack.chat
        .postEphemeral({
          channel: asked.channelId,
          user: asked.userId,
          text: describeOutcome(result, asked.channelId),
        })
        .catch((err: unknown) => deps.logger.warn({ err }, "could not tell the admin how the digest went"));
    }
  };
}
