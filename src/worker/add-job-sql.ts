import type { Fragment, Sql, TransactionSql } from "postgres";
import { sqlJson } from "../db/sql-json.ts";
import { type JobName, type JobPayload, jobCatalog, jobKeyOf, type TaskPayload } from "./job-catalog.ts";

/*
 * flowbot queues its jobs in SQL, inside the statements whose rows they are about (a claimed digest, the
 * stored deliveries, each syncing binding), so a job is queued exactly when its data commits. These
 * build the `graphile_worker.add_job(...)` call for such a statement from the job catalog: the payload's
 * type is checked against the task's (a field may be a SQL expression of the field's type), and the
 * job key and max_attempts are the catalog's.
 */

type AnySql = Sql | TransactionSql;

/** A SQL expression the caller states has type T (a column, a computed value). */
export class SqlValue<T> {
  declare readonly valueType?: T;
  readonly fragment: Fragment;
  constructor(fragment: Fragment) {
    this.fragment = fragment;
  }
}

/** `fragment` as a value of type T, e.g. `sqlValue<number>(sql\`b.id\`)`. */
export function sqlValue<T>(fragment: Fragment): SqlValue<T> {
  return new SqlValue<T>(fragment);
}

/** A payload whose fields are values or SQL expressions of the field's type. */
type PayloadFields<P> = { [K in keyof P]: P[K] | SqlValue<P[K]> };

type BatchJobName = { [N in JobName]: (typeof jobCatalog)[N] extends { batch: true } ? N : never }[JobName];
type KeyedJobName = {
  [N in JobName]: (typeof jobCatalog)[N] extends { jobKey: readonly string[] } ? N : never;
}[JobName];

export type AddJobOptions = {
  /** Jobs of one queue run one at a time. */
  queueName?: string | SqlValue<string>;
  /** Run no sooner than this (default now). */
  runAt?: SqlValue<Date>;
  /** What adding a job whose key is taken does (graphile-worker's job_key_mode; default replace). */
  jobKeyMode?: "replace" | "preserve_run_at" | "unsafe_dedupe";
};

/**
 * `graphile_worker.add_job(...)` for a job of task `name`, for use inside a statement:
 * `` sql`select ${addJobSql(sql, "post-digest", payload)} from …` ``.
 */
export function addJobSql<N extends JobName>(
  sql: AnySql,
  name: N,
  payload: TaskPayload<N> | PayloadFields<JobPayload<N>>,
  options: AddJobOptions = {},
): Fragment {
  const fields = payload as Record<string, unknown>;
  const hasSql = !Array.isArray(payload) && Object.values(fields).some((v) => v instanceof SqlValue);
  const json = hasSql ? jsonObjectSql(sql, fields) : sql`${sqlJson(sql, payload)}::json`;
  return addJobCall(sql, name, json, keySql(sql, name, fields), options);
}

/**
 * `graphile_worker.add_job(...)` of one batch job whose items are the `item` of every row the statement
 * aggregates over (json_agg): `` sql`select ${addBatchJobSql(sql, "apply-task-deliveries", {taskId})} from …` ``.
 */
export function addBatchJobSql<N extends BatchJobName>(
  sql: AnySql,
  name: N,
  item: PayloadFields<JobPayload<N>>,
): Fragment {
  return addJobCall(sql, name, sql`json_agg(${jsonObjectSql(sql, item)})`, undefined, {});
}

/** The job key (text) a job of task `name` gets, as SQL (e.g. to find the job waiting under it). */
export function jobKeySql<N extends KeyedJobName>(
  sql: AnySql,
  name: N,
  payload: PayloadFields<JobPayload<N>>,
): Fragment {
  return keySql(sql, name, payload as Record<string, unknown>)!;
}

function keySql(sql: AnySql, name: JobName, fields: Record<string, unknown>): Fragment | undefined {
  const keyFields: readonly string[] | undefined = (jobCatalog[name] as { jobKey?: readonly string[] })
    .jobKey;
  if (!keyFields) return undefined;
  if (!keyFields.some((f) => fields[f] instanceof SqlValue)) {
    return sql`${jobKeyOf(name, fields as JobPayload<typeof name>)!}::text`;
  }
  return keyFields
    .map((f) => {
      const v = fields[f];
      return v instanceof SqlValue ? sql`(${v.fragment})::text` : sql`${String(v)}::text`;
    })
    .reduce((key, part) => sql`${key} || ':' || ${part}`, sql`${name}::text`);
}

function addJobCall(
  sql: AnySql,
  name: JobName,
  payload: Fragment,
  key: Fragment | undefined,
  options: AddJobOptions,
): Fragment {
  const named: Fragment[] = [];
  if (options.queueName !== undefined) named.push(sql`queue_name := ${valueSql(sql, options.queueName)}`);
  if (options.runAt) named.push(sql`run_at := ${options.runAt.fragment}`);
  named.push(sql`max_attempts := ${jobCatalog[name].maxAttempts}::int`);
  if (key) named.push(sql`job_key := ${key}`);
  if (key && options.jobKeyMode) named.push(sql`job_key_mode := ${options.jobKeyMode}::text`);
  return sql`graphile_worker.add_job(${name}::text, ${payload}${named.map((n) => sql`, ${n}`)})`;
}

function jsonObjectSql(sql: AnySql, fields: Record<string, unknown>): Fragment {
  const entries = Object.entries(fields).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return sql`json_build_object()`;
  const args = entries.map(([k, v], i) => {
    const value = v instanceof SqlValue ? v.fragment : sql`${sqlJson(sql, v)}::json`;
    return i === 0 ? sql`${k}::text, ${value}` : sql`, ${k}::text, ${value}`;
  });
  return sql`json_build_object(${args})`;
}

function valueSql(sql: AnySql, v: string | SqlValue<string>): Fragment {
  return v instanceof SqlValue ? v.fragment : sql`${v}::text`;
}
