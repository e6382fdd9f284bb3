ALTER TABLE "flow_cases" ADD COLUMN "cycle_days" double precision;--> statement-breakpoint
ALTER TABLE "flow_cases" ADD COLUMN "cycle_work_days" double precision;--> statement-breakpoint
ALTER TABLE "flow_cases" ADD COLUMN "cycle_calendar_days" integer;--> statement-breakpoint
ALTER TABLE "flow_cases" ADD COLUMN "lead_days" double precision;--> statement-breakpoint
ALTER TABLE "flow_cases" ADD COLUMN "lead_work_days" double precision;--> statement-breakpoint
ALTER TABLE "flow_cases" ADD COLUMN "finished_week" timestamp with time zone;