import type { TransactionSql } from "postgres";
import type { FlowStage } from "../../flow/stage-mapping.ts";
import { classifyRework, loadStageOverrides, type ReworkKind } from "./rework.ts";
import { settleInferred } from "./settle-inferred.ts";
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
 * A transition that is rework (docs/flow-metrics.md §4.7) gets its rework event. Runs in `sql`'s transaction, or
 * in its own; the case row is locked, so concurrent calls for one case serialise.
 */
export async function recordTransition(sql: SqlClient, input: TransitionInput): Promise<RecordedTransition> {
  const [recorded] = await recordCaseTransitions(sql, input.caseId, [input]);
  return recorded ?? NOT_RECORDED;
}

/**
 * {@link recordTransition} for many transitions of one case at once (same rules, a few statements in
 * all): what the live-sync apply job uses for a task's batch of deliveries. Results follow `inputs`.
 */
export async function recordCaseTransitions(
  sql: SqlClient,
  caseId: number,
  inputs: readonly TransitionInput[],
): Promise<RecordedTransition[]> {
  if (inputs.some((t) => t.caseId !== caseId))
    throw new Error("recordCaseTransitions: every input must be for caseId");
  if (inputs.length === 0) return [];
  return inTransaction(sql, (tx) => record(tx, caseId, inputs));
}

const NOT_RECORDED: RecordedTransition = {
  inserted: false,
  transitionId: null,
  becameCurrent: false,
  rework: null,
};

type Inserted = { input: TransitionInput; id: number };

async function record(
  tx: TransactionSql,
  caseId: number,
  inputs: readonly TransitionInput[],
): Promise<RecordedTransition[]> {
  const [kase] = await tx<{ bindingId: number; projectId: number }[]>`
    select c.binding_id::int as "bindingId", b.project_id::int as "projectId"
    from tracked_cases c join bindings b on b.id = c.binding_id
    where c.id = ${caseId}
    for update of c`;
  if (!kase) return inputs.map(() => NOT_RECORDED);
  const overrides = await loadStageOverrides(tx, kase.projectId);
  return recordForLockedCase(tx, { caseId, bindingId: kase.bindingId, overrides }, inputs);
}

/** What {@link recordForLockedCase} needs to know about the case. */
export type LockedCase = { caseId: number; bindingId: number; overrides: ReadonlyMap<string, FlowStage> };

/**
 * {@link recordCaseTransitions} for a caller that already holds the case row's lock in `tx` and knows
 * its binding and its project's stage overrides (the apply job, which reads them in one query).
 */
