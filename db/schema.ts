import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  check,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  real,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import type { FieldOption, FieldValue } from "../src/sync/task-fields/types.ts";

/*
 * The whole product's data. flowbot keeps only what the flow needs (README.md): ids, names and
 * links for display, the status timeline and the few fields the metrics use — never a copy of
 * task descriptions or comments' text. Of custom fields it keeps only the drop-down, labels and
 * checkbox values segments and signals read, and those fields' definitions.
 */

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

export const containerType = pgEnum("container_type", ["space", "folder", "list"]);
export const syncStatus = pgEnum("sync_status", ["not_synced", "synced", "paused", "error"]);
export const flowStage = pgEnum("flow_stage", ["not_started", "active", "blocked", "done"]);
export const transitionSource = pgEnum("transition_source", ["webhook", "backfill", "reconcile"]);
export const reworkKind = pgEnum("rework_kind", ["flow_back", "reopen"]);
export const deliveryOutcome = pgEnum("delivery_outcome", ["pending", "applied", "dropped", "ignored"]);
/** ClickUp's task priorities, in its order (1 = urgent … 4 = low), so that sorting by the enum ranks them. */
export const taskPriority = pgEnum("task_priority", ["urgent", "high", "normal", "low"]);

/** One ClickUp workspace ("team" in API v2) per Slack workspace, authorised by a sealed token. */
export const connections = pgTable("connections", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  slackTeamId: text("slack_team_id").notNull().unique(),
  clickupTeamId: text("clickup_team_id").notNull(),
  clickupTeamName: text("clickup_team_name").notNull(),
  /** AES-256-GCM sealed personal token; see src/crypto. */
  tokenSealed: text("token_sealed").notNull(),
  tokenLast4: text("token_last4").notNull(),
  tokenOwnerId: bigint("token_owner_id", { mode: "number" }).notNull(),
  tokenOwnerName: text("token_owner_name").notNull(),
  tokenOwnerEmail: text("token_owner_email"),
  connectedBy: text("connected_by").notNull(),
  connectedAt: ts("connected_at").notNull().defaultNow(),
  moduleEnabled: boolean("module_enabled").notNull().default(true),
  /** Requests per minute ClickUp last reported for this token (X-RateLimit-Limit). */
  rateLimitPerMin: integer("rate_limit_per_min"),
  rateLimitObservedAt: ts("rate_limit_observed_at"),
});

/** A project is a Slack channel; its settings drive the metrics and the digest. */
export const projects = pgTable(
  "projects",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    slackTeamId: text("slack_team_id").notNull(),
    channelId: text("channel_id").notNull(),
    channelName: text("channel_name"),
    /** IANA zone for day counting and digest times. */
    timeZone: text("time_zone").notNull().default("UTC"),
    digestChannelId: text("digest_channel_id"),
    digestEnabled: boolean("digest_enabled").notNull().default(true),
    /** ISO weekdays 1 (Monday) – 7 (Sunday). */
    digestDays: smallint("digest_days").array().notNull().default(sql`'{1,2,3,4,5}'::smallint[]`),
    /** Local wall-clock time "HH:MM". */
    digestTime: text("digest_time").notNull().default("09:00"),
    digestAllFlowingLine: boolean("digest_all_flowing_line").notNull().default(false),
    /** Percentile of cycle time used as ageing threshold (default SLE = 85th), or a fixed day count. */
    ageingPercentile: smallint("ageing_percentile").notNull().default(85),
    ageingFixedDays: real("ageing_fixed_days"),
    /** SLE set by hand, in days; null = the 85th percentile. */
    sleDays: real("sle_days"),
    workingDays: boolean("working_days").notNull().default(false),
    windowDays: smallint("window_days").notNull().default(90),
    lastDigestAt: ts("last_digest_at"),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [uniqueIndex("projects_team_channel").on(t.slackTeamId, t.channelId)],
);

/** Admin overrides of the default status → stage mapping, keyed by stable status identity. */
export const stageOverrides = pgTable(
  "stage_overrides",
  {
    projectId: bigint("project_id", { mode: "number" })
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    /** The status name as a key: flowbot_status_key (db/functions/stage-of-status.sql), statusKey in TypeScript. */
    statusKey: text("status_key").notNull(),
    statusName: text("status_name").notNull(),
    stage: flowStage("stage").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.statusKey] })],
);

/** A ClickUp webhook flowbot registered, with its sealed signing secret and last known health. */
export const clickupWebhooks = pgTable("clickup_webhooks", {
  id: text("id").primaryKey(),
  connectionId: bigint("connection_id", { mode: "number" })
    .notNull()
    .references(() => connections.id, { onDelete: "cascade" }),
  containerType: containerType("container_type").notNull(),
  containerId: text("container_id").notNull(),
  endpoint: text("endpoint").notNull(),
  events: text("events").array().notNull(),
  secretSealed: text("secret_sealed").notNull(),
  healthStatus: text("health_status").notNull().default("active"),
  failCount: integer("fail_count").notNull().default(0),
  lastCheckedAt: ts("last_checked_at"),
  failingNotifiedAt: ts("failing_notified_at"),
  createdAt: ts("created_at").notNull().defaultNow(),
});

/** A ClickUp space, folder or list bound to a project. */
export const bindings = pgTable(
  "bindings",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    projectId: bigint("project_id", { mode: "number" })
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    containerType: containerType("container_type").notNull(),
    containerId: text("container_id").notNull(),
    containerName: text("container_name").notNull(),
    /** Human path, e.g. "Engineering › Sprint folder › Backlog". */
    containerPath: text("container_path").notNull(),
    spaceId: text("space_id").notNull(),
    folderId: text("folder_id"),
    syncStatus: syncStatus("sync_status").notNull().default("not_synced"),
    errorCode: text("error_code"),
    errorReason: text("error_reason"),
    /** Non-fatal condition shown with the binding, e.g. the time-in-status ClickApp is off. */
    warning: text("warning"),
    lastSyncedAt: ts("last_synced_at"),
    /** Newest `date_updated` seen; the reconcile pull starts here minus an overlap. */
    highWaterMark: ts("high_water_mark"),
    /** Where an interrupted backfill resumes (pass, page, phase). */
    backfillCheckpoint: jsonb("backfill_checkpoint"),
    webhookId: text("webhook_id").references(() => clickupWebhooks.id, { onDelete: "set null" }),
    /** Set by "unbind": no more syncing, but the derived flow data stays for the metrics. */
    unboundAt: ts("unbound_at"),
    createdBy: text("created_by").notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [uniqueIndex("bindings_project_container").on(t.projectId, t.containerType, t.containerId)],
);

/** A task whose flow is tracked, under one binding. */
export const trackedCases = pgTable(
  "tracked_cases",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    bindingId: bigint("binding_id", { mode: "number" })
      .notNull()
      .references(() => bindings.id, { onDelete: "cascade" }),
    taskId: text("task_id").notNull(),
    customId: text("custom_id"),
    name: text("name").notNull(),
    url: text("url").notNull(),
    homeListId: text("home_list_id").notNull(),
    parentTaskId: text("parent_task_id"),
    statusName: text("status_name").notNull(),
    statusType: text("status_type").notNull(),
    statusOrderindex: integer("status_orderindex").notNull(),
    statusId: text("status_id"),
    dateCreated: ts("date_created").notNull(),
    dateUpdated: ts("date_updated").notNull(),
    dateDone: ts("date_done"),
    dateClosed: ts("date_closed"),
    archived: boolean("archived").notNull().default(false),
    /** [{id, username, email}] — email is used only to mention the Slack user. */
    assignees: jsonb("assignees").notNull().default(sql`'[]'::jsonb`),
    /** False once the task moved out of the binding's containers; its history is kept. */
    tracked: boolean("tracked").notNull().default(true),
    deletedAt: ts("deleted_at"),
    /*
     * The task fields segments and signals read (src/sync/task-fields/types.ts, in its canonical order),
     * from task payloads and webhook items. `home_list_id` above is the home list.
     */
    /** Tag names, lower-cased. */
    tags: text("tags").array().notNull().default(sql`'{}'::text[]`),
    priority: taskPriority("priority"),
    /** ClickUp's custom_item_id: 0 a plain task, 1 a milestone, else one of custom_task_types. */
    taskTypeId: integer("task_type_id").notNull().default(0),
    /** Set drop-down, labels and checkbox values: [{fieldId, kind, optionIds | checked}], by field id. */
    fieldValues: jsonb("field_values").$type<FieldValue[]>().notNull().default(sql`'[]'::jsonb`),
    /** Ids of the tasks this one waits on (its "waiting on" dependencies). */
    waitingOn: text("waiting_on").array().notNull().default(sql`'{}'::text[]`),
    /**
     * The last change seen to the task (status, kept field, comment, or a `date_updated` move found by
     * reconcile), for the stalled signal; null until one is recorded — read it as date_updated then.
     */
    lastActivityAt: ts("last_activity_at"),
  },
  (t) => [
    uniqueIndex("tracked_cases_binding_task").on(t.bindingId, t.taskId),
    index("tracked_cases_task").on(t.taskId),
    // Segment and blocked-by filters: `tags @> '{bug}'`, `field_values @> '[{"fieldId":…,"optionIds":[…]}]'`.
    index("tracked_cases_tags").using("gin", t.tags),
    index("tracked_cases_field_values").using("gin", t.fieldValues.op("jsonb_path_ops")),
    // Who waits on a task that just finished: `waiting_on @> array[$1] and waiting_on <> '{}'` (few have any).
    index("tracked_cases_waiting_on").using("gin", t.waitingOn).where(sql`waiting_on <> '{}'`),
  ],
);

