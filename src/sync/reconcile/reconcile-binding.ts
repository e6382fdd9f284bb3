import type { WebClient } from "@slack/web-api";
import { isClickUpError } from "../../clickup/clickup-error.ts";
import type { ClickUpClient } from "../../clickup/create-clickup-client.ts";
import type { ClickUpTimeInStatus } from "../../clickup/schemas.ts";
import type { Database } from "../../db/connect-database.ts";
import type { Logger } from "../../log/create-logger.ts";
import { containerTaskQuery } from "../backfill/container-query.ts";
import { loadBindingContext } from "../backfill/load-binding-context.ts";
import { PERMANENT_CODES } from "../backfill/record-outcome.ts";
import { loadFieldDefinitions } from "../task-fields/index.ts";
import { applyKnownTask, loadCases, needsWork, startTracking, type TaskOutcome } from "./apply-task.ts";
import { stopBindings } from "./stop-bindings.ts";
import { findVanished, settleVanished, type VanishedOutcome } from "./vanished.ts";

/** How far before the high-water mark a pull starts: ClickUp's clock, indexing lag, the mark's own task. */
export const RECONCILE_OVERLAP_MS = 2 * 60_000;
/** getTask look-ups for missing tasks per run; more wait for the next run. */
const MAX_VANISHED_LOOKUPS = 100;

export interface ReconcileDeps {
  database: Database;
  /** A client for the binding's connection token. */
  clickup: ClickUpClient;
  logger: Logger;
  /** Milliseconds since the epoch. */
  now: () => number;
  /** Where a binding stopped by ClickUp is announced (its project channel); optional. */
  slack?: WebClient;
  signal?: AbortSignal;
}

export interface ReconcileOptions {
  /** Pull the whole container, not only what changed since the mark; finds deleted and moved-out tasks. */
  sweep?: boolean;
}

type ReconcileCounts = Record<TaskOutcome | VanishedOutcome, number> & { seen: number };

export type ReconcileResult =
  | { status: "skipped"; reason: string }
  | { status: "done"; sweep: boolean; counts: ReconcileCounts; highWaterMark: Date | null }
  | { status: "error"; code: string; reason: string };

const PASSES = ["active", "archived"] as const;

/**
 * Repairs what webhooks missed for one binding: pulls the tasks ClickUp changed since the binding's
 * high-water mark (minus an overlap), or all of them on a sweep, page by page; records a status that
 * differs from the timeline's last one as an inferred transition, starts tracking unknown tasks, and
 * settles tracked tasks that should have come back but did not (deleted or moved out). Advances the
 * mark only after the whole pull, so a failed run repeats rather than skips. Running it twice changes
 * nothing the second time.
 */
export async function reconcileBinding(
  deps: ReconcileDeps,
  bindingId: number,
  options: ReconcileOptions = {},
): Promise<ReconcileResult> {
  const { database, clickup, signal } = deps;
  const { sql } = database;
  const ctx = await loadBindingContext(database.db, bindingId);
  if (!ctx) return { status: "skipped", reason: "the binding or its ClickUp connection is gone" };
  const { binding, connection } = ctx;
  if (!connection.moduleEnabled) return { status: "skipped", reason: "the ClickUp module is off" };
  if (binding.unboundAt) return { status: "skipped", reason: "the binding is unbound" };
  if (binding.syncStatus !== "synced")
    return { status: "skipped", reason: `the binding is ${binding.syncStatus.replace("_", " ")}` };

  const log = deps.logger.child({ bindingId, container: `${binding.containerType}:${binding.containerId}` });
  const sweep = options.sweep === true || binding.highWaterMark === null;
  const since = sweep ? null : new Date(binding.highWaterMark!.getTime() - RECONCILE_OVERLAP_MS);
  const counts: ReconcileCounts = {
    seen: 0,
    unchanged: 0,
    updated: 0,
    inferred: 0,
    restored: 0,
    started: 0,
    stale: 0,
    deferred: 0,
    deleted: 0,
    untracked: 0,
  };
  const seen = new Set<string>();
  let newest = 0;
  let timingsOff = false;
  let keepBefore = Number.POSITIVE_INFINITY;
  // For options a task payload leaves out; read from the cache (the backfill refreshes it), no request.
  const definitions = await loadFieldDefinitions(database.db, bindingId);

  try {
    for (const pass of PASSES) {
      const query = {
        ...containerTaskQuery(binding.containerType, binding.containerId, pass, 0),
        ...(since ? { dateUpdatedGt: since.getTime() } : {}),
      };
      for await (const page of clickup.teamTasksPages(connection.clickupTeamId, query, { signal })) {
        const tasks = [...new Map(page.map((t) => [t.id, t])).values()].filter((t) => !seen.has(t.id));
        for (const t of tasks) {
          seen.add(t.id);
          newest = Math.max(newest, t.date_updated);
        }
        counts.seen += tasks.length;
        const cases = await loadCases(
          sql,
          bindingId,
          tasks.map((t) => t.id),
        );
        const fresh = tasks.filter((t) => !cases.has(t.id));
        let timings: Record<string, ClickUpTimeInStatus> = {};
        if (fresh.length > 0 && !timingsOff) {
          try {
            timings = await clickup.bulkTimeInStatus(
              fresh.map((t) => t.id),
              { signal },
            );
          } catch (err) {
            if (!isClickUpError(err, "clickapp_disabled")) throw err;
            timingsOff = true;
          }
        }
        for (const task of tasks) {
          signal?.throwIfAborted();
          const kase = cases.get(task.id);
          const outcome: TaskOutcome = !kase
            ? await startTracking(sql, bindingId, task, timings[task.id], definitions)
            : needsWork(kase, task, definitions)
              ? await applyKnownTask(sql, bindingId, task, definitions)
              : "unchanged";
          counts[outcome] += 1;
          // The next run must see a deferred task again, so the mark stays at or before it.
          if (outcome === "deferred") keepBefore = Math.min(keepBefore, task.date_updated);
        }
      }
    }

    const missing = await findVanished(sql, bindingId, seen, since, MAX_VANISHED_LOOKUPS);
    for (const kase of missing) {
      signal?.throwIfAborted();
      const outcome = await settleVanished(
        { sql, clickup, now: deps.now, signal, definitions },
        binding,
        kase,
      );
      counts[outcome] += 1;
    }
    if (missing.length === MAX_VANISHED_LOOKUPS)
      log.warn(
        { limit: MAX_VANISHED_LOOKUPS },
        "more missing tasks than one run looks up; the rest next run",
      );
  } catch (err) {
    if (!isClickUpError(err) || !PERMANENT_CODES.has(err.code)) throw err;
    const stopped = await stopBindings(
      { sql, logger: log, slack: deps.slack, now: deps.now },
      { bindingId, slackTeamId: ctx.slackTeamId, err },
    );
    return {
      status: "error",
      code: err.code,
      reason: stopped.length > 0 ? `Sync of ${binding.containerPath} stopped: ${err.message}` : err.message,
    };
  }

  const mark = Math.min(newest, keepBefore);
  const [marked] = await sql<{ highWaterMark: Date | null }[]>`
    update bindings set
      high_water_mark = greatest(high_water_mark, ${mark > 0 ? new Date(mark) : null}::timestamptz),
      last_synced_at = ${new Date(deps.now())}
    where id = ${bindingId}
    returning high_water_mark as "highWaterMark"`;
  const changed = counts.inferred + counts.started + counts.restored + counts.deleted + counts.untracked;
  log[changed > 0 ? "info" : "debug"]({ sweep, since, ...counts }, "reconcile done");
  return { status: "done", sweep, counts, highWaterMark: marked?.highWaterMark ?? null };
}