export async function recordForLockedCase(
  tx: TransactionSql,
  kase: LockedCase,
  inputs: readonly TransitionInput[],
): Promise<RecordedTransition[]> {
  const { caseId, overrides } = kase;
  if (inputs.length === 0) return [];

  // The app's client is wrapped by drizzle, which turns postgres.js's date serializers off: send ISO text.
  // Keyed by input position; of two inputs with one history item only the first counts, as it would
  // one call at a time.
  const inserted = new Map<number, Inserted>();
  const firstOfItem = new Map<string, number>();
  inputs.forEach((t, i) => {
    if (t.historyItemId !== null && !firstOfItem.has(t.historyItemId)) firstOfItem.set(t.historyItemId, i);
  });
  if (firstOfItem.size > 0) {
    const rows = [...firstOfItem.values()].map((i) => {
      const t = inputs[i]!;
      return {
        case_id: caseId,
        binding_id: kase.bindingId,
        from_status: t.fromStatus,
        from_type: t.fromType,
        from_orderindex: t.fromOrderindex,
        to_status: t.toStatus,
        to_type: t.toType,
        to_orderindex: t.toOrderindex,
        occurred_at: t.occurredAt,
        actor_id: t.actorId,
        actor_name: t.actorName,
        source: t.source,
        inferred: t.inferred ?? false,
        history_item_id: t.historyItemId,
      };
    });
    const stored = await tx<{ id: number; item: string }[]>`
      insert into status_transitions ${tx(rows)}
      on conflict (case_id, history_item_id) do nothing
      returning id::int as id, history_item_id as item`;
    for (const r of stored) {
      const i = firstOfItem.get(r.item)!;
      inserted.set(i, { input: inputs[i]!, id: r.id });
    }
  }
  for (const [i, t] of inputs.entries()) {
    if (t.historyItemId !== null) continue;
    const row = await insertInferred(tx, caseId, kase.bindingId, t);
    if (row) inserted.set(i, { input: t, id: row.id });
  }
  if (inserted.size === 0) return inputs.map(() => NOT_RECORDED);

  // Only the newest new transition can become the case's current status.
  const newest = [...inserted.values()].reduce((a, b) =>
    b.input.occurredAt.getTime() > a.input.occurredAt.getTime() ||
    (b.input.occurredAt.getTime() === a.input.occurredAt.getTime() && b.id > a.id)
      ? b
      : a,
  );
  const becameCurrent = await updateCurrentStatus(tx, newest.input, newest.id);

  const rework = new Map<number, ReworkKind>();
  for (const [i, { input: t }] of inserted) {
    const from =
      t.fromStatus === null ? null : { name: t.fromStatus, type: t.fromType, orderindex: t.fromOrderindex };
    const kind = classifyRework(
      from,
      { name: t.toStatus, type: t.toType, orderindex: t.toOrderindex },
      overrides,
    );
    if (kind) rework.set(i, kind);
  }
  if (rework.size > 0) {
    const events = [...rework].map(([i, kind]) => {
      const { input: t, id } = inserted.get(i)!;
      return {
        case_id: caseId,
        binding_id: kase.bindingId,
        transition_id: id,
        kind,
        from_status: t.fromStatus as string,
        to_status: t.toStatus,
        occurred_at: t.occurredAt,
        actor_id: t.actorId,
        actor_name: t.actorName,
      };
    });
    await tx`insert into rework_events ${tx(events)} on conflict (transition_id) do nothing`;
  }
  // Last: it may drop or re-start inferred transitions, this call's included (their events go with them).
  await settleInferred(tx, caseId, overrides);
  return inputs.map((_, i) => {
    const row = inserted.get(i);
    if (!row) return NOT_RECORDED;
    return {
      inserted: true,
      transitionId: row.id,
      becameCurrent: becameCurrent && row === newest,
      rework: rework.get(i) ?? null,
    };
  });
}

/** Inferred transitions have no item id to dedupe on: the same change at the same time is a repeat. */
async function insertInferred(
  tx: TransactionSql,
  caseId: number,
  bindingId: number,
  t: TransitionInput,
): Promise<{ id: number } | null> {
  const { occurredAt } = t;
  const [dup] = await tx`
    select 1 from status_transitions
    where case_id = ${caseId} and to_status = ${t.toStatus} and occurred_at = ${occurredAt}
      and from_status is not distinct from ${t.fromStatus}::text`;
  if (dup) return null;
  const [row] = await tx<{ id: number }[]>`
    insert into status_transitions (case_id, binding_id, from_status, from_type, from_orderindex,
      to_status, to_type, to_orderindex, occurred_at, actor_id, actor_name, source, inferred, history_item_id)
    values (${caseId}, ${bindingId}, ${t.fromStatus}, ${t.fromType}, ${t.fromOrderindex},
      ${t.toStatus}, ${t.toType}, ${t.toOrderindex}, ${occurredAt}, ${t.actorId}, ${t.actorName},
      ${t.source}, ${t.inferred ?? false}, null)
    returning id::int as id`;
  return row ?? null;
}

/**
 * Moves the case to `t.toStatus` when this is its newest transition and it is not older than the
 * task state the case already shows (`date_updated`, which a REST read sets and this advances).
 */
async function updateCurrentStatus(
  tx: TransactionSql,
  t: TransitionInput,
  transitionId: number,
): Promise<boolean> {
  const { occurredAt } = t;
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