/**
 * A binding's drop-down, labels and checkbox custom fields as ClickUp's fields endpoint last listed them
 * (read once per binding, refreshed on backfill). A value whose field is not here shows as
 * "(unknown field)" (src/sync/task-fields/field-definitions.ts).
 */
export const customFieldDefinitions = pgTable(
  "custom_field_definitions",
  {
    bindingId: bigint("binding_id", { mode: "number" })
      .notNull()
      .references(() => bindings.id, { onDelete: "cascade" }),
    fieldId: text("field_id").notNull(),
    name: text("name").notNull(),
    /** drop_down, labels or checkbox (ClickUp's field `type`). */
    kind: text("kind").notNull(),
    /** [{id, name, orderindex}]: a drop-down value names its option by orderindex, labels by id. */
    options: jsonb("options").$type<FieldOption[]>().notNull().default(sql`'[]'::jsonb`),
    fetchedAt: ts("fetched_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.bindingId, t.fieldId] })],
);

/** A workspace's custom task types (`custom_item_id` values other than 0 and 1), per connection. */
export const customTaskTypes = pgTable(
  "custom_task_types",
  {
    connectionId: bigint("connection_id", { mode: "number" })
      .notNull()
      .references(() => connections.id, { onDelete: "cascade" }),
    typeId: integer("type_id").notNull(),
    name: text("name").notNull(),
    fetchedAt: ts("fetched_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.connectionId, t.typeId] })],
);

/** The flow history: one row per status change, exact (webhook) or inferred (reconcile/backfill). */
export const statusTransitions = pgTable(
  "status_transitions",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    caseId: bigint("case_id", { mode: "number" })
      .notNull()
      .references(() => trackedCases.id, { onDelete: "cascade" }),
    bindingId: bigint("binding_id", { mode: "number" }).notNull(),
    fromStatus: text("from_status"),
    fromType: text("from_type"),
    fromOrderindex: integer("from_orderindex"),
    toStatus: text("to_status").notNull(),
    toType: text("to_type").notNull(),
    toOrderindex: integer("to_orderindex").notNull(),
    occurredAt: ts("occurred_at").notNull(),
    actorId: bigint("actor_id", { mode: "number" }),
    actorName: text("actor_name"),
    source: transitionSource("source").notNull(),
    inferred: boolean("inferred").notNull().default(false),
    /** ClickUp history item id; makes re-applying a delivery a no-op. */
    historyItemId: text("history_item_id"),
  },
  (t) => [
    uniqueIndex("status_transitions_case_item").on(t.caseId, t.historyItemId),
    index("status_transitions_case_time").on(t.caseId, t.occurredAt, t.id),
    index("status_transitions_binding").on(t.bindingId),
  ],
);

/** Per-status totals seeded from ClickUp time-in-status (history before the binding existed). */
export const statusTimings = pgTable(
  "status_timings",
  {
    caseId: bigint("case_id", { mode: "number" })
      .notNull()
      .references(() => trackedCases.id, { onDelete: "cascade" }),
    statusName: text("status_name").notNull(),
    statusType: text("status_type"),
    statusOrderindex: integer("status_orderindex"),
    totalMinutes: integer("total_minutes").notNull(),
    since: ts("since").notNull(),
    isCurrent: boolean("is_current").notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.statusName] })],
);

/** Durable inbox of ClickUp webhook deliveries; the idempotency key dedupes retries and twins. */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    /** `{webhook_id}:{history_item_id}`, or event + resource + body hash when there is no history. */
    idempotencyKey: text("idempotency_key").notNull(),
    webhookId: text("webhook_id").notNull(),
    event: text("event").notNull(),
    taskId: text("task_id"),
    body: jsonb("body").notNull(),
    receivedAt: ts("received_at").notNull().defaultNow(),
    outcome: deliveryOutcome("outcome").notNull().default("pending"),
    appliedAt: ts("applied_at"),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_key").on(t.idempotencyKey),
    index("webhook_deliveries_task").on(t.taskId),
    // What is still to apply, per webhook and age (apply-deliveries runs, the reconcile fan-out).
    index("webhook_deliveries_pending").on(t.webhookId, t.receivedAt).where(sql`outcome = 'pending'`),
  ],
);

/** Flow-backs and reopens (docs/flow-metrics.md §4.7), derived as transitions are applied. */
export const reworkEvents = pgTable(
  "rework_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    caseId: bigint("case_id", { mode: "number" })
      .notNull()
      .references(() => trackedCases.id, { onDelete: "cascade" }),
    bindingId: bigint("binding_id", { mode: "number" }).notNull(),
    transitionId: bigint("transition_id", { mode: "number" })
      .notNull()
      .references(() => statusTransitions.id, { onDelete: "cascade" }),
    kind: reworkKind("kind").notNull(),
    fromStatus: text("from_status").notNull(),
    toStatus: text("to_status").notNull(),
    occurredAt: ts("occurred_at").notNull(),
    actorId: bigint("actor_id", { mode: "number" }),
    actorName: text("actor_name"),
  },
  (t) => [
    uniqueIndex("rework_events_transition").on(t.transitionId),
    index("rework_events_binding").on(t.bindingId),
    index("rework_events_binding_time").on(t.bindingId, t.occurredAt),
    index("rework_events_case").on(t.caseId, t.occurredAt),
  ],
);

/** Alerts already posted, so a task is not alerted twice for the same threshold. */
export const alertLog = pgTable(
  "alert_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    projectId: bigint("project_id", { mode: "number" })
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    caseId: bigint("case_id", { mode: "number" })
      .notNull()
      .references(() => trackedCases.id, { onDelete: "cascade" }),
    kind: text("kind").notNull(),
    /** e.g. "p70", "p85", "p95", "2xsle", or a rework event id. */
    threshold: text("threshold").notNull(),
    alertedAt: ts("alerted_at").notNull(),
    channelId: text("channel_id").notNull(),
    messageTs: text("message_ts"),
  },
  (t) => [uniqueIndex("alert_log_once").on(t.projectId, t.caseId, t.kind, t.threshold)],
);

/** Snoozes from digest buttons: for a while, or until the task changes status. */
export const snoozes = pgTable(
  "snoozes",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    projectId: bigint("project_id", { mode: "number" })
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    caseId: bigint("case_id", { mode: "number" })
      .notNull()
      .references(() => trackedCases.id, { onDelete: "cascade" }),
    until: ts("until"),
    /** Set for "until it moves": the status the task was in when snoozed. */
    untilStatusChangesFrom: text("until_status_changes_from"),
    createdBy: text("created_by").notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [index("snoozes_project_case").on(t.projectId, t.caseId)],
);

/** One row per project and due time: makes a digest post at most once, with any number of workers. */
export const digestRuns = pgTable(
  "digest_runs",
  {
    projectId: bigint("project_id", { mode: "number" })
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    dueAt: ts("due_at").notNull(),
    postedAt: ts("posted_at"),
    messageTs: text("message_ts"),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.dueAt] })],
);

/**
 * A sentiment score per task comment (docs/flow-metrics.md §14): the comment's id, author and time and its
 * score — the comment text itself is never kept.
 */
export const commentSentiment = pgTable(
  "comment_sentiment",
  {
    caseId: bigint("case_id", { mode: "number" })
      .notNull()
      .references(() => trackedCases.id, { onDelete: "cascade" }),
    commentId: text("comment_id").notNull(),
    /** −1…+1 (§14.1). */
    score: real("score").notNull(),
    /** negative, neutral or positive (§14.1). */
    label: text("label").notNull(),
    /** ClickUp's user id of the comment's author; null when a payload does not name one. */
    authorId: bigint("author_id", { mode: "number" }),
    commentedAt: ts("commented_at").notNull(),
    /**
     * When the scored version was written: an edit's time from its webhook item, the read's time for a
     * backfill (which sees the newest text). An older version arriving late never replaces a newer one.
     */
    versionAt: ts("version_at").notNull().defaultNow(),
    analysedAt: ts("analysed_at").notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.caseId, t.commentId] }),
    // A case's last comments, newest first (§14.2).
    index("comment_sentiment_case_time").on(t.caseId, t.commentedAt.desc()),
  ],
);

/** Recent sync problems, shown by `/flow status` and `/flow bindings`. */
export const syncErrors = pgTable(
  "sync_errors",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    slackTeamId: text("slack_team_id").notNull(),
    bindingId: bigint("binding_id", { mode: "number" }).references(() => bindings.id, {
      onDelete: "cascade",
    }),
    code: text("code").notNull(),
    message: text("message").notNull(),
    occurredAt: ts("occurred_at").notNull().defaultNow(),
  },
  (t) => [index("sync_errors_team_time").on(t.slackTeamId, t.occurredAt)],
);

/*
 * Per-case flow facts derived from a case's timeline (status_transitions, else status_timings, else its
 * current status since date_created), kept current by the triggers in db/migrations (flowbot_flow_*):
 * a new transition, timing or case change rebuilds that case; a stage override change re-derives the
 * stage-dependent columns of its project. The Flow view reads these instead of the transitions.
 */

