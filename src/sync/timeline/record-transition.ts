import type { TransactionSql } from "postgres";
import { classifyRework, loadStageOverrides, type ReworkKind } from "./rework.ts";
import { inTransaction, type SqlClient } from "./sql-client.ts";

/** One status change of a tracked case, as a webhook history item, reconcile or backfill saw it. */
export type TransitionInput = {
  caseId: number;
  /** null for a task's first status (creation: ClickUp's `before` is the "removed" pseudo-status). */
  fromStatus: string | null;
  fromType: string | null;
  fromOrderindex: number | null;
  toStatus: string;
  toType: string;
  toOrderindex: number;
  /** ClickUp's status id of the new status, when known (kept on the case). */
  toStatusId?: string | null;
  occurredAt: Date;
  actorId: number | null;
  actorName: string | null;
  source: "webhook" | "backfill" | "reconcile";
  /** True when the time is a guess (reconcile: the task's date_updated). */
  inferred?: boolean;
  /** ClickUp history item id; null for inferred transitions. */
  historyItemId: string | null;
};

export type RecordedTransition = {
  /** False when the transition was already recorded (a repeat), or the case is gone. */
  inserted: boolean;
  transitionId: number | null;
  /** True when the case's current status now is this transition's `to`. */
  becameCurrent: boolean;
  rework: ReworkKind | null;
};

/**
 * Records one transition idempotently: a repeat of a history item (or of an inferred transition with
 * the same case, status and time) changes nothing. The case's current status follows the newest
 * transition by `occurredAt` — not the last one applied — and never goes back behind what a REST read
 * of the task already showed (`date_updated`), so shuffled or late deliveries give the in-order result.
 * A transition that is rework (flow-metrics.md) gets its rework event. Runs in `sql`'s transaction, or
 * in its own; the case row is locked, so concurrent calls for one case serialise.
 */
export async function recordTransition(sql: SqlClient, input: TransitionInput): Promise<RecordedTransition> {
  return inTransaction(sql, (tx) => record(tx, input));
}

const NOT_RECORDED: RecordedTransition = {
  inserted: false,
  transitionId: null,
  becameCurrent: false,
  rework: null,
};

async function record(tx: TransactionSql, t: TransitionInput): Promise<RecordedTransition> {
  // The app's client is wrapped by drizzle, which turns postgres.js's date serializers off: send ISO text.
  const occurredAt = t.occurredAt.toISOString();
  const [kase] = await tx<{ bindingId: number; projectId: number }[]>`
    select c.binding_id::int as "bindingId", b.project_id::int as "projectId"
    from tracked_cases c join bindings b on b.id = c.binding_id
    where c.id = ${t.caseId}
    for update of c`;
  if (!kase) return NOT_RECORDED;

  if (t.historyItemId === null) {
    // Inferred transitions have no item id to dedupe on: the same change at the same time is a repeat.
    const [dup] = await tx`
      select 1 from status_transitions
      where case_id = ${t.caseId} and to_status = ${t.toStatus} and occurred_at = ${occurredAt}
        and from_status is not distinct from ${t.fromStatus}::text`;
    if (dup) return NOT_RECORDED;
  }
  const [row] = await tx<{ id: number }[]>`
    insert into status_transitions (case_id, binding_id, from_status, from_type, from_orderindex,
      to_status, to_type, to_orderindex, occurred_at, actor_id, actor_name, source, inferred, history_item_id)
    values (${t.caseId}, ${kase.bindingId}, ${t.fromStatus}, ${t.fromType}, ${t.fromOrderindex},
      ${t.toStatus}, ${t.toType}, ${t.toOrderindex}, ${occurredAt}, ${t.actorId}, ${t.actorName},
      ${t.source}, ${t.inferred ?? false}, ${t.historyItemId})
    on conflict (case_id, history_item_id) do nothing
    returning id::int as id`;
  if (!row) return NOT_RECORDED;

  const becameCurrent = await updateCurrentStatus(tx, t, occurredAt, row.id);

  const overrides = await loadStageOverrides(tx, kase.projectId);
  const from =
    t.fromStatus === null ? null : { name: t.fromStatus, type: t.fromType, orderindex: t.fromOrderindex };
  const rework = classifyRework(
    from,
    { name: t.toStatus, type: t.toType, orderindex: t.toOrderindex },
    overrides,
  );
  if (rework && t.fromStatus !== null) {
    await tx`
      insert into rework_events (case_id, binding_id, transition_id, kind, from_status, to_status,
        occurred_at, actor_id, actor_name)
      values (${t.caseId}, ${kase.bindingId}, ${row.id}, ${rework}, ${t.fromStatus}, ${t.toStatus},
        ${occurredAt}, ${t.actorId}, ${t.actorName})
      on conflict (transition_id) do nothing`;
  }
  return { inserted: true, transitionId: row.id, becameCurrent, rework };
}

/**
 * Moves the case to `t.toStatus` when this is its newest transition and it is not older than the
 * task state the case already shows (`date_updated`, which a REST read sets and this advances).
 */
async function updateCurrentStatus(
  tx: TransactionSql,
  t: TransitionInput,
  occurredAt: string,
  transitionId: number,
): Promise<boolean> {
  const isDone = t.toType === "done" || t.toType === "closed";
  const updated = await tx`
    update tracked_cases c set
      status_name = ${t.toStatus},
      status_type = ${t.toType},
      status_orderindex = ${t.toOrderindex},
      status_id = coalesce(${t.toStatusId ?? null}::text, case when c.status_name = ${t.toStatus} then c.status_id end),
      date_updated = greatest(c.date_updated, ${occurredAt}),
      date_done = case when ${isDone} then coalesce(c.date_done, ${occurredAt}) end,
      date_closed = case when ${t.toType === "closed"} then coalesce(c.date_closed, ${occurredAt}) end
    where c.id = ${t.caseId}
      and c.date_updated <= ${occurredAt}
      and not exists (
        select 1 from status_transitions s
        where s.case_id = ${t.caseId} and s.id <> ${transitionId}
          and (s.occurred_at > ${occurredAt} or (s.occurred_at = ${occurredAt} and s.id > ${transitionId})))
    returning c.id`;
  return updated.length > 0;
}
