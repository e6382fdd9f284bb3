import type { TransactionSql } from "postgres";
import type { FlowStage } from "../../flow/stage-mapping.ts";
import { classifyRework } from "./rework.ts";

/** A transition of the case as settling reads it. */
type Row = {
  id: number;
  fromStatus: string | null;
  fromType: string | null;
  fromOrderindex: number | null;
  toStatus: string;
  toType: string;
  toOrderindex: number;
  occurredAt: Date;
  inferred: boolean;
  actorId: number | null;
  actorName: string | null;
  bindingId: number;
};

/**
 * Makes a case's inferred transitions agree with its exact ones (docs/flow-metrics.md §3), whatever order
 * deliveries, reconcile runs and backfills came in. An inferred transition (a guess that the case moved to
 * S by the time ClickUp last updated the task) stands only for history no webhook brought:
 *
 * - it goes when the exact history already has the case in S at that time (the latest exact transition at
 *   or before it entered S), or contradicts it (the next exact transition starts from another status, or
 *   is the task's creation);
 * - it goes when the transition before it in the remaining timeline already entered S (no change);
 * - what is left starts from the status the remaining timeline had before it, and its rework event is
 *   classified again from that.
 *
 * Runs in the caller's transaction with the case row locked. Costs one query for a case with no inferred
 * transition.
 */
export async function settleInferred(
  tx: TransactionSql,
  caseId: number,
  overrides: ReadonlyMap<string, FlowStage>,
): Promise<void> {
  const rows = await tx<Row[]>`
    select id::int as id, from_status as "fromStatus", from_type as "fromType",
      from_orderindex as "fromOrderindex", to_status as "toStatus", to_type as "toType",
      to_orderindex as "toOrderindex", occurred_at as "occurredAt",
      inferred, actor_id as "actorId",
      actor_name as "actorName", binding_id::int as "bindingId"
    from status_transitions
    where case_id = ${caseId}
      and exists (select 1 from status_transitions i where i.case_id = ${caseId} and i.inferred)
    order by occurred_at, inferred, id`;
  if (rows.length === 0) return;

  const at = (r: Row) => r.occurredAt.getTime();
  const exact = rows.filter((r) => !r.inferred);
  const gone = new Set<number>();
  for (const r of rows) {
    if (!r.inferred) continue;
    const before = exact.filter((e) => at(e) <= at(r)).at(-1);
    const after = exact.find((e) => at(e) > at(r));
    if (before?.toStatus === r.toStatus) gone.add(r.id);
    else if (after && after.fromStatus !== r.toStatus) gone.add(r.id);
  }

  const fixes: { row: Row; from: Row | undefined }[] = [];
  let previous: Row | undefined;
  for (const r of rows) {
    if (gone.has(r.id)) continue;
    if (r.inferred && previous?.toStatus === r.toStatus) {
      gone.add(r.id);
      continue;
    }
    if (r.inferred && previous && r.fromStatus !== previous.toStatus) fixes.push({ row: r, from: previous });
    previous = r;
  }

  if (gone.size > 0) {
    await tx`delete from status_transitions where id = any(${[...gone]}::bigint[])`;
  }
  for (const { row, from } of fixes) {
    await tx`
      update status_transitions
      set from_status = ${from!.toStatus}, from_type = ${from!.toType}, from_orderindex = ${from!.toOrderindex}
      where id = ${row.id}`;
    await tx`delete from rework_events where transition_id = ${row.id}`;
    const kind = classifyRework(
      { name: from!.toStatus, type: from!.toType, orderindex: from!.toOrderindex },
      { name: row.toStatus, type: row.toType, orderindex: row.toOrderindex },
      overrides,
    );
    if (kind) {
      await tx`
        insert into rework_events (case_id, binding_id, transition_id, kind, from_status, to_status, occurred_at,
          actor_id, actor_name)
        values (${caseId}, ${row.bindingId}, ${row.id}, ${kind}, ${from!.toStatus}, ${row.toStatus},
          ${row.occurredAt}, ${row.actorId}, ${row.actorName})`;
    }
  }
}
