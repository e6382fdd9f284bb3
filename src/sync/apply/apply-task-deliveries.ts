import type { Sql, TransactionSql } from "postgres";
import { type ClickUpClient, type ClickUpTask, isClickUpError } from "../../clickup/index.ts";
import type { Sealer } from "../../crypto/sealer.ts";
import { deferFlowRebuild } from "../../flow/metrics/deferred-rebuild.ts";
import type { FlowStage } from "../../flow/stage-mapping.ts";
import type { Logger } from "../../log/create-logger.ts";
import { caseRow } from "../backfill/case-values.ts";
import { applyCommentItems, redactCommentText } from "../comments/apply-comment-items.ts";
import { recordForLockedCase, type TransitionInput } from "../timeline/record-transition.ts";
import { overridesMap } from "../timeline/rework.ts";
import { applyFieldItems } from "./apply-field-items.ts";
import { byHistoryOrder } from "./history-order.ts";
import {
  type Assignee,
  type DeliveryItem,
  type ListLocation,
  parseDelivery,
  type TaskChange,
} from "./parse-delivery.ts";

export type ApplyDeps = {
  sql: Sql;
  logger: Logger;
  now: () => number;
  sealer: Sealer;
  clickup: (token: string) => ClickUpClient;
  signal?: AbortSignal;
};

export type ApplyResult = {
  /** Pending deliveries found for the task. */
  deliveries: number;
  applied: number;
  /** No active binding uses the delivering webhook any more (paused or unbound since it arrived). */
  dropped: number;
  /** Nothing flowbot uses in them (no readable history item, e.g. a body it cannot parse). */
  ignored: number;
  /** Left pending: ClickUp refused the connection's token; a later run or reconcile picks them up. */
  leftPending: number;
  transitions: number;
};

/** What an apply job passes on of the worker's dependencies (JobDeps has them all). */
export function applyDepsOf(
  deps: { database: { sql: Sql } } & Omit<ApplyDeps, "sql" | "signal">,
  signal?: AbortSignal,
): ApplyDeps {
  return {
    sql: deps.database.sql,
    logger: deps.logger,
    now: deps.now,
    sealer: deps.sealer,
    clickup: deps.clickup,
    signal,
  };
}

type Target = {
  bindingId: number;
  webhookId: string;
  containerType: "space" | "folder" | "list";
  containerId: string;
  connectionId: number;
  tokenSealed: string;
  slackTeamId: string;
  containerPath: string;
};

type CaseRow = {
  id: number;
  dateUpdated: Date;
  overrides: { statusKey: string; statusName: string; stage: FlowStage }[];
};

type Pending = {
  id: number;
  webhookId: string;
  event: string;
  changes: TaskChange[];
  items: DeliveryItem[];
  unreadable: number;
};

/** ClickUp refusals that mean the connection's token cannot read the task: no retry helps. */
const TOKEN_REFUSED = new Set(["token_invalid", "not_authorized"]);

/**
 * Applies every pending delivery for one ClickUp task, in one transaction under a per-task advisory
 * lock (so two jobs for a task never interleave): status items become transitions (src/sync/timeline),
 * moves/renames/assignee changes/deletion update the task's tracked case under each active binding the
 * delivering webhook serves, tag/priority/custom field items its kept fields and every item its last
 * activity (apply-field-items.ts), and the deliveries are marked. Any other failure — ClickUp rate-limited or
 * down, the process killed — rolls it all back and the job's retry applies everything exactly once.
 */
export async function applyTaskDeliveries(
  deps: ApplyDeps,
  taskId: string,
  /** Only these of its pending deliveries (to isolate one that cannot be applied); all when omitted. */
  only?: readonly number[],
): Promise<ApplyResult> {
  return deps.sql.begin(async (tx) => {
    // One round trip: postgres.js pipelines these, and Postgres runs them in order, so both reads
    // happen under the lock.
    // The case's flow facts are rebuilt by the rebuild-flow-facts job the apply job queues, in bulk:
    // a task changed by ten deliveries is rebuilt once, not ten times, and not on this job's clock.
    // The commit need not wait for its WAL flush: the deliveries it marks applied are in the same
    // transaction, so a crash that loses it leaves them pending and they are applied again (the
    // reconcile fan-out re-queues them). Not waiting keeps the WAL free for the webhook route's
    // commits, which must be flushed before ClickUp hears 200.
    const [, , , rows, targets] = await Promise.all([
      tx`select pg_advisory_xact_lock(hashtextextended(${`flowbot:apply-task:${taskId}`}, 0))`,
      deferFlowRebuild(tx),
      tx`select set_config('synchronous_commit', 'off', true)`,
      tx<{ id: number; webhookId: string; body: unknown }[]>`
        select id::int as id, webhook_id as "webhookId", body from webhook_deliveries
        where task_id = ${taskId} and outcome = 'pending'
          and (${only === undefined}::boolean or id = any(${(only ?? []) as number[]}::bigint[]))
        order by id`,
      tx<Target[]>`
        select b.id::int as "bindingId", b.webhook_id as "webhookId", b.container_type as "containerType",
          b.container_id as "containerId", b.container_path as "containerPath", c.id::int as "connectionId",
          c.token_sealed as "tokenSealed", p.slack_team_id as "slackTeamId"
        from bindings b
        join projects p on p.id = b.project_id
        join connections c on c.slack_team_id = p.slack_team_id
        where b.webhook_id in (
            select webhook_id from webhook_deliveries where task_id = ${taskId} and outcome = 'pending')
          and b.unbound_at is null and b.sync_status <> 'paused' and c.module_enabled
        order by b.id`,
    ]);
    const result: ApplyResult = {
      deliveries: rows.length,
      applied: 0,
      dropped: 0,
      ignored: 0,
      leftPending: 0,
      transitions: 0,
    };
    if (rows.length === 0) return result;

    const pending: Pending[] = rows.map((r) => ({
      id: r.id,
      webhookId: r.webhookId,
      ...parseDelivery(typeof r.body === "string" ? JSON.parse(r.body) : r.body),
    }));
    for (const p of pending) {
      // What was wrong, never the payload: it may hold a comment's text.
      if (p.unreadable !== 0) {
        deps.logger.warn(
          { taskId, deliveryId: p.id, event: p.event, unreadableItems: p.unreadable },
          p.unreadable < 0
            ? "a stored ClickUp delivery is unreadable; it is ignored"
            : "skipped unreadable history items of a ClickUp delivery (no id or no usable date)",
        );
      }
    }
    const webhookIds = [...new Set(pending.map((p) => p.webhookId))];
    /** Deliveries marked in this run: their comment text goes (src/sync/comments). */
    const settled: number[] = [];

    const clients = new Map<number, ClickUpClient>();
    const clientFor = (t: Target) => {
      let client = clients.get(t.connectionId);
      if (!client) {
        client = deps.clickup(deps.sealer.open(t.tokenSealed));
        clients.set(t.connectionId, client);
      }
      return client;
    };
    const at = new Date(deps.now());

    for (const webhookId of webhookIds) {
      const group = pending.filter((p) => p.webhookId === webhookId);
      const ids = group.map((p) => p.id);
      const served = targets.filter((t) => t.webhookId === webhookId);
      if (served.length === 0) {
        await tx`update webhook_deliveries set outcome = 'dropped', applied_at = ${at} where id = any(${ids}::bigint[])`;
        result.dropped += ids.length;
        settled.push(...ids);
        continue;
      }
      const changes = group.flatMap((p) => p.changes);
      // taskTagUpdated and taskUpdated carry one item twice (docs/clickup.md §15.1): each item once.
      const items = [...new Map(group.flatMap((p) => p.items).map((i) => [i.itemId, i])).values()];
      // Any task event (not only taskCreated: its status item may have arrived as taskStatusUpdated, and
      // a task can first show up with any change) starts tracking a task the binding does not know yet.
      const startsTracking = group.some((p) => p.event.startsWith("task") && p.event !== "taskDeleted");
      let started = false;
      try {
        // A savepoint per webhook: a refused token leaves these deliveries pending without losing the rest.
        const recorded = await tx.savepoint(async (sp) => {
          let n = 0;
          for (const target of served) {
            const r = await applyToBinding(
              sp,
              deps,
              () => clientFor(target),
              target,
              taskId,
              changes,
              items,
              startsTracking,
            );
            n += r.transitions;
            started ||= r.started;
          }
          return n;
        });
        result.transitions += recorded;
      } catch (err) {
        if (!isClickUpError(err) || !TOKEN_REFUSED.has(err.code)) throw err;
        result.leftPending += ids.length;
        deps.logger.warn(
          { taskId, webhookId, code: err.code, request: err.request },
          "ClickUp refused the token while applying live updates; deliveries stay pending",
        );
        for (const target of served) await recordTokenRefused(tx, target, err.code, err.message, at);
        continue;
      }
      const used = group
        // Any readable item is used: at least as activity (a comment is, docs/flow-metrics.md §8.3).
        .filter((p) => p.changes.length > 0 || p.items.length > 0 || (started && p.event !== "taskDeleted"))
        .map((p) => p.id);
      await tx`
        update webhook_deliveries
        set outcome = (case when id = any(${used}::bigint[]) then 'applied' else 'ignored' end)::delivery_outcome,
          applied_at = ${at}
        where id = any(${ids}::bigint[])`;
      result.applied += used.length;
      result.ignored += ids.length - used.length;
      settled.push(...ids);
    }
    await redactCommentText(tx, settled);
    return result;
  });
}

/**
 * Applies the changes to the task's case under one binding: how many transitions were new, and
 * whether the task started being tracked here.
 */
async function applyToBinding(
  tx: TransactionSql,
  deps: ApplyDeps,
  /** Only a task this binding does not track yet is read from ClickUp: the token is opened then. */
  clickup: () => ClickUpClient,
  target: Target,
  taskId: string,
  changes: TaskChange[],
  items: DeliveryItem[],
  startsTracking: boolean,
): Promise<{ transitions: number; started: boolean }> {
  const none = { transitions: 0, started: false };
  const flow = changes.filter((c) => c.kind !== "deleted");
  const deleted = changes.some((c) => c.kind === "deleted");
  let kase = await loadCase(tx, target.bindingId, taskId);
  /** Non-status changes at or before this were already in the REST read the case was made from. */
  let restAsOf = Number.NEGATIVE_INFINITY;
  let started = false;
  if (!kase) {
    // Not tracked yet (a taskCreated, or a task this binding never saw): read it and start tracking it.
    // A deletion alone has nothing to start from.
    if (!startsTracking) return none;
    const task = await readTask(clickup(), taskId, deps.signal);
    if (!task) return none;
    const inside = contains(target, {
      listId: task.list.id,
      folderId: task.folder?.id ?? null,
      spaceId: task.space?.id ?? null,
    });
    // Moved out before we heard of it: its history here still counts, it is just no longer tracked.
    const leftUs = flow.some((c) => c.kind === "moved" && c.from !== null && contains(target, c.from));
    if (!inside && !leftUs) return none;
    await insertCase(tx, target.bindingId, task, inside);
    started = true;
    kase = (await loadCase(tx, target.bindingId, taskId))!;
    restAsOf = task.date_updated;
  }
  const caseId = kase.id;

  // In ClickUp's order (history item time), whatever order the deliveries came in.
  const ordered = [...flow].sort(byHistoryOrder);
  const transitions: TransitionInput[] = [];
  for (const change of ordered) {
    if (change.kind !== "status") continue;
    transitions.push({
      caseId,
      fromStatus: change.from?.name ?? null,
      fromType: change.from?.type ?? null,
      fromOrderindex: change.from?.orderindex ?? null,
      toStatus: change.to.name,
      toType: change.to.type ?? "custom",
      // -1 = unknown (a payload without orderindex): never read as a move backwards.
      toOrderindex: change.to.orderindex ?? -1,
      toStatusId: change.to.id,
      occurredAt: new Date(change.at),
      actorId: change.actor.id,
      actorName: change.actor.name,
      source: "webhook",
      historyItemId: change.itemId,
    });
  }
  const locked = { caseId, bindingId: target.bindingId, overrides: overridesMap(kase.overrides) };
  const recorded = (await recordForLockedCase(tx, locked, transitions)).filter((r) => r.inserted).length;
  for (const change of ordered) {
    if (change.kind === "status" || change.at <= restAsOf) continue;
    if (await newerApplied(tx, taskId, change)) continue;
    if (change.kind === "moved") {
      await tx`update tracked_cases set home_list_id = ${change.to.listId}, tracked = ${contains(target, change.to)}
        where id = ${caseId}`;
    } else if (change.kind === "name") {
      await tx`update tracked_cases set name = ${change.name} where id = ${caseId}`;
    } else {
      await updateAssignees(tx, caseId, change.kind, change.assignee);
    }
  }
  await applyFieldItems(tx, { caseId, bindingId: target.bindingId, taskId, items, restAsOf });
  // Comment items are scored on the case (docs/flow-metrics.md §14.4); a REST read holds no comments.
  await applyCommentItems(tx, caseId, items);
  if (deleted) {
    await tx`update tracked_cases set deleted_at = coalesce(deleted_at, ${new Date(deps.now())})
      where id = ${caseId}`;
  }
  return { transitions: recorded, started };
}

function contains(target: Target, where: ListLocation): boolean {
  if (target.containerType === "list") return where.listId === target.containerId;
  if (target.containerType === "folder") return where.folderId === target.containerId;
  return where.spaceId === target.containerId;
}

/** The task's case under the binding, locked, with its project's stage overrides. */
async function loadCase(tx: TransactionSql, bindingId: number, taskId: string): Promise<CaseRow | null> {
  const [row] = await tx<CaseRow[]>`
    select c.id::int as id, c.date_updated as "dateUpdated",
      coalesce((select json_agg(json_build_object('statusKey', o.status_key, 'statusName', o.status_name,
        'stage', o.stage)) from stage_overrides o where o.project_id = b.project_id), '[]') as overrides
    from tracked_cases c join bindings b on b.id = c.binding_id
    where c.binding_id = ${bindingId} and c.task_id = ${taskId}
    for update of c`;
  return row ?? null;
}

/** The task from ClickUp, or null when it no longer exists. Rate limits and outages throw (job retries). */
async function readTask(
  clickup: ClickUpClient,
  taskId: string,
  signal?: AbortSignal,
): Promise<ClickUpTask | null> {
  try {
    return await clickup.getTask(taskId, { signal });
  } catch (err) {
    if (isClickUpError(err, "not_found")) return null;
    throw err;
  }
}

/** Starts tracking the task under the binding (a backfill storing it at the same moment wins; no error). */
async function insertCase(tx: TransactionSql, bindingId: number, task: ClickUpTask, tracked: boolean) {
  await tx`insert into tracked_cases ${tx({ ...caseRow(tx, bindingId, task), tracked })}
    on conflict (binding_id, task_id) do nothing`;
}

/**
 * True when a later change of the same kind (for assignees: of the same person) was applied by an
 * earlier run: deliveries arrive in any order, and the newest must win.
 */
async function newerApplied(
  tx: TransactionSql,
  taskId: string,
  change: Extract<TaskChange, { at: number }>,
): Promise<boolean> {
  const fields =
    change.kind === "moved"
      ? ["section_moved"]
      : change.kind === "name"
        ? ["name"]
        : ["assignee_add", "assignee_rem"];
  const person =
    change.kind === "assignee_add" || change.kind === "assignee_rem" ? String(change.assignee.id) : null;
  const [row] = await tx`
    select 1 from webhook_deliveries d, jsonb_array_elements(d.body->'history_items') h
    where d.task_id = ${taskId} and d.outcome = 'applied' and h->>'field' = any(${fields}::text[])
      -- At most 18 digits: a longer "date" (a hostile payload) would overflow bigint and fail every run.
      and h->>'date' ~ '^[0-9]{1,18}$' and (h->>'date')::bigint > ${change.at}
      and (${person}::text is null or coalesce(h->'after'->>'id', h->'before'->>'id') = ${person}::text)
    limit 1`;
  return row !== undefined;
}

async function updateAssignees(
  tx: TransactionSql,
  caseId: number,
  kind: "assignee_add" | "assignee_rem",
  who: Assignee,
): Promise<void> {
  const [row] = await tx<
    { assignees: Assignee[] }[]
  >`select assignees from tracked_cases where id = ${caseId}`;
  const others = (row?.assignees ?? []).filter((a) => a.id !== who.id);
  const next = kind === "assignee_add" ? [...others, who] : others;
  await tx`update tracked_cases set assignees = ${tx.json(next)} where id = ${caseId}`;
}

async function recordTokenRefused(
  tx: TransactionSql,
  target: Target,
  code: string,
  reason: string,
  at: Date,
) {
  const message =
    `Live updates for ${target.containerPath} are waiting: ClickUp refused the connected token (${reason}). ` +
    "Reconnect with `/flow connect`; the waiting updates are applied on the next sync.";
  // One row per binding and problem while it lasts, not one per delivery.
  await tx`
    insert into sync_errors (slack_team_id, binding_id, code, message, occurred_at)
    select ${target.slackTeamId}, ${target.bindingId}, ${code}, ${message}, ${at}
    where not exists (
      select 1 from sync_errors where binding_id = ${target.bindingId} and code = ${code}
        and occurred_at > ${at}::timestamptz - interval '1 hour')`;
}
