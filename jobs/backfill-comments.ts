import type { Task } from "graphile-worker";
import { loadBindingContext } from "../src/sync/backfill/load-binding-context.ts";
import { backfillComments } from "../src/sync/comments/backfill-comments.ts";
import { commentsDoneText } from "../src/sync/comments/comments-message.ts";
import { enqueueCommentsBackfill } from "../src/sync/comments/enqueue-comments-backfill.ts";
import { parseJobPayload } from "../src/worker/job-catalog.ts";
import type { JobDeps } from "../src/worker/job-deps.ts";

/** While the binding's flow facts are still being rebuilt, the pass looks again this much later… */
const NOT_READY_DELAY_MS = 2_000;
/** …this many times at most (10 minutes): a rebuild that never ends must not keep it queued for ever. */
const NOT_READY_WAITS = 300;

/**
 * backfill-comments — the comments pass after a binding's status backfill (docs/flow-metrics.md §14.4,
 * src/sync/comments). Queued by jobs/backfill-binding.ts when a backfill is done (job key per binding);
 * when the channel's progress message is known it is finished here ("comments read…").
 */
export default function backfillCommentsJob(deps: JobDeps): Task<"backfill-comments"> {
  return async (raw, helpers) => {
    const payload = parseJobPayload("backfill-comments", raw);
    const { bindingId } = payload;
    const { db, sql } = deps.database;
    const ctx = await loadBindingContext(db, bindingId);
    if (!ctx?.connection.moduleEnabled || ctx.binding.syncStatus === "paused" || ctx.binding.unboundAt) {
      deps.logger.info({ bindingId }, "binding gone, paused, unbound or the module is off; comments skipped");
      return;
    }
    const clickup = deps.clickup(deps.sealer.open(ctx.connection.tokenSealed));
    const result = await backfillComments(
      { sql, clickup, logger: deps.logger, now: deps.now, signal: helpers.abortSignal },
      bindingId,
    );
    if (result.status === "not_ready") {
      const waits = (payload.waits ?? 0) + 1;
      if (waits > NOT_READY_WAITS) {
        deps.logger.warn(
          { bindingId },
          "flow facts still not rebuilt; comments pass given up until the next backfill",
        );
        return;
      }
      const { channelId, messageTs, summary } = payload;
      const message =
        channelId && messageTs && summary !== undefined ? { channelId, messageTs, summary } : undefined;
      await enqueueCommentsBackfill(sql, bindingId, message, { delayMs: NOT_READY_DELAY_MS, waits });
      return;
    }
    if (deps.slack && payload.channelId && payload.messageTs && payload.summary !== undefined) {
      const text = commentsDoneText(payload.summary, result);
      await deps.slack.chat
        .update({ channel: payload.channelId, ts: payload.messageTs, text })
        .catch((err: unknown) =>
          deps.logger.warn({ err, bindingId }, "could not finish the backfill progress message"),
        );
    }
  };
}
