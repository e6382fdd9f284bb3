import { classifyRework, loadStageOverrides } from "./rework.ts";
import { inTransaction, type SqlClient } from "./sql-client.ts";

/**
 * Rebuilds a project's rework events from its recorded transitions with the project's current
 * status → stage mapping (call after a stage override changes). Atomic: readers see the old set or
 * the new one. Returns how many events the project now has.
 */
export async function recomputeProjectRework(sql: SqlClient, projectId: number): Promise<number> {
  return inTransaction(sql, async (tx) => {
    // recordTransition locks the case row, so locking the project's cases serialises with it (and
    // with another rebuild): no transition lands between the delete and the re-insert.
    await tx`select c.id from tracked_cases c join bindings b on b.id = c.binding_id
      where b.project_id = ${projectId} order by c.id for update of c`;
    const overrides = await loadStageOverrides(tx, projectId);
    await tx`delete from rework_events where binding_id in (select id from bindings where project_id = ${projectId})`;
    const transitions = await tx<
      {
        id: number;
        caseId: number;
        bindingId: number;
        fromStatus: string | null;
        fromType: string | null;
        fromOrderindex: number | null;
        toStatus: string;
        toType: string;
        toOrderindex: number;
        occurredAt: Date;
        actorId: number | null;
        actorName: string | null;
      }[]
    >`
      select t.id::int as id, t.case_id::int as "caseId", t.binding_id::int as "bindingId",
        t.from_status as "fromStatus", t.from_type as "fromType", t.from_orderindex as "fromOrderindex",
        t.to_status as "toStatus", t.to_type as "toType", t.to_orderindex as "toOrderindex",
        t.occurred_at as "occurredAt", t.actor_id::float8 as "actorId", t.actor_name as "actorName"
      from status_transitions t join bindings b on b.id = t.binding_id
      where b.project_id = ${projectId} and t.from_status is not null`;
    const events = [];
    for (const t of transitions) {
      const kind = classifyRework(
        { name: t.fromStatus as string, type: t.fromType, orderindex: t.fromOrderindex },
        { name: t.toStatus, type: t.toType, orderindex: t.toOrderindex },
        overrides,
      );
      if (!kind) continue;
      events.push({
        case_id: t.caseId,
        binding_id: t.bindingId,
        transition_id: t.id,
        kind,
        from_status: t.fromStatus as string,
        to_status: t.toStatus,
        occurred_at: t.occurredAt,
        actor_id: t.actorId,
        actor_name: t.actorName,
      });
    }
    for (let i = 0; i < events.length; i += 1000) {
      await tx`insert into rework_events ${tx(events.slice(i, i + 1000))} on conflict (transition_id) do nothing`;
    }
    return events.length;
  });
}
