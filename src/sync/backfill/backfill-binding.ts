import { type ClickUpError, isClickUpError } from "../../clickup/clickup-error.ts";
import type { ClickUpTask, ClickUpTimeInStatus } from "../../clickup/schemas.ts";
import { enqueueFlowRebuild } from "../../flow/metrics/deferred-rebuild.ts";
import type { Logger } from "../../log/create-logger.ts";
import type { FieldDefinition } from "../task-fields/index.ts";
import { commitPagesInOrder } from "./commit-pages-in-order.ts";
import { containerTaskQuery } from "./container-query.ts";
import { ensureWebhook } from "./ensure-webhook.ts";
import { type BindingContext, loadBindingContext } from "./load-binding-context.ts";
import { joinWarnings, NO_PUBLIC_URL_WARNING, TIMINGS_OFF_WARNING } from "./messages.ts";
import { markFailed, markSynced, PERMANENT_CODES } from "./record-outcome.ts";
import { refreshDefinitions } from "./refresh-definitions.ts";
import { storePage } from "./store-page.ts";
import type {
  BackfillCheckpoint,
  BackfillDeps,
  BackfillPass,
  BackfillPhase,
  BackfillProgress,
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
 * Task pages requested ahead of the one being stored on long containers: at the start of a run requests
 * are slower than the rate limit allows (cold connections and caches), and one page ahead leaves budget
 * unused.
 */
const PAGES_AHEAD = 2;

/** One run of the backfill: the binding, where it logs, and the progress it reports. */
interface Run {
  deps: BackfillDeps;
  ctx: BindingContext;
  log: Logger;
  progress: BackfillProgress;
  report(phase: BackfillPhase): void;
  queueFlowRebuild(): Promise<void>;
}

interface TaskPage {
  pass: BackfillPass;
  /** Page number within its pass, as ClickUp counts them. */
  page: number;
  tasks: ClickUpTask[];
}

interface PageTimings {
  /** Null when ClickUp gave none: the cases' stored timings are left as they were. */
  timings: Record<string, ClickUpTimeInStatus> | null;
  /** Set on the binding with the page; undefined leaves the binding's warning as it is. */
  warning: string | null | undefined;
}

interface PageExtras extends PageTimings {
  /** The binding's custom field definitions, to read the page's values with. */
  definitions: readonly FieldDefinition[];
}

/**
 * Pulls every task of a binding's container into tracked_cases and status_timings, page by page, and
 * makes sure a webhook keeps it live. Resumable: each page commits with a checkpoint, and a retried run
 * starts after it. Permanent ClickUp refusals put the binding in error and return; anything else throws
 * so the job is retried.
 */
export async function backfillBinding(deps: BackfillDeps, bindingId: number): Promise<BackfillResult> {
  const ctx = await loadBindingContext(deps.db, bindingId);
  if (!ctx) throw new Error(`binding ${bindingId} has no project or ClickUp connection`);
  const run = startRun(deps, ctx);
  try {
    const warning = await pullContainer(run);
    return await recordSynced(run, warning);
  } catch (err) {
    if (!isClickUpError(err) || !PERMANENT_CODES.has(err.code)) throw err;
    return await recordStopped(run, err);
  }
}

function startRun(deps: BackfillDeps, ctx: BindingContext): Run {
  const { binding } = ctx;
  const log = deps.logger.child({
    bindingId: binding.id,
    container: `${binding.containerType}:${binding.containerId}`,
  });
  const progress: BackfillProgress = { tasks: 0, pages: 0, requests: 0, phase: "webhook" };
  return {
    deps,
    ctx,
    log,
    progress,
    report(phase) {
      progress.phase = phase;
      deps.onProgress?.({ ...progress });
    },
    // Not being able to queue it loses nothing: the cases stay listed, and the reconcile fan-out queues it.
    queueFlowRebuild: () =>
      enqueueFlowRebuild(deps.sql).catch((err: unknown) =>
        log.warn({ err }, "could not queue the flow facts rebuild; the next reconcile fan-out will"),
      ),
  };
}

/**
 * Every page of both passes from the checkpoint on, each committed with its time in status and the
 * checkpoint, while the webhook is registered and the custom field definitions and task types are read
 * alongside (refresh-definitions.ts). Resolves to the binding's warning.
 */
async function pullContainer(run: Run): Promise<string | null> {
  run.report("webhook");
  const webhook = startWebhook(run);
  // Two requests per run, started with the first page rather than before it (they need nothing from it).
  const definitions = refreshDefinitions(run.deps, run.ctx, run.progress, run.log);
  run.report("tasks");
  const timeInStatus = timeInStatusReader(run, webhook.warning);
  try {
    await commitPagesInOrder<TaskPage, PageExtras>({
      pages: readTaskPages(run),
      fetch: async (page) => {
        definitions.saw(page.tasks);
        const [timings, forPages] = await Promise.all([timeInStatus.read(page.tasks), definitions.forPages]);
        return { ...timings, definitions: forPages };
      },
      commit: (page, { timings, warning, definitions: known }, inTurn) =>
        storePage(run.deps.sql, {
          bindingId: run.ctx.binding.id,
          tasks: page.tasks,
          timings,
          definitions: known,
          checkpoint: { pass: page.pass, page: page.page },
          warning,
          beforeCheckpoint: inTurn,
        }),
      committed: (page) => pageCommitted(run, page),
      commitsAtOnce: STORES_IN_FLIGHT,
      waiting: PAGES_WAITING,
      // A task on two pages written at once (pages shift while ClickUp is paged through) could have the
      // earlier page's transaction wait for the later one's row lock while the later waits for the
      // earlier to commit; sharing a task, the later page waits for the earlier to commit first.
      keys: (page) => page.tasks.map((t) => t.id),
      // Until one answer has told whether the ClickApp is on, one page's time in status at a time: with
      // it off, the workspace is asked once, not once per page.
      firstFetchAlone: true,
      signal: run.deps.signal,
    });
    await webhook.done;
    await definitions.save();
  } finally {
    // A failed page must not leave the webhook registration running.
    await webhook.done?.catch(() => {});
    // Whatever the outcome, the committed pages' flow facts get rebuilt. Should this fail, they stay
    // listed for the next job (the reconcile fan-out queues one too).
    await run.queueFlowRebuild();
  }
  return joinWarnings([timeInStatus.isOff() ? TIMINGS_OFF_WARNING : null, webhook.warning]);
}

/**
 * Registers (or re-checks) the binding's webhook while the first pages come in: it needs nothing from
 * them, and waiting out its round trips first would leave the token's budget idle at the start.
 */
function startWebhook(run: Run): { done: Promise<void> | null; warning: string | null } {
  const { deps, ctx, progress } = run;
  if (!deps.publicUrl) {
    run.log.warn("PUBLIC_URL is not set; no ClickUp webhook registered");
    return { done: null, warning: NO_PUBLIC_URL_WARNING };
  }
  const done = ensureWebhook({
    db: deps.db,
    clickup: deps.clickup,
    sealer: deps.sealer,
    signal: deps.signal,
    now: deps.now,
    publicUrl: deps.publicUrl,
    bindingId: ctx.binding.id,
    currentWebhookId: ctx.binding.webhookId,
    connectionId: ctx.connection.id,
    teamId: ctx.connection.clickupTeamId,
    containerType: ctx.binding.containerType,
    containerId: ctx.binding.containerId,
  }).then(() => {
    progress.requests += 2; // list + create/update, roughly
  });
  done.catch(() => {}); // awaited after the pages; this only keeps an early failure from going unhandled
  return { done, warning: null };
}

/** The container's task pages, live tasks first and then archived ones, from the page after the checkpoint. */
async function* readTaskPages(run: Run): AsyncGenerator<TaskPage> {
  const { deps, ctx, progress } = run;
  const checkpoint = ctx.binding.backfillCheckpoint as BackfillCheckpoint | null;
  const resumeFrom = checkpoint ? Math.max(0, PASSES.indexOf(checkpoint.pass)) : 0;
  for (const pass of PASSES.slice(resumeFrom)) {
    const startPage = checkpoint?.pass === pass ? checkpoint.page + 1 : 0;
    if (startPage > 0) run.log.info({ pass, startPage }, "resuming backfill");
    const query = containerTaskQuery(ctx.binding.containerType, ctx.binding.containerId, pass, startPage);
    const pages = deps.clickup.teamTasksPages(ctx.connection.clickupTeamId, query, {
      signal: deps.signal,
      ahead: PAGES_AHEAD,
    });
    let page = startPage;
    for await (const tasks of pages) {
      progress.requests += 1;
      yield { pass, page, tasks };
      page += 1;
    }
    // A pass that yielded nothing still took one request (its empty first page).
    if (page === startPage) progress.requests += 1;
  }
}

/**
 * Each page's time in status. Once ClickUp says the "Total time in Status" ClickApp is off, later pages
 * skip the request, and the first page told carries the warning.
 */
function timeInStatusReader(run: Run, webhookWarning: string | null) {
  const { deps, progress } = run;
  let off = false;

  function refused(err: unknown): PageTimings {
    if (!isClickUpError(err, "clickapp_disabled")) throw err;
    progress.requests += 1;
    // Pages asked before this answer came get the same answer; warn once.
    if (off) return { timings: null, warning: undefined };
    off = true;
    run.log.warn("time in status unavailable; continuing without timings");
    return { timings: null, warning: joinWarnings([TIMINGS_OFF_WARNING, webhookWarning]) };
  }

  return {
    isOff: () => off,
    read(tasks: ClickUpTask[]): Promise<PageTimings> {
      if (off) return Promise.resolve({ timings: null, warning: undefined });
      const ids = tasks.map((t) => t.id);
      return deps.clickup.bulkTimeInStatus(ids, { signal: deps.signal }).then((timings) => {
        progress.requests += 1;
        return { timings, warning: undefined };
      }, refused);
    },
  };
}

async function pageCommitted(run: Run, page: TaskPage) {
  run.progress.tasks += page.tasks.length;
  run.progress.pages += 1;
  run.report("tasks");
  if (run.progress.pages % REBUILD_EVERY_PAGES === 0) await run.queueFlowRebuild();
}

async function recordSynced(run: Run, warning: string | null): Promise<BackfillResult> {
  const { deps, ctx, progress } = run;
  await markSynced(deps.db, ctx.binding.id, new Date(deps.now()), warning);
  run.report("done");
  run.log.info({ tasks: progress.tasks, pages: progress.pages }, "backfill done");
  return {
    status: "synced",
    tasks: progress.tasks,
    pages: progress.pages,
    requests: progress.requests,
    warning,
  };
}

async function recordStopped(run: Run, err: ClickUpError): Promise<BackfillResult> {
  const { deps, ctx } = run;
  const reason = `Sync of ${ctx.binding.containerPath} stopped: ${err.message}`;
  await markFailed(deps.db, {
    bindingId: ctx.binding.id,
    slackTeamId: ctx.slackTeamId,
    code: err.code,
    reason,
    at: new Date(deps.now()),
  });
  run.log.warn({ code: err.code, request: err.request }, "backfill stopped by a permanent ClickUp error");
  return { status: "error", code: err.code, reason };
}
