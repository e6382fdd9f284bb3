import type { Sql } from "postgres";

/*
 * Flow data for the report and App Home tests, inserted as rows the way sync leaves them: a project and
 * binding, tracked cases in their current status, their status transitions and rework events. The
 * database's own triggers derive the per-case flow facts the metrics read.
 */

export const DAY_MS = 86_400_000;

export const STATUS = {
  todo: { name: "to do", type: "open", orderindex: 0 },
  progress: { name: "in progress", type: "custom", orderindex: 1 },
  review: { name: "review", type: "custom", orderindex: 2 },
  complete: { name: "complete", type: "done", orderindex: 3 },
} as const;
export type StatusKey = keyof typeof STATUS;

export async function seedProject(
  sql: Sql,
  {
    teamId,
    channelId,
    channelName,
    windowDays = 90,
  }: { teamId: string; channelId: string; channelName?: string; windowDays?: number },
): Promise<{ projectId: number; bindingId: number }> {
  const [project] = await sql<{ id: number }[]>`
    insert into projects (slack_team_id, channel_id, channel_name, window_days)
    values (${teamId}, ${channelId}, ${channelName ?? channelId.toLowerCase()}, ${windowDays})
    returning id::int as id`;
  const [binding] = await sql<{ id: number }[]>`
    insert into bindings (project_id, container_type, container_id, container_name, container_path, space_id,
                          created_by, sync_status)
    values (${project!.id}, 'list', ${`L-${channelId}`}, 'Sprint', 'Eng › Sprint', 'S1', 'U0ADMIN', 'synced')
    returning id::int as id`;
  return { projectId: project!.id, bindingId: binding!.id };
}

let seq = 0;

/** A case created in path[0]'s status at path[0]'s time, then moved through the rest of the path. */
export async function seedCase(
  sql: Sql,
  bindingId: number,
  spec: {
    name: string;
    path: [StatusKey, Date][];
    assignees?: { id: number; username: string; email: string | null }[];
    /** Marks the move into this index of `path` as rework (flow-back or reopen) by `actor`. */
    rework?: { at: number; kind: "flow_back" | "reopen"; actor: string };
  },
): Promise<number> {
  seq += 1;
  const [first, ...moves] = spec.path;
  const last = spec.path.at(-1)!;
  const current = STATUS[last[0]];
  const taskId = `t${seq}`;
  const [row] = await sql<{ id: number }[]>`
    insert into tracked_cases (binding_id, task_id, name, url, home_list_id, status_name, status_type,
                               status_orderindex, date_created, date_updated, date_done, assignees)
    values (${bindingId}, ${taskId}, ${spec.name}, ${`https://app.clickup.com/t/${taskId}`}, 'L1', ${current.name},
            ${current.type}, ${current.orderindex}, ${first![1].toISOString()}, ${last[1].toISOString()},
            ${current.type === "done" ? last[1].toISOString() : null}, ${sql.json(spec.assignees ?? [])})
    returning id::int as id`;
  const caseId = row!.id;
  let prev = first![0];
  for (const [index, [to, at]] of moves.entries()) {
    const from = STATUS[prev];
    const next = STATUS[to];
    const [transition] = await sql<{ id: number }[]>`
      insert into status_transitions (case_id, binding_id, from_status, from_type, from_orderindex, to_status,
                                      to_type, to_orderindex, occurred_at, actor_name, source, history_item_id)
      values (${caseId}, ${bindingId}, ${from.name}, ${from.type}, ${from.orderindex}, ${next.name}, ${next.type},
              ${next.orderindex}, ${at.toISOString()}, 'Dana', 'webhook', ${`h${seq}-${index}`})
      returning id::int as id`;
    if (spec.rework && spec.rework.at === index + 1) {
      await sql`
        insert into rework_events (case_id, binding_id, transition_id, kind, from_status, to_status, occurred_at,
                                   actor_name)
        values (${caseId}, ${bindingId}, ${transition!.id}, ${spec.rework.kind}, ${from.name}, ${next.name},
                ${at.toISOString()}, ${spec.rework.actor})`;
    }
    prev = to;
  }
  return caseId;
}

/**
 * `count` tasks in progress, in one statement: task i was created (to do) at now − (i + 1) days − 1 h and
 * started one hour later, so its age is i + 1 days. Returns nothing; ages run 1..count days.
 */
export async function seedWipBulk(sql: Sql, bindingId: number, now: Date, count: number): Promise<void> {
  await sql`
    with cases as (
      insert into tracked_cases (binding_id, task_id, name, url, home_list_id, status_name, status_type,
                                 status_orderindex, date_created, date_updated, assignees)
      select ${bindingId}, 'bulk' || i, 'Bulk task number ' || i || ' with a fairly long descriptive name to fill text',
             'https://app.clickup.com/t/bulk' || i, 'L1',
             case when i % 3 = 0 then 'review' else 'in progress' end, 'custom',
             case when i % 3 = 0 then 2 else 1 end,
             ${now.toISOString()}::timestamptz - make_interval(days => i + 1, hours => 1),
             ${now.toISOString()}::timestamptz,
             jsonb_build_array(jsonb_build_object('id', i, 'username', 'user' || (i % 7), 'email', null))
      from generate_series(0, ${count - 1}) as i
      returning id, binding_id, date_created, status_name, status_orderindex
    )
    insert into status_transitions (case_id, binding_id, from_status, from_type, from_orderindex, to_status,
                                    to_type, to_orderindex, occurred_at, source, history_item_id)
    select id, binding_id, 'to do', 'open', 0, status_name, 'custom', status_orderindex,
           date_created + interval '1 hour', 'webhook', 'bulk-' || id
    from cases`;
}

/** Ten tasks finished `daysAgo` days before now, with cycle times of 1..10 days (started at finish − i days). */
export async function seedFinishedTen(sql: Sql, bindingId: number, now: Date, daysAgo = 5): Promise<void> {
  const finish = new Date(now.getTime() - daysAgo * DAY_MS);
  for (let i = 1; i <= 10; i++) {
    const started = new Date(finish.getTime() - i * DAY_MS);
    await seedCase(sql, bindingId, {
      name: `Finished ${i}`,
      path: [
        ["todo", new Date(started.getTime() - 2 * DAY_MS)],
        ["progress", started],
        ["complete", finish],
      ],
    });
  }
}