/** One row per tracked (not deleted) case. */
export const flowCases = pgTable(
  "flow_cases",
  {
    caseId: bigint("case_id", { mode: "number" })
      .primaryKey()
      .references(() => trackedCases.id, { onDelete: "cascade" }),
    projectId: bigint("project_id", { mode: "number" }).notNull(),
    bindingId: bigint("binding_id", { mode: "number" }).notNull(),
    createdAt: ts("created_at").notNull(),
    currentStatus: text("current_status").notNull(),
    currentType: text("current_type"),
    currentSince: ts("current_since").notNull(),
    /** Stage-dependent (re-derived when the project's mapping changes). */
    currentStage: flowStage("current_stage").notNull(),
    startedAt: ts("started_at"),
    finishedAt: ts("finished_at"),
    /** Seconds in active / blocked stages, closed intervals only. */
    activeSeconds: doublePrecision("active_seconds").notNull().default(0),
    blockedSeconds: doublePrecision("blocked_seconds").notNull().default(0),
    /** Some of the timeline comes from time-in-status totals, or the case has no transition at all. */
    estimated: boolean("estimated").notNull(),
    /*
     * Durations of a finished case in its project's time zone (re-derived when the zone changes):
     * wall-clock days and working days (Mon–Fri), ActionableAgile's calendar-day count, and the local
     * Monday 00:00 of the finish's week.
     */
    cycleDays: doublePrecision("cycle_days"),
    cycleWorkDays: doublePrecision("cycle_work_days"),
    cycleCalendarDays: integer("cycle_calendar_days"),
    leadDays: doublePrecision("lead_days"),
    leadWorkDays: doublePrecision("lead_work_days"),
    finishedWeek: ts("finished_week"),
  },
  // The finished-in-window range is read through flow_cases_finished_cover (db/migrations/0010), an index
  // on (project_id, finished_at) that INCLUDEs the duration columns, which drizzle cannot declare.
  (t) => [
    index("flow_cases_project_wip")
      .on(t.projectId, t.startedAt)
      .where(sql`finished_at is null and started_at is not null`),
  ],
);

/** Time per status per case (closed intervals; the current status's open interval is not included). */
export const flowCaseStatus = pgTable(
  "flow_case_status",
  {
    caseId: bigint("case_id", { mode: "number" })
      .notNull()
      .references(() => trackedCases.id, { onDelete: "cascade" }),
    statusName: text("status_name").notNull(),
    statusType: text("status_type"),
    projectId: bigint("project_id", { mode: "number" }).notNull(),
    seconds: doublePrecision("seconds").notNull(),
    firstEnteredAt: ts("first_entered_at").notNull(),
    lastExitedAt: ts("last_exited_at"),
    isCurrent: boolean("is_current").notNull(),
    estimated: boolean("estimated").notNull(),
    /** The case's finished_at, copied so the report's time in status reads one index range. */
    caseFinishedAt: ts("case_finished_at"),
  },
  // Read by (project_id, case_finished_at) through flow_case_status_finished_cover (db/migrations/0010, 0025).
  (t) => [primaryKey({ columns: [t.caseId, t.statusName] })],
);

/**
 * Cases whose flow facts wait for a rebuild. A transaction that sets `flowbot.defer_flow_rebuild` to
 * 'on' (the backfill's pages) has the triggers list the cases it touched here instead of rebuilding
 * them; the rebuild-flow-facts job (src/flow/metrics/deferred-rebuild.ts) rebuilds and removes them.
 * No foreign key: a case deleted meanwhile is a no-op for the rebuild, and a cascade that deletes a
 * case's timings with it must not be refused.
 */
export const flowDirtyCases = pgTable("flow_dirty_cases", {
  caseId: bigint("case_id", { mode: "number" }).primaryKey(),
});

/**
 * Which version of each file in db/functions/ the database holds (sha-256 of its text). Migrations run
 * first; then src/db/apply-db-functions.ts applies the files whose checksum differs, drops the flowbot_*
 * functions and triggers no file declares, and records the checksums, under the migration lock.
 */
export const dbFunctionFiles = pgTable("db_function_files", {
  file: text("file").primaryKey(),
  checksum: text("checksum").notNull(),
  appliedAt: ts("applied_at").notNull().defaultNow(),
});

/**
 * The job-worker processes running on this database (src/worker/worker-registry.ts). Each holds the
 * session-level advisory lock (WORKER_LOCK_SPACE, id) on a connection it keeps for its lifetime, so
 * Postgres itself says when one is gone: a free lock means its session ended. `pool_id` is the
 * graphile-worker pool id the process's jobs are locked by (`locked_by`), set before it takes any.
 * `lock_free_since` is when another worker first found the lock free; after a grace it releases the
 * pool's jobs and deletes the row.
 */
export const workerProcesses = pgTable("worker_processes", {
  id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
  poolId: text("pool_id").unique(),
  host: text("host").notNull(),
  pid: integer("pid").notNull(),
  startedAt: ts("started_at").notNull().defaultNow(),
  lockFreeSince: ts("lock_free_since"),
});

/*
 * Slack modals flowbot opened, so that what comes back from one (submissions, actions, options) is
 * accepted only from the user who opened it, for the workspace and channel it was opened for. Keyed by
 * Slack's view id; a view pushed on top of one is checked through its root view.
 */
export const slackViews = pgTable(
  "slack_views",
  {
    viewId: text("view_id").primaryKey(),
    slackTeamId: text("slack_team_id").notNull(),
    userId: text("user_id").notNull(),
    channelId: text("channel_id").notNull(),
    /** Which flow opened it: connect, disconnect, bind or settings. */
    kind: text("kind").notNull(),
    projectId: bigint("project_id", { mode: "number" }).references(() => projects.id, {
      onDelete: "cascade",
    }),
    openedAt: ts("opened_at").notNull(),
  },
  (t) => [index("slack_views_opened_at").on(t.openedAt)],
);

/**
 * Signatures of the signed Slack requests already run, kept while Slack's timestamp window could still
 * accept them: a replayed request (same bytes, same signature) is then not run a second time, whichever
 * web process it reaches.
 */
export const slackRequestsSeen = pgTable(
  "slack_requests_seen",
  {
    signature: text("signature").primaryKey(),
    expiresAt: ts("expires_at").notNull(),
  },
  (t) => [index("slack_requests_seen_expires_at").on(t.expiresAt)],
);

/** What a project segments its cases by (docs/flow-metrics.md §6.3); `none` makes the project one segment. */
export const segmentDimension = pgEnum("segment_dimension", [
  "none",
  "type",
  "priority",
  "tag_group",
  "drop_down",
  "labels",
  "list",
]);

/**
 * A project's segment dimension, set with `/flow settings segments` (src/flow/segments/). A tag group is a
 * name and its tags in the admin's order, kept as keys (trimmed, lower-cased as tracked_cases.tags are);
 * a drop-down or labels dimension names its custom field by id, so a rename in ClickUp keeps it.
 * No row is the same as `none`.
 */
export const segmentSettings = pgTable(
  "segment_settings",
  {
    projectId: bigint("project_id", { mode: "number" })
      .primaryKey()
      .references(() => projects.id, { onDelete: "cascade" }),
    dimension: segmentDimension("dimension").notNull().default("none"),
    tagGroupName: text("tag_group_name"),
    tagGroupTags: text("tag_group_tags").array().notNull().default(sql`'{}'::text[]`),
    fieldId: text("field_id"),
    updatedBy: text("updated_by").notNull(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [
    check(
      "segment_settings_shape",
      sql`(${t.dimension} <> 'tag_group' or (${t.tagGroupName} is not null and cardinality(${t.tagGroupTags}) > 0))
        and (${t.dimension} not in ('drop_down', 'labels') or ${t.fieldId} is not null)`,
    ),
  ],
);

/**
 * A project's ageing signals (docs/flow-metrics.md §8), set in `/flow settings signals`: each one on or
 * off, the stalled signal's N working days, and the days of the stuck signal's project rule (null = the
 * project's SLE). A project without a row has the defaults: every signal on, N = 5, no days set.
 */
export const signalSettings = pgTable(
  "signal_settings",
  {
    projectId: bigint("project_id", { mode: "number" })
      .primaryKey()
      .references(() => projects.id, { onDelete: "cascade" }),
    overSleOn: boolean("over_sle_on").notNull().default(true),
    stuckOn: boolean("stuck_on").notNull().default(true),
    stalledOn: boolean("stalled_on").notNull().default(true),
    stalledDays: smallint("stalled_days").notNull().default(5),
    stuckRuleDays: real("stuck_rule_days"),
    updatedBy: text("updated_by"),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [
    check("signal_settings_stalled_days", sql`${t.stalledDays} between 1 and 60`),
    check("signal_settings_stuck_rule_days", sql`${t.stuckRuleDays} > 0`),
  ],
);

/*
 * WIP limits (docs/flow-metrics.md §10.1): one row per limited status key or stage of a project, with
 * the immediate alert's state. `fired` is false (armed) when the limit is set or changed; the
 * check-wip-limits job flips it atomically, so several workers post one alert.
 */
export const wipLimitTarget = pgEnum("wip_limit_target", ["status", "stage"]);

export const wipLimits = pgTable(
  "wip_limits",
  {
    projectId: bigint("project_id", { mode: "number" })
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    targetKind: wipLimitTarget("target_kind").notNull(),
    /** A status key (§2) or one of not_started, active, blocked. */
    target: text("target").notNull(),
    wipLimit: integer("wip_limit").notNull(),
    fired: boolean("fired").notNull().default(false),
    updatedBy: text("updated_by").notNull(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.targetKind, t.target] }),
    check("wip_limits_whole", sql`${t.wipLimit} >= 0`),
    check(
      "wip_limits_stage",
      sql`${t.targetKind} <> 'stage' or ${t.target} in ('not_started', 'active', 'blocked')`,
    ),
  ],
);

/** Whether a project's limits alert its channel at once (§10.1: off by default, so no row is off). */
export const wipAlertSettings = pgTable("wip_alert_settings", {
  projectId: bigint("project_id", { mode: "number" })
    .primaryKey()
    .references(() => projects.id, { onDelete: "cascade" }),
  alertAtOnce: boolean("alert_at_once").notNull().default(false),
  updatedBy: text("updated_by").notNull(),
  updatedAt: ts("updated_at").notNull().defaultNow(),
});

/**
 * A project's blocked rules beyond the status rule, which always holds (docs/flow-metrics.md §9.1): the
 * chosen tags (as keys, lower-cased like tracked_cases.tags), one chosen custom field with the options
 * that block (a drop-down set to one, labels containing one; a checkbox blocks when checked and lists
 * none), and whether waiting on an unfinished case of the project blocks. No row: the status rule only.
 */
export const blockedRules = pgTable("blocked_rules", {
  projectId: bigint("project_id", { mode: "number" })
    .primaryKey()
    .references(() => projects.id, { onDelete: "cascade" }),
  tagKeys: text("tag_keys").array().notNull().default(sql`'{}'::text[]`),
  fieldId: text("field_id"),
  optionIds: text("option_ids").array().notNull().default(sql`'{}'::text[]`),
  dependency: boolean("dependency").notNull().default(false),
  updatedBy: text("updated_by").notNull(),
  updatedAt: ts("updated_at").notNull().defaultNow(),
});

/** Why a blocked interval holds (the status rule is read from the timeline, not kept here). */
export const blockedReasonKind = pgEnum("blocked_reason_kind", ["tag", "field", "dependency"]);

/**
 * A span [started_at, ended_at) during which one blocked rule held for a case (docs/flow-metrics.md §9.2);
 * `ended_at` is null while it holds. `detail` names the reason: the tag key, `<field id>:<option id>` (or
 * the field id for a checkbox), or the id of the task waited on. Kept by db/functions/blocked-intervals.sql
 * from the case's fields as sync writes them; `inferred` when its start or end is a `date_updated` (§6.1).
 */
export const blockedIntervals = pgTable(
  "blocked_intervals",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    caseId: bigint("case_id", { mode: "number" })
      .notNull()
      .references(() => trackedCases.id, { onDelete: "cascade" }),
    kind: blockedReasonKind("kind").notNull(),
    detail: text("detail").notNull(),
    startedAt: ts("started_at").notNull(),
    endedAt: ts("ended_at"),
    inferred: boolean("inferred").notNull(),
  },
  (t) => [
    index("blocked_intervals_case").on(t.caseId, t.startedAt),
    // At most one open interval per case and reason.
    uniqueIndex("blocked_intervals_open").on(t.caseId, t.kind, t.detail).where(sql`ended_at is null`),
    index("blocked_intervals_waiting").on(t.detail).where(sql`kind = 'dependency' and ended_at is null`),
  ],
);

