CREATE TABLE "signal_settings" (
	"project_id" bigint PRIMARY KEY NOT NULL,
	"over_sle_on" boolean DEFAULT true NOT NULL,
	"stuck_on" boolean DEFAULT true NOT NULL,
	"stalled_on" boolean DEFAULT true NOT NULL,
	"stalled_days" smallint DEFAULT 5 NOT NULL,
	"stuck_rule_days" real,
	"updated_by" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "signal_settings_stalled_days" CHECK ("signal_settings"."stalled_days" between 1 and 60),
	CONSTRAINT "signal_settings_stuck_rule_days" CHECK ("signal_settings"."stuck_rule_days" > 0)
);
--> statement-breakpoint
ALTER TABLE "signal_settings" ADD CONSTRAINT "signal_settings_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- The stuck signal (src/flow/metrics/signals-stuck.ts) sums each case's time per status: with case_id in
-- the cover it reads the window's finished cases and the project's unfinished ones from the index alone.
DROP INDEX IF EXISTS flow_case_status_finished_cover;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS flow_case_status_finished_cover ON flow_case_status (project_id, case_finished_at)
  INCLUDE (case_id, status_name, status_type, seconds, estimated);
