import type { Sql } from "postgres";

/*
 * Throughput histories for the forecast tests, loaded in one statement per call: each case is created in
 * "to do", started a day before its finish, and finished ("complete") at `hour`:00 UTC of its date; the
 * database's triggers derive the flow facts the samples read (docs/flow-metrics.md §12.1).
 */

let batch = 0;

/** `perDay[i]` cases finished on date `first` + i (dates `YYYY-MM-DD`), optionally carrying `tags`. */
export async function seedFinishedPerDay(
  sql: Sql,
  bindingId: number,
  first: string,
  perDay: readonly number[],
  opts: { hour?: number; tags?: string[] } = {},
): Promise<void> {
  batch += 1;
  const hour = opts.hour ?? 12;
  await sql`
    with spec as (
      select (d.ord - 1)::int as i, k.k,
             ((${first}::date + (d.ord - 1)::int)::timestamp at time zone 'UTC') + make_interval(hours => ${hour}) as done
      from unnest(${perDay as number[]}::int[]) with ordinality as d(n, ord)
      cross join lateral generate_series(1, d.n) as k(k)
    ),
    cases as (
      insert into tracked_cases (binding_id, task_id, name, url, home_list_id, status_name, status_type,
                                 status_orderindex, date_created, date_updated, date_done, assignees, tags)
      select ${bindingId}, 'f' || ${batch} || '-' || s.i || '-' || s.k, 'Finished ' || s.i || '/' || s.k,
             'https://app.clickup.com/t/f' || ${batch} || '-' || s.i || '-' || s.k, 'L1', 'complete', 'done', 3,
             s.done - interval '2 days', s.done, s.done, '[]'::jsonb, ${opts.tags ?? []}::text[]
      from spec s
      returning id, binding_id, date_done
    )
    insert into status_transitions (case_id, binding_id, from_status, from_type, from_orderindex, to_status,
                                    to_type, to_orderindex, occurred_at, source, history_item_id)
    select id, binding_id, 'to do', 'open', 0, 'in progress', 'custom', 1, date_done - interval '1 day',
           'webhook'::transition_source, 'fs-' || id
    from cases
    union all
    select id, binding_id, 'in progress', 'custom', 1, 'complete', 'done', 3, date_done, 'webhook'::transition_source, 'fd-' || id
    from cases`;
}

/** `count` open cases in "in progress" since `since`, carrying `tags`. */
export async function seedOpen(sql: Sql, bindingId: number, count: number, since: Date, tags: string[] = []) {
  batch += 1;
  await sql`
    with cases as (
      insert into tracked_cases (binding_id, task_id, name, url, home_list_id, status_name, status_type,
                                 status_orderindex, date_created, date_updated, assignees, tags)
      select ${bindingId}, 'o' || ${batch} || '-' || i, 'Open ' || i, 'https://app.clickup.com/t/o' || ${batch} || '-' || i,
             'L1', 'in progress', 'custom', 1, ${since}::timestamptz - interval '1 hour', ${since}, '[]'::jsonb, ${tags}::text[]
      from generate_series(1, ${count}) as i
      returning id, binding_id, date_updated
    )
    insert into status_transitions (case_id, binding_id, from_status, from_type, from_orderindex, to_status,
                                    to_type, to_orderindex, occurred_at, source, history_item_id)
    select id, binding_id, 'to do', 'open', 0, 'in progress', 'custom', 1, date_updated, 'webhook'::transition_source, 'os-' || id
    from cases`;
}
