import { z } from "zod";

/*
 * Every graphile-worker task flowbot has, declared once: its identifier (the file jobs/<identifier>.ts
 * implements it), the zod schema of its payload, the rule for its job key and how many attempts a job
 * gets. Producers queue jobs through src/worker/add-job-sql.ts, which takes the key and the attempts
 * from here; each task parses its payload with parseJobPayload before it does anything.
 */

/** What graphile-worker gives a job that names no max_attempts (add_job and crontab alike). */
export const GRAPHILE_DEFAULT_MAX_ATTEMPTS = 25;

type JobSpec = {
  /** One job's payload; for a batch task, one item of it. */
  payload: z.ZodType;
  /**
   * Producers may also queue an array of payloads as one graphile-worker batch job, whose items
   * succeed or fail one by one.
   */
  batch?: true;
  /**
   * The job key is the identifier followed by these payload fields, each after a `:`
   * (`[]`: the identifier alone, so one job waits at a time). Absent: jobs have no key.
   */
  jobKey?: readonly string[];
  /** Attempts before graphile-worker gives the job up. */
  maxAttempts: number;
  /** Queued by graphile-worker's cron (src/worker/crontab.ts), not by flowbot's code. */
  cron?: true;
};

const id = z.number().int().positive();

/** graphile-worker's cron adds `_cron` to the payload; the tasks it runs read nothing else. */
const cronPayload = z.object({ _cron: z.object({ ts: z.string(), backfilled: z.boolean() }).optional() });

export const jobCatalog = {
  /** A workspace's (connection's) pending webhook deliveries; its runs share the queue named like the key. */
  "apply-deliveries": {
    payload: z.object({ connectionId: id }),
    jobKey: ["connectionId"],
    maxAttempts: GRAPHILE_DEFAULT_MAX_ATTEMPTS,
  },
  /** Named ClickUp tasks' pending deliveries (the reconcile fan-out re-queues stale ones as one batch). */
  "apply-task-deliveries": {
    payload: z.object({ taskId: z.string().min(1) }),
    batch: true,
    maxAttempts: GRAPHILE_DEFAULT_MAX_ATTEMPTS,
  },
  /** A binding's whole container; channelId and userId say where to keep a progress message. */
  "backfill-binding": {
    payload: z.object({ bindingId: id, channelId: z.string().optional(), userId: z.string().optional() }),
    jobKey: ["bindingId"],
    maxAttempts: 10,
  },
  /**
   * The comments pass after a binding's status backfill (docs/flow-metrics.md §14.4); the fields after
   * bindingId say which progress message to finish.
   */
  "backfill-comments": {
    payload: z.object({
      bindingId: id,
      channelId: z.string().optional(),
      messageTs: z.string().optional(),
      summary: z.string().optional(),
      /** How many times it already waited for the binding's flow facts (it gives up after a while). */
      waits: z.number().int().nonnegative().optional(),
    }),
    jobKey: ["bindingId"],
    maxAttempts: 10,
  },
  /** Judges one project's WIP limits against its current statuses and posts the alerts (docs/flow-metrics.md §10.1). */
  "check-wip-limits": { payload: z.object({ projectId: id }), jobKey: ["projectId"], maxAttempts: 5 },
  "check-webhook-health": { payload: cronPayload, cron: true, maxAttempts: GRAPHILE_DEFAULT_MAX_ATTEMPTS },
  /** Every tracked forecast re-run, a drop posted once (docs/flow-metrics.md §12.7). */
  "check-tracked-forecasts": { payload: cronPayload, cron: true, maxAttempts: 3 },
  /** One project's digest for one due time (an ISO instant); requestedBy is told how it went. */
  "post-digest": {
    payload: z.object({
      projectId: id,
      dueAt: z.iso.datetime(),
      requestedBy: z.object({ userId: z.string(), channelId: z.string() }).optional(),
    }),
    jobKey: ["projectId", "dueAt"],
    maxAttempts: 5,
  },
  /** Every project's holiday list resolved again (docs/flow-metrics.md §11). */
  "refresh-holidays": { payload: cronPayload, cron: true, maxAttempts: GRAPHILE_DEFAULT_MAX_ATTEMPTS },
  /** The flow facts of the cases listed in flow_dirty_cases. */
  "rebuild-flow-facts": { payload: z.object({}), jobKey: [], maxAttempts: GRAPHILE_DEFAULT_MAX_ATTEMPTS },
  /** One binding; sweep pulls the whole container instead of what changed since the high-water mark. */
  "reconcile-binding": {
    payload: z.object({ bindingId: id, sweep: z.boolean().optional() }),
    jobKey: ["bindingId"],
    maxAttempts: 5,
  },
  "reconcile-bindings": { payload: cronPayload, cron: true, maxAttempts: GRAPHILE_DEFAULT_MAX_ATTEMPTS },
  "schedule-digests": { payload: cronPayload, cron: true, maxAttempts: GRAPHILE_DEFAULT_MAX_ATTEMPTS },
  /** One connection's members, time entries and goals (docs/clickup.md §17–§19). */
  "sync-people": { payload: z.object({ connectionId: id }), jobKey: ["connectionId"], maxAttempts: 5 },
  /** Queues sync-people for every connection. */
  "refresh-people": { payload: cronPayload, cron: true, maxAttempts: GRAPHILE_DEFAULT_MAX_ATTEMPTS },
} as const satisfies Record<string, JobSpec>;

