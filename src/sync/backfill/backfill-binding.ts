import { isClickUpError } from "../../clickup/clickup-error.ts";
import type { ClickUpTimeInStatus } from "../../clickup/schemas.ts";
import { containerTaskQuery } from "./container-query.ts";
import { ensureWebhook } from "./ensure-webhook.ts";
import { loadBindingContext } from "./load-binding-context.ts";
import { joinWarnings, NO_PUBLIC_URL_WARNING, TIMINGS_OFF_WARNING } from "./messages.ts";
import { markFailed, markSynced, PERMANENT_CODES } from "./record-outcome.ts";
import { storePage } from "./store-page.ts";
import type {
  BackfillCheckpoint,
  BackfillDeps,
  BackfillOptions,
  BackfillPass,
  BackfillPhase,
  BackfillResult,
} from "./types.ts";

const PASSES: BackfillPass[] = ["active", "archived"];

/**
 * Pulls every task of a binding's container into tracked_cases and status_timings, page by page, and
 * makes sure a webhook keeps it live. Resumable: each page commits with a checkpoint, and a retried run
 * starts after it. Permanent ClickUp refusals put the binding in error and return; anything else throws
 * so the job is retried.
 */
export async function backfillBinding(
  deps: BackfillDeps,
  bindingId: number,
  _options: BackfillOptions = {},
): Promise<BackfillResult> {
  const { db, clickup, logger, signal } = deps;
  const ctx = await loadBindingContext(db, bindingId);
  if (!ctx) throw new Error(`binding ${bindingId} has no project or ClickUp connection`);
  const { binding, connection } = ctx;
  const log = logger.child({ bindingId, container: `${binding.containerType}:${binding.containerId}` });
  const progress = { tasks: 0, pages: 0, requests: 0, phase: "webhook" as BackfillPhase };
  const report = (phase: BackfillPhase) => {
    progress.phase = phase;
    deps.onProgress?.({ ...progress });
  };

  try {
    let webhookWarning: string | null = null;
    let webhook: Promise<void> | null = null;
    report("webhook");
    if (deps.publicUrl) {
      // Registered while the first pages come in: it needs nothing from them, and waiting out its round
      // trips first would leave the token's budget idle at the start.
      webhook = ensureWebhook({
        db,
        clickup,
        sealer: deps.sealer,
        signal,
        now: deps.now,
        publicUrl: deps.publicUrl,
        bindingId,
        currentWebhookId: binding.webhookId,
        connectionId: connection.id,
        teamId: connection.clickupTeamId,
        containerType: binding.containerType,
        containerId: binding.containerId,
      }).then(() => {
        progress.requests += 2; // list + create/update, roughly
      });
      webhook.catch(() => {}); // observed below; this only keeps an early failure from going unhandled
    } else {
      webhookWarning = NO_PUBLIC_URL_WARNING;
      log.warn("PUBLIC_URL is not set; no ClickUp webhook registered");
    }

    report("tasks");
    const checkpoint = binding.backfillCheckpoint as BackfillCheckpoint | null;
    const resumeFrom = checkpoint ? PASSES.indexOf(checkpoint.pass) : 0;
    let timingsOff = false;
    // Storing a page overlaps fetching the next one (and its timings), so a backfill goes as fast as
    // the slower of ClickUp and Postgres rather than their sum. Stores stay strictly in page order,
    // so the checkpoint only ever moves forward over pages that are committed.
    let storing: Promise<void> | null = null;
    try {
      for (const [passIndex, pass] of PASSES.entries()) {
        if (passIndex < resumeFrom) continue;
        const startPage = checkpoint?.pass === pass ? checkpoint.page + 1 : 0;
        if (startPage > 0) log.info({ pass, startPage }, "resuming backfill");
        const query = containerTaskQuery(binding.containerType, binding.containerId, pass, startPage);
        let page = startPage - 1;
        let lastSize = 0;
        // The next page is requested while this page's time in status is fetched and stored.
        const pages = clickup.teamTasksPages(connection.clickupTeamId, query, { signal });
        let upcoming = pages.next();
        upcoming.catch(() => {}); // observed below; this only keeps an early failure from going unhandled
        for (;;) {
          const current = await upcoming;
          if (current.done) break;
          const tasks = current.value;
          upcoming = pages.next();
          upcoming.catch(() => {});
          page += 1;
          lastSize = tasks.length;
          progress.requests += 1;
          let timings: Record<string, ClickUpTimeInStatus> | null = null;
          let warning: string | null | undefined;
          if (!timingsOff) {
            try {
              timings = await clickup.bulkTimeInStatus(
                tasks.map((t) => t.id),
                { signal },
              );
              progress.requests += 1;
            } catch (err) {
              if (!isClickUpError(err, "clickapp_disabled")) throw err;
              progress.requests += 1;
              timingsOff = true;
              warning = joinWarnings([TIMINGS_OFF_WARNING, webhookWarning]);
              log.warn("time in status unavailable; continuing without timings");
            }
          }
          await storing;
          signal?.throwIfAborted();
          const checkpointed = { pass, page };
          storing = storePage(db, { bindingId, tasks, timings, checkpoint: checkpointed, warning }).then(
            () => {
              progress.tasks += tasks.length;
              progress.pages += 1;
              report("tasks");
            },
          );
        }
        // A full last page needs one more (empty) request to end the stream, unless ClickUp said last_page.
        if (lastSize === 0) progress.requests += 1;
      }
      await storing;
      await webhook;
    } finally {
      // A failed fetch must not leave a store or the webhook registration running.
      await storing?.catch(() => {});
      await webhook?.catch(() => {});
    }

    const warning = joinWarnings([timingsOff ? TIMINGS_OFF_WARNING : null, webhookWarning]);
    await markSynced(db, bindingId, new Date(deps.now()), warning);
    report("done");
    log.info({ tasks: progress.tasks, pages: progress.pages }, "backfill done");
    return {
      status: "synced",
      tasks: progress.tasks,
      pages: progress.pages,
      requests: progress.requests,
      warning,
    };
  } catch (err) {
    if (!isClickUpError(err) || !PERMANENT_CODES.has(err.code)) throw err;
    const reason = `Sync of ${binding.containerPath} stopped: ${err.message}`;
    await markFailed(db, {
      bindingId,
      slackTeamId: ctx.slackTeamId,
      code: err.code,
      reason,
      at: new Date(deps.now()),
    });
    log.warn({ code: err.code, request: err.request }, "backfill stopped by a permanent ClickUp error");
    return { status: "error", code: err.code, reason };
  }
}
