CREATE TABLE "binding_goals" (
	"binding_id" bigint NOT NULL,
	"goal_id" text NOT NULL,
	"name" text NOT NULL,
	"due_at" timestamp with time zone,
	"percent_completed" real,
	"url" text,
	"key_results" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"read_at" timestamp with time zone NOT NULL,
	CONSTRAINT "binding_goals_binding_id_goal_id_pk" PRIMARY KEY("binding_id","goal_id")
);
--> statement-breakpoint
CREATE TABLE "clickup_goal_reads" (
	"connection_id" bigint NOT NULL,
	"goal_id" text NOT NULL,
	"version" text NOT NULL,
	"visible" boolean NOT NULL,
	"url" text,
	"key_results" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"read_at" timestamp with time zone NOT NULL,
	CONSTRAINT "clickup_goal_reads_connection_id_goal_id_pk" PRIMARY KEY("connection_id","goal_id")
);
--> statement-breakpoint
CREATE TABLE "clickup_members" (
	"connection_id" bigint NOT NULL,
	"clickup_user_id" bigint NOT NULL,
	"username" text,
	"role" smallint,
	"email_hash" text,
	"slack_user_id" text,
	"matched_by" text,
	"mapped_by" text,
	"seen_at" timestamp with time zone NOT NULL,
	CONSTRAINT "clickup_members_connection_id_clickup_user_id_pk" PRIMARY KEY("connection_id","clickup_user_id"),
	CONSTRAINT "clickup_members_matched_by" CHECK ("clickup_members"."matched_by" in ('email', 'manual'))
);
--> statement-breakpoint
CREATE TABLE "people_sync_state" (
	"connection_id" bigint PRIMARY KEY NOT NULL,
	"members_read_at" timestamp with time zone,
	"time_read_through" timestamp with time zone,
	"time_owner_only" boolean DEFAULT false NOT NULL,
	"goals_read_at" timestamp with time zone,
	"goals_skipped" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "time_entries" (
	"case_id" bigint NOT NULL,
	"entry_id" text NOT NULL,
	"clickup_user_id" bigint,
	"started_at" timestamp with time zone NOT NULL,
	"duration_ms" bigint,
	CONSTRAINT "time_entries_case_id_entry_id_pk" PRIMARY KEY("case_id","entry_id")
);
--> statement-breakpoint
ALTER TABLE "binding_goals" ADD CONSTRAINT "binding_goals_binding_id_bindings_id_fk" FOREIGN KEY ("binding_id") REFERENCES "public"."bindings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clickup_goal_reads" ADD CONSTRAINT "clickup_goal_reads_connection_id_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clickup_members" ADD CONSTRAINT "clickup_members_connection_id_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "people_sync_state" ADD CONSTRAINT "people_sync_state_connection_id_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "time_entries" ADD CONSTRAINT "time_entries_case_id_tracked_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."tracked_cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "time_entries_started" ON "time_entries" USING btree ("started_at");