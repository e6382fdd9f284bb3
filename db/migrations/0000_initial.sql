CREATE TYPE "public"."container_type" AS ENUM('space', 'folder', 'list');--> statement-breakpoint
CREATE TYPE "public"."delivery_outcome" AS ENUM('pending', 'applied', 'dropped', 'ignored');--> statement-breakpoint
CREATE TYPE "public"."flow_stage" AS ENUM('not_started', 'active', 'blocked', 'done');--> statement-breakpoint
CREATE TYPE "public"."rework_kind" AS ENUM('flow_back', 'reopen');--> statement-breakpoint
CREATE TYPE "public"."sync_status" AS ENUM('not_synced', 'synced', 'paused', 'error');--> statement-breakpoint
CREATE TYPE "public"."transition_source" AS ENUM('webhook', 'backfill', 'reconcile');--> statement-breakpoint
CREATE TABLE "alert_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"project_id" bigint NOT NULL,
	"case_id" bigint NOT NULL,
	"kind" text NOT NULL,
	"threshold" text NOT NULL,
	"alerted_at" timestamp with time zone NOT NULL,
	"channel_id" text NOT NULL,
	"message_ts" text
);
--> statement-breakpoint
CREATE TABLE "bindings" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"project_id" bigint NOT NULL,
	"container_type" "container_type" NOT NULL,
	"container_id" text NOT NULL,
	"container_name" text NOT NULL,
	"container_path" text NOT NULL,
	"space_id" text NOT NULL,
	"folder_id" text,
	"sync_status" "sync_status" DEFAULT 'not_synced' NOT NULL,
	"error_code" text,
	"error_reason" text,
	"warning" text,
	"last_synced_at" timestamp with time zone,
	"high_water_mark" timestamp with time zone,
	"backfill_checkpoint" jsonb,
	"webhook_id" text,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "clickup_webhooks" (
	"id" text PRIMARY KEY NOT NULL,
	"connection_id" bigint NOT NULL,
	"container_type" "container_type" NOT NULL,
	"container_id" text NOT NULL,
	"endpoint" text NOT NULL,
	"events" text[] NOT NULL,
	"secret_sealed" text NOT NULL,
	"health_status" text DEFAULT 'active' NOT NULL,
	"fail_count" integer DEFAULT 0 NOT NULL,
	"last_checked_at" timestamp with time zone,
	"failing_notified_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "comment_sentiment" (
	"case_id" bigint NOT NULL,
	"comment_id" text NOT NULL,
	"score" real NOT NULL,
	"label" text NOT NULL,
	"commented_at" timestamp with time zone NOT NULL,
	"analysed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "comment_sentiment_case_id_comment_id_pk" PRIMARY KEY("case_id","comment_id")
);
--> statement-breakpoint
CREATE TABLE "connections" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"slack_team_id" text NOT NULL,
	"clickup_team_id" text NOT NULL,
	"clickup_team_name" text NOT NULL,
	"token_sealed" text NOT NULL,
	"token_last4" text NOT NULL,
	"token_owner_id" bigint NOT NULL,
	"token_owner_name" text NOT NULL,
	"token_owner_email" text,
	"connected_by" text NOT NULL,
	"connected_at" timestamp with time zone DEFAULT now() NOT NULL,
	"module_enabled" boolean DEFAULT true NOT NULL,
	"rate_limit_per_min" integer,
	"rate_limit_observed_at" timestamp with time zone,
	CONSTRAINT "connections_slack_team_id_unique" UNIQUE("slack_team_id")
);
--> statement-breakpoint
CREATE TABLE "digest_runs" (
	"project_id" bigint NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"posted_at" timestamp with time zone,
	"message_ts" text,
	CONSTRAINT "digest_runs_project_id_due_at_pk" PRIMARY KEY("project_id","due_at")
);
--> statement-breakpoint
CREATE TABLE "projects" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"slack_team_id" text NOT NULL,
	"channel_id" text NOT NULL,
	"channel_name" text,
	"time_zone" text DEFAULT 'UTC' NOT NULL,
	"digest_channel_id" text,
	"digest_enabled" boolean DEFAULT true NOT NULL,
	"digest_days" smallint[] DEFAULT '{1,2,3,4,5}'::smallint[] NOT NULL,
	"digest_time" text DEFAULT '09:00' NOT NULL,
	"digest_all_flowing_line" boolean DEFAULT false NOT NULL,
	"ageing_percentile" smallint DEFAULT 85 NOT NULL,
	"ageing_fixed_days" real,
	"sle_days" real,
	"working_days" boolean DEFAULT false NOT NULL,
	"window_days" smallint DEFAULT 90 NOT NULL,
	"last_digest_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rework_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"case_id" bigint NOT NULL,
	"binding_id" bigint NOT NULL,
	"transition_id" bigint NOT NULL,
	"kind" "rework_kind" NOT NULL,
	"from_status" text NOT NULL,
	"to_status" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"actor_id" bigint,
	"actor_name" text
);
--> statement-breakpoint
CREATE TABLE "snoozes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"project_id" bigint NOT NULL,
	"case_id" bigint NOT NULL,
	"until" timestamp with time zone,
	"until_status_changes_from" text,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stage_overrides" (
	"project_id" bigint NOT NULL,
	"status_key" text NOT NULL,
	"status_name" text NOT NULL,
	"stage" "flow_stage" NOT NULL,
	CONSTRAINT "stage_overrides_project_id_status_key_pk" PRIMARY KEY("project_id","status_key")
);
--> statement-breakpoint
CREATE TABLE "status_timings" (
	"case_id" bigint NOT NULL,
	"status_name" text NOT NULL,
	"status_type" text,
	"status_orderindex" integer,
	"total_minutes" integer NOT NULL,
	"since" timestamp with time zone NOT NULL,
	"is_current" boolean DEFAULT false NOT NULL,
	CONSTRAINT "status_timings_case_id_status_name_pk" PRIMARY KEY("case_id","status_name")
);
--> statement-breakpoint
CREATE TABLE "status_transitions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"case_id" bigint NOT NULL,
	"binding_id" bigint NOT NULL,
	"from_status" text,
	"from_type" text,
	"from_orderindex" integer,
	"to_status" text NOT NULL,
	"to_type" text NOT NULL,
	"to_orderindex" integer NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"actor_id" bigint,
	"actor_name" text,
	"source" "transition_source" NOT NULL,
	"inferred" boolean DEFAULT false NOT NULL,
	"history_item_id" text
);
--> statement-breakpoint
CREATE TABLE "sync_errors" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"slack_team_id" text NOT NULL,
	"binding_id" bigint,
	"code" text NOT NULL,
	"message" text NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tracked_cases" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"binding_id" bigint NOT NULL,
	"task_id" text NOT NULL,
	"custom_id" text,
	"name" text NOT NULL,
	"url" text NOT NULL,
	"home_list_id" text NOT NULL,
	"parent_task_id" text,
	"status_name" text NOT NULL,
	"status_type" text NOT NULL,
	"status_orderindex" integer NOT NULL,
	"status_id" text,
	"date_created" timestamp with time zone NOT NULL,
	"date_updated" timestamp with time zone NOT NULL,
	"date_done" timestamp with time zone,
	"date_closed" timestamp with time zone,
	"archived" boolean DEFAULT false NOT NULL,
	"assignees" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"tracked" boolean DEFAULT true NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"idempotency_key" text NOT NULL,
	"webhook_id" text NOT NULL,
	"event" text NOT NULL,
	"task_id" text,
	"body" jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"outcome" "delivery_outcome" DEFAULT 'pending' NOT NULL,
	"applied_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "alert_log" ADD CONSTRAINT "alert_log_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_log" ADD CONSTRAINT "alert_log_case_id_tracked_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."tracked_cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bindings" ADD CONSTRAINT "bindings_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bindings" ADD CONSTRAINT "bindings_webhook_id_clickup_webhooks_id_fk" FOREIGN KEY ("webhook_id") REFERENCES "public"."clickup_webhooks"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clickup_webhooks" ADD CONSTRAINT "clickup_webhooks_connection_id_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "comment_sentiment" ADD CONSTRAINT "comment_sentiment_case_id_tracked_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."tracked_cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "digest_runs" ADD CONSTRAINT "digest_runs_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rework_events" ADD CONSTRAINT "rework_events_case_id_tracked_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."tracked_cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rework_events" ADD CONSTRAINT "rework_events_transition_id_status_transitions_id_fk" FOREIGN KEY ("transition_id") REFERENCES "public"."status_transitions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "snoozes" ADD CONSTRAINT "snoozes_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "snoozes" ADD CONSTRAINT "snoozes_case_id_tracked_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."tracked_cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stage_overrides" ADD CONSTRAINT "stage_overrides_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "status_timings" ADD CONSTRAINT "status_timings_case_id_tracked_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."tracked_cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "status_transitions" ADD CONSTRAINT "status_transitions_case_id_tracked_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."tracked_cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_errors" ADD CONSTRAINT "sync_errors_binding_id_bindings_id_fk" FOREIGN KEY ("binding_id") REFERENCES "public"."bindings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tracked_cases" ADD CONSTRAINT "tracked_cases_binding_id_bindings_id_fk" FOREIGN KEY ("binding_id") REFERENCES "public"."bindings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "alert_log_once" ON "alert_log" USING btree ("project_id","case_id","kind","threshold");--> statement-breakpoint
CREATE UNIQUE INDEX "bindings_project_container" ON "bindings" USING btree ("project_id","container_type","container_id");--> statement-breakpoint
CREATE UNIQUE INDEX "projects_team_channel" ON "projects" USING btree ("slack_team_id","channel_id");--> statement-breakpoint
CREATE UNIQUE INDEX "rework_events_transition" ON "rework_events" USING btree ("transition_id");--> statement-breakpoint
CREATE INDEX "rework_events_binding" ON "rework_events" USING btree ("binding_id");--> statement-breakpoint
CREATE INDEX "snoozes_project_case" ON "snoozes" USING btree ("project_id","case_id");--> statement-breakpoint
CREATE UNIQUE INDEX "status_transitions_case_item" ON "status_transitions" USING btree ("case_id","history_item_id");--> statement-breakpoint
CREATE INDEX "status_transitions_case_time" ON "status_transitions" USING btree ("case_id","occurred_at");--> statement-breakpoint
CREATE INDEX "status_transitions_binding" ON "status_transitions" USING btree ("binding_id");--> statement-breakpoint
CREATE INDEX "sync_errors_team_time" ON "sync_errors" USING btree ("slack_team_id","occurred_at");--> statement-breakpoint
CREATE UNIQUE INDEX "tracked_cases_binding_task" ON "tracked_cases" USING btree ("binding_id","task_id");--> statement-breakpoint
CREATE INDEX "tracked_cases_task" ON "tracked_cases" USING btree ("task_id");--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_deliveries_key" ON "webhook_deliveries" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_task" ON "webhook_deliveries" USING btree ("task_id");