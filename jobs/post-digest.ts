import type { Task } from "graphile-worker";
import { z } from "zod";
import { describeOutcome, postDigest } from "../src/slack/digest/post-digest.ts";
import { createSlackUserDirectory } from "../src/slack/digest/slack-user-directory.ts";
import type { JobDeps } from "../src/worker/job-deps.ts";

const payloadSchema = z.object({
  projectId: z.number().int().positive(),
  dueAt: z.iso.datetime(),
  requestedBy: z.object({ userId: z.string(), channelId: z.string() }).optional(),
});

/**
 * post-digest — posts one project's digest for one due time (queued by schedule-digests or
 * `/flow digest now` through src/flow/digest/enqueue-digest.ts). Payload `{projectId, dueAt,
 * requestedBy?}`; the admin who asked is told the outcome ephemerally.
 */
export default function postDigestJob(deps: JobDeps): Task {
  // One cache of email → Slack user per process.
  const users = deps.slack ? createSlackUserDirectory(deps.slack, deps.logger, deps.now) : undefined;
  return async (raw) => {
    const parsed = payloadSchema.safeParse(raw);
    if (!parsed.success) {
      throw new Error(
        `post-digest needs {projectId, dueAt}, got ${JSON.stringify(raw)}: ${parsed.error.message}`,
      );
    }
    const payload = parsed.data;
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