/**
 * A project's holiday calendar and blackout dates (docs/flow-metrics.md §11), set with
 * `/flow settings holidays` (src/flow/holidays/). Blackouts are kept as the admin's entries, normalised
 * (`YYYY-MM-DD` or `YYYY-MM-DD..YYYY-MM-DD`). No row: Monday to Friday only.
 */
export const holidaySettings = pgTable("holiday_settings", {
  projectId: bigint("project_id", { mode: "number" })
    .primaryKey()
    .references(() => projects.id, { onDelete: "cascade" }),
  /** ISO 3166-1 code as the holidays library spells it, e.g. `DE`; null: no public holidays. */
  country: text("country"),
  /** The library's region code within the country, e.g. `BY`. */
  region: text("region"),
  blackouts: text("blackouts").array().notNull().default(sql`'{}'::text[]`),
  updatedBy: text("updated_by").notNull(),
  updatedAt: ts("updated_at").notNull().defaultNow(),
});

/**
 * The resolved list (§11): every Monday-to-Friday date the project does not work, public holidays and
 * blackouts together (weekend dates change nothing, so they are left out). The day counts read it as one
 * sorted array per query (flowbot_project_holidays in db/functions/day-counts.sql); no rows: the
 * Mon–Fri formulas apply.
 */
export const projectHolidays = pgTable(
  "project_holidays",
  {
    projectId: bigint("project_id", { mode: "number" })
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    day: date("day", { mode: "string" }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.day] }),
    check("project_holidays_weekday", sql`extract(isodow from ${t.day}) <= 5`),
  ],
);

/**
 * Tracked forecasts (docs/flow-metrics.md §12.7), set with `/flow forecast track <set> by DATE`: the set as
 * typed (resolved again every night), its key (one track per set and project), the date, and what the
 * nightly run last found. `alerted_band` is the lowest band alerted for since the chance last climbed —
 * 100 (none), 85, 70 or 50 — and the one conditional update that lowers it is the alert's claim, so
 * several workers post a drop once.
 */
export const trackedForecasts = pgTable(
  "tracked_forecasts",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    projectId: bigint("project_id", { mode: "number" })
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    setText: text("set_text").notNull(),
    setKey: text("set_key").notNull(),
    /** How the set is named in Slack ("tag launch", "task type Bug"). */
    setLabel: text("set_label").notNull(),
    targetDate: date("target_date", { mode: "string" }).notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
    /** The chance (0–1) of finishing by the date at the last run, and that run's open items. */
    lastChance: doublePrecision("last_chance"),
    lastOpen: integer("last_open"),
    lastRunAt: ts("last_run_at"),
    alertedBand: smallint("alerted_band").notNull().default(100),
  },
  (t) => [
    uniqueIndex("tracked_forecasts_set").on(t.projectId, t.setKey),
    check("tracked_forecasts_band", sql`${t.alertedBand} in (100, 85, 70, 50)`),
  ],
);

