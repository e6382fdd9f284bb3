import type { Task } from "graphile-worker";
import { enqueuePeopleSync } from "../src/people/sync-people.ts";
import { backfillBinding } from "../src/sync/backfill/backfill-binding.ts";
import { loadBindingContext } from "../src/sync/backfill/load-binding-context.ts";
import { backfillProgressMessage } from "../src/sync/backfill-progress-message.ts";
import { enqueueCommentsBackfill } from "../src/sync/comments/enqueue-comments-backfill.ts";
import { estimateContainerTasks } from "../src/sync/estimate-container-tasks.ts";
import { parseJobPayload } from "../src/worker/job-catalog.ts";
import type { JobDeps } from "../src/worker/job-deps.ts";

/**
 * backfill-binding — pulls a binding's whole container from ClickUp (src/sync/backfill).
 * Queued by src/sync/enqueue-backfill.ts (job key per binding, replacing a waiting one), so a binding has
 * at most one pending backfill. A retried attempt resumes from
 * the binding's checkpoint; permanent ClickUp errors end the job without a retry (the binding shows them).
 * A backfill that is done queues the binding's comments pass (jobs/backfill-comments.ts).
 */
export default function backfillBindingJob(deps: JobDeps): Task<"backfill-binding"> {
  return async (raw, helpers) => {
    const { bindingId, channelId, userId } = parseJobPayload("backfill-binding", raw);
    const { db, sql } = deps.database;
    const ctx = await loadBindingContext(db, bindingId);
    if (!ctx) {
      deps.logger.info({ bindingId }, "binding or its connection is gone; nothing to backfill");
      return;
    }
    // Module off, paused or unbound: data is kept and nothing syncs (resume re-enqueues).
    if (!ctx.connection.moduleEnabled || ctx.binding.syncStatus === "paused" || ctx.binding.unboundAt) {
      deps.logger.info({ bindingId }, "binding is paused, unbound or the module is off; backfill skipped");
      return;
    }
    const clickup = deps.clickup(deps.sealer.open(ctx.connection.tokenSealed));
    const expectedTasks =
      deps.slack && channelId
        ? await estimateContainerTasks(
            clickup,
            { type: ctx.binding.containerType, id: ctx.binding.containerId },
            helpers.abortSignal,
          )
        : undefined;
    const message =
      deps.slack && channelId && userId
        ? backfillProgressMessage({
            expectedTasks,
            slack: deps.slack,
            channelId,
            userId,
            label: ctx.binding.containerPath,
            clickup,
            logger: deps.logger,
            now: deps.now,
          })
        : undefined;
    await message?.start();
    const result = await backfillBinding(
      {
        db,
        sql,
        clickup,
        logger: deps.logger,
        now: deps.now,
        publicUrl: deps.config.publicUrl,
        sealer: deps.sealer,
        signal: helpers.abortSignal,
        onProgress: (p) => void message?.progress(p),
      },
      bindingId,
    );
    // The comments pass runs after the status backfill, as its own job (docs/flow-metrics.md §14.4).
    const commentsQueued = result.status === "synced";
    const finished = await message?.finish(result, { commentsQueued });
    if (commentsQueued) {
      await enqueueCommentsBackfill(
        sql,
        bindingId,
        channelId && finished?.ts
          ? { channelId, messageTs: finished.ts, summary: finished.summary }
          : undefined,
      );
    }
    // The new tasks' time entries and the goals linked to them (docs/clickup.md §18, §19).
    if (result.status === "synced") await enqueuePeopleSync(sql, ctx.connection.id);
  };
}
