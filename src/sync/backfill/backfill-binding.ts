import { isClickUpError } from "../../clickup/clickup-error.ts";
import type { ClickUpTimeInStatus } from "../../clickup/schemas.ts";
import { fifoSlots } from "../../concurrency/fifo-slots.ts";
import { enqueueFlowRebuild } from "../../flow/metrics/deferred-rebuild.ts";
import { containerTaskQuery } from "./container-query.ts";
import { ensureWebhook } from "./ensure-webhook.ts";
import { loadBindingContext } from "./load-binding-context.ts";
import { joinWarnings, NO_PUBLIC_URL_WARNING, TIMINGS_OFF_WARNING } from "./messages.ts";
import { markFailed, markSynced, PERMANENT_CODES } from "./record-outcome.ts";
import { storePage } from "./store-page.ts";
import type {
  BackfillCheckpoint,
  BackfillDeps,
  BackfillPass,
  BackfillPhase,
  BackfillResult,
} from "./types.ts";

const PASSES: BackfillPass[] = ["active", "archived"];
/** Pages written to Postgres at once (each in its own transaction, committed in page order). */
const STORES_IN_FLIGHT = 2;
/**
 * Pages fetched (with their time in status) and waiting for a store slot, beyond those being written:
 * a store slowed by a busy moment does not stop the requests, which the rate limit cannot give back.
 */
const PAGES_WAITING = 4;
/**
 * Pages store their cases' flow facts for later (store-page.ts): the rebuild-flow-facts job is queued
 * every this many committed pages, so a long backfill's numbers fill in as it goes, and when the run ends.
 */
const REBUILD_EVERY_PAGES = 10;

/**
 * Pulls every task of a binding's container into tracked_cases and status_timings, page by page, and
 * makes sure a webhook keeps it live. Resumable: each page commits with a checkpoint, and a retried run
 * starts after it. Permanent ClickUp refusals put the binding in error and return; anything else throws
 * so the job is retried.
 */