/**
 * A member of a connection's ClickUp workspace (docs/clickup.md §17), read from `GET /v2/team`, and the Slack
 * user flowbot mentions for them. The address is not kept: `email_hash` (SHA-256 of the lower-cased email)
 * only tells the next read that it changed, so an email match is looked up again. `matched_by` is `email`
 * (users.lookupByEmail) or `manual` (an admin in `/flow people`, kept across reads); null: unmatched.
 */
export const clickupMembers = pgTable(
  "clickup_members",
  {
    connectionId: bigint("connection_id", { mode: "number" })
      .notNull()
      .references(() => connections.id, { onDelete: "cascade" }),
    clickupUserId: bigint("clickup_user_id", { mode: "number" }).notNull(),
    username: text("username"),
    /** 1 owner, 2 admin, 3 member, 4 guest. */
    role: smallint("role"),
    emailHash: text("email_hash"),
    slackUserId: text("slack_user_id"),
    matchedBy: text("matched_by"),
    mappedBy: text("mapped_by"),
    seenAt: ts("seen_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.connectionId, t.clickupUserId] }),
    check("clickup_members_matched_by", sql`${t.matchedBy} in ('email', 'manual')`),
  ],
);

/**
 * A ClickUp time entry on a tracked case's task (docs/clickup.md §18, docs/flow-metrics.md §15), one row per
 * case (a task tracked by two projects has two), so it goes with the case. `duration_ms` null: still running.
 */
export const timeEntries = pgTable(
  "time_entries",
  {
    caseId: bigint("case_id", { mode: "number" })
      .notNull()
      .references(() => trackedCases.id, { onDelete: "cascade" }),
    entryId: text("entry_id").notNull(),
    clickupUserId: bigint("clickup_user_id", { mode: "number" }),
    startedAt: ts("started_at").notNull(),
    durationMs: bigint("duration_ms", { mode: "number" }),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.entryId] }), index("time_entries_started").on(t.startedAt)],
);

/**
 * A ClickUp goal linked to a binding (docs/clickup.md §19.4): one of its key results names a task the binding
 * tracks or a list it covers. Kept per binding, so unbind & delete data removes it with the binding.
 * `key_results`: [{id, name, type, percent, completed, taskIds, listIds}] of the linked key results.
 */
export const bindingGoals = pgTable(
  "binding_goals",
  {
    bindingId: bigint("binding_id", { mode: "number" })
      .notNull()
      .references(() => bindings.id, { onDelete: "cascade" }),
    goalId: text("goal_id").notNull(),
    name: text("name").notNull(),
    dueAt: ts("due_at"),
    percentCompleted: real("percent_completed"),
    url: text("url"),
    keyResults: jsonb("key_results").notNull().default(sql`'[]'::jsonb`),
    readAt: ts("read_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.bindingId, t.goalId] })],
);

/**
 * Where the people, time and goal reads of a connection stand: the time-entry cursor (entries read up to
 * `time_read_through`), whether only the token owner's entries could be read, and the goals skipped at the
 * last read because the token cannot see them.
 */
export const peopleSyncState = pgTable("people_sync_state", {
  connectionId: bigint("connection_id", { mode: "number" })
    .primaryKey()
    .references(() => connections.id, { onDelete: "cascade" }),
  membersReadAt: ts("members_read_at"),
  timeReadThrough: ts("time_read_through"),
  timeOwnerOnly: boolean("time_owner_only").notNull().default(false),
  goalsReadAt: ts("goals_read_at"),
  goalsSkipped: integer("goals_skipped").notNull().default(0),
});

/**
 * What the last goal reads found per goal of a connection's workspace (docs/clickup.md §19.5), so that a goal
 * is opened again (`GET /v2/goal/{id}`) only when the goal list shows it changed (`version`: its update times,
 * percent and key-result count) or a day has passed. `key_results` holds the key results as binding_goals
 * keeps them (for linking to tasks or lists bound later); `visible` is false for a goal the token could not open.
 */
export const clickupGoalReads = pgTable(
  "clickup_goal_reads",
  {
    connectionId: bigint("connection_id", { mode: "number" })
      .notNull()
      .references(() => connections.id, { onDelete: "cascade" }),
    goalId: text("goal_id").notNull(),
    version: text("version").notNull(),
    visible: boolean("visible").notNull(),
    url: text("url"),
    keyResults: jsonb("key_results").notNull().default(sql`'[]'::jsonb`),
    readAt: ts("read_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.connectionId, t.goalId] })],
);
