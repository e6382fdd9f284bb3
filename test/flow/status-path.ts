import type { Sql } from "postgres";
import { recordTransition } from "../../src/sync/timeline/index.ts";

/* A case created in "to do" and moved through exact webhook transitions, for the signal and chart metric tests. */

export type Status = { name: string; type: string; orderindex: number };
export const S = {
  todo: { name: "to do", type: "open", orderindex: 0 },
  progress: { name: "in progress", type: "custom", orderindex: 1 },
  review: { name: "review", type: "custom", orderindex: 2 },
  waiting: { name: "waiting on client", type: "custom", orderindex: 3 },
  qa: { name: "QA", type: "custom", orderindex: 3 },
  done: { name: "done", type: "done", orderindex: 4 },
} satisfies Record<string, Status>;

export const at = (iso: string) => new Date(`${iso}Z`);

let seq = 0;
export async function caseWith(
  sql: Sql,
  bindingId: number,
  created: Date,
  path: [Status, Date][],
  extra: { dateUpdated?: Date; lastActivityAt?: Date } = {},
): Promise<number> {
  seq += 1;
  const [row] = await sql<{ id: number }[]>`
    insert into tracked_cases (binding_id, task_id, name, url, home_list_id, status_name, status_type,
                               status_orderindex, date_created, date_updated, last_activity_at)
    values (${bindingId}, ${`p${seq}`}, ${`Case ${seq}`}, ${`https://app.clickup.com/t/p${seq}`}, 'L',
            ${S.todo.name}, ${S.todo.type}, ${S.todo.orderindex}, ${created}, ${extra.dateUpdated ?? created},
            ${extra.lastActivityAt ?? null})
    returning id::int as id`;
  let from: Status = S.todo;
  for (const [to, when] of path) {
    seq += 1;
    await recordTransition(sql, {
      caseId: row!.id,
      fromStatus: from.name,
      fromType: from.type,
      fromOrderindex: from.orderindex,
      toStatus: to.name,
      toType: to.type,
      toOrderindex: to.orderindex,
      occurredAt: when,
      actorId: 7,
      actorName: "Ada",
      source: "webhook",
      historyItemId: `hp${seq}`,
    });
    from = to;
  }
  return row!.id;
}