export async function backfillBinding(deps: BackfillDeps, bindingId: number): Promise<BackfillResult> {
  const { db, clickup, logger, signal } = deps;
  const ctx = await loadBindingContext(db, bindingId);
  if (!ctx) throw new Error(`binding ${bindingId} has no project or ClickUp connection`);
  const { binding, connection } = ctx;
  const log = logger.child({ bindingId, container: `${binding.containerType}:${binding.containerId}` });
  const progress = { tasks: 0, pages: 0, requests: 0, phase: "webhook" as BackfillPhase };
  // Not being able to queue it loses nothing: the cases stay listed, and the reconcile fan-out queues it.
  const queueFlowRebuild = () =>
    enqueueFlowRebuild(db.$client).catch((err: unknown) =>
      log.warn({ err }, "could not queue the flow facts rebuild; the next reconcile fan-out will"),
    );
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
    let timingsKnown = false;
    // Storing overlaps fetching: the next page is requested while this one's time in status is fetched
    // and stored, and up to STORES_IN_FLIGHT pages are written at once, each in its own transaction.
    // Commits stay strictly in page order: a page's transaction writes its rows, then waits for every
    // earlier page to be committed and reported before it sets the checkpoint and commits. So the
    // checkpoint only ever moves forward over committed pages, and a run stopped by an error, an abort
    // or a throwing onProgress rolls back the pages after the last reported one.
    let committed: Promise<void> = Promise.resolve();
    // A page that failed (its time in status, its store) fails every later one; stop asking ClickUp
    // for more as soon as it is known rather than when it reaches the front of the pages in flight.
    const failure: { seen: boolean; error?: unknown } = { seen: false };
    // Pages take store slots in page order (FIFO), so an earlier page always gets its slot before a
    // later one that would wait for it to commit.
    const slots = fifoSlots(STORES_IN_FLIGHT);
    const inFlight: { taskIds: Set<string>; done: Promise<void> }[] = [];
    const settleAll = () => Promise.allSettled(inFlight.map((s) => s.done));
    try {
      for (const [passIndex, pass] of PASSES.entries()) {
        if (passIndex < resumeFrom) continue;
        const startPage = checkpoint?.pass === pass ? checkpoint.page + 1 : 0;
        if (startPage > 0) log.info({ pass, startPage }, "resuming backfill");
        const query = containerTaskQuery(binding.containerType, binding.containerId, pass, startPage);
        let page = startPage - 1;
        let lastSize = 0;
        // Two pages ahead on long containers: at the start of a run, requests are slower than the
        // rate limit allows (cold connections and caches), and one page ahead left budget unused.
        const pages = clickup.teamTasksPages(connection.clickupTeamId, query, { signal, ahead: 2 });
        let upcoming = pages.next();
        upcoming.catch(() => {}); // observed below; this only keeps an early failure from going unhandled
        for (;;) {
          if (failure.seen) throw failure.error;
          const current = await upcoming;
          if (current.done) break;
          const tasks = current.value;
          upcoming = pages.next();
          upcoming.catch(() => {});
          page += 1;
          lastSize = tasks.length;
          progress.requests += 1;
          // At most STORES_IN_FLIGHT pages ahead of the last commit: bounds memory, and ClickUp is not
          // asked for more while Postgres is behind.
          while (inFlight.length >= STORES_IN_FLIGHT + PAGES_WAITING) await inFlight[0]!.done;
          // The page's time in status is asked now and awaited by its store: the loop goes on to the
          // next page meanwhile, so these requests overlap instead of queueing one after another.
          type PageTimings = {
            timings: Record<string, ClickUpTimeInStatus> | null;
            warning: string | null | undefined;
          };
          const timed: Promise<PageTimings> = timingsOff
            ? Promise.resolve({ timings: null, warning: undefined })
            : clickup
                .bulkTimeInStatus(
                  tasks.map((t) => t.id),
                  { signal },
                )
                .then(
                  (timings) => {
                    progress.requests += 1;
                    return { timings, warning: undefined };
                  },
                  (err: unknown) => {
                    if (!isClickUpError(err, "clickapp_disabled")) throw err;
                    progress.requests += 1;
                    // Pages asked before this answer came get the same answer; warn once.
                    const first = !timingsOff;
                    timingsOff = true;
                    if (first) log.warn("time in status unavailable; continuing without timings");
                    return {
                      timings: null,
                      warning: first ? joinWarnings([TIMINGS_OFF_WARNING, webhookWarning]) : undefined,
                    };
                  },
                );
          timed.catch(() => {}); // observed through the page's store
          // Until one answer has told whether the ClickApp is on, ask one page's at a time: with it
          // off, the workspace is asked once, not once per page.
          if (!timingsKnown) {
            await timed;
            timingsKnown = true;
          }
          signal?.throwIfAborted();
          const earlier = committed;
          const taskIds = new Set(tasks.map((t) => t.id));
          // A task on two pages written at once (pages shift while ClickUp is paged through) could have
          // the earlier page's transaction wait for the later one's row lock while the later waits for
          // the earlier to commit. A page sharing a task with a page in flight waits for it instead.
          const overlaps = inFlight.some((s) => tasks.some((t) => s.taskIds.has(t.id)));
          const checkpointed = { pass, page };
          // The slot is asked for now, in page order, and held while the page waits for an overlapping
          // page and for its timings: slots go to pages strictly in order, so an earlier page is never
          // left without one while later pages wait for it to commit.
          const stored = slots.run(async () => {
            if (overlaps) await earlier;
            const { timings, warning } = await timed;
            signal?.throwIfAborted();
            await storePage(db, {
              bindingId,
              tasks,
              timings,
              checkpoint: checkpointed,
              warning,
              beforeCheckpoint: async () => {
                await earlier;
                signal?.throwIfAborted();
              },
            });
          });
          committed = stored.then(async () => {
            progress.tasks += tasks.length;
            progress.pages += 1;
            report("tasks");
            if (progress.pages % REBUILD_EVERY_PAGES === 0) await queueFlowRebuild();
          });
          committed.catch((error: unknown) => {
            if (failure.seen) return;
            failure.seen = true;
            failure.error = error;
          });
          const entry = { taskIds, done: committed };
          inFlight.push(entry);
          entry.done.then(
            () => inFlight.splice(inFlight.indexOf(entry), 1),
            () => {}, // observed by the loop or at the end
          );
        }
        // A full last page needs one more (empty) request to end the stream, unless ClickUp said last_page.
        if (lastSize === 0) progress.requests += 1;
      }
      await committed;
      await webhook;
    } finally {
      // A failed fetch must not leave a store or the webhook registration running.
      await settleAll();
      await webhook?.catch(() => {});
      // Whatever the outcome, the committed pages' flow facts get rebuilt. Should this fail, they stay
      // listed for the next job (the reconcile fan-out queues one too).
      await queueFlowRebuild();
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