type Catalog = typeof jobCatalog;

export type JobName = keyof Catalog;

/** One job's payload (for a batch task: one item) once parsed. */
export type JobPayload<N extends JobName> = z.output<Catalog[N]["payload"]>;

/** What a job of task N carries: its payload, or for a batch task also an array of them. */
export type TaskPayload<N extends JobName> = Catalog[N] extends { batch: true }
  ? JobPayload<N> | JobPayload<N>[]
  : JobPayload<N>;

/** The tasks graphile-worker's cron queues (src/worker/crontab.ts schedules them). */
export type CronJobName = { [N in JobName]: Catalog[N] extends { cron: true } ? N : never }[JobName];

type TaskPayloads = { [N in JobName]: TaskPayload<N> };

declare global {
  namespace GraphileWorker {
    // graphile-worker's own task typing: Task<"name">, addJob and quickAddJob take these payloads.
    interface Tasks extends TaskPayloads {}
  }
}

export const JOB_NAMES = Object.keys(jobCatalog).sort() as JobName[];

export function isJobName(name: string): name is JobName {
  return Object.hasOwn(jobCatalog, name);
}

/**
 * A malformed payload: thrown inside the task, so graphile-worker records this message as the job's
 * last_error and retries it like any failure, and the worker goes on with other jobs.
 */
export class JobPayloadError extends Error {
  override name = "JobPayloadError";
}

const SHOWN_PAYLOAD_CHARS = 200;

/**
 * The payload of a job of task `name` (for a batch task: one item), checked against its schema.
 * @throws JobPayloadError naming each bad field and showing (the start of) what was received.
 */
export function parseJobPayload<N extends JobName>(name: N, payload: unknown): JobPayload<N> {
  const parsed = jobCatalog[name].payload.safeParse(payload);
  if (parsed.success) return parsed.data as JobPayload<N>;
  const problems = parsed.error.issues
    .map((i) => `${i.path.length > 0 ? i.path.join(".") : "payload"}: ${i.message}`)
    .join("; ");
  const shown = JSON.stringify(payload) ?? String(payload);
  const received =
    shown.length > SHOWN_PAYLOAD_CHARS
      ? `${shown.slice(0, SHOWN_PAYLOAD_CHARS)}… (${shown.length} chars)`
      : shown;
  throw new JobPayloadError(`${name} got a malformed payload (${problems}); received ${received}`);
}

/** The job key a job of task `name` with `payload` gets, or undefined when its jobs have no key. */
export function jobKeyOf<N extends JobName>(name: N, payload: JobPayload<N>): string | undefined {
  const fields: readonly string[] | undefined = (jobCatalog[name] as JobSpec).jobKey;
  if (!fields) return undefined;
  return [name, ...fields.map((f) => String((payload as Record<string, unknown>)[f]))].join(":");
}
