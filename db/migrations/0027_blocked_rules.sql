CREATE TYPE "public"."blocked_reason_kind" AS ENUM('tag', 'field', 'dependency');--> statement-breakpoint
CREATE TABLE "blocked_intervals" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"case_id" bigint NOT NULL,
	"kind" "blocked_reason_kind" NOT NULL,
	"detail" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"inferred" boolean NOT NULL
);
--> statement-breakpoint
CREATE TABLE "blocked_rules" (
	"project_id" bigint PRIMARY KEY NOT NULL,
	"tag_keys" text[] DEFAULT '{}'::text[] NOT NULL,
	"field_id" text,
	"option_ids" text[] DEFAULT '{}'::text[] NOT NULL,
	"dependency" boolean DEFAULT false NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "blocked_intervals" ADD CONSTRAINT "blocked_intervals_case_id_tracked_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."tracked_cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "blocked_rules" ADD CONSTRAINT "blocked_rules_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "blocked_intervals_case" ON "blocked_intervals" USING btree ("case_id","started_at");--> statement-breakpoint
CREATE UNIQUE INDEX "blocked_intervals_open" ON "blocked_intervals" USING btree ("case_id","kind","detail") WHERE ended_at is null;--> statement-breakpoint
CREATE INDEX "blocked_intervals_waiting" ON "blocked_intervals" USING btree ("detail") WHERE kind = 'dependency' and ended_at is null;