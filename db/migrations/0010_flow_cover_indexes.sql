-- Indexes drizzle cannot declare (INCLUDE columns, a partial index on another feature's table), for the
-- Flow view: the finished-in-window range read without visiting the table, and the few cases that no
-- longer count (untracked or deleted) found without scanning a project's cases.
CREATE INDEX IF NOT EXISTS flow_cases_finished_cover ON flow_cases (project_id, finished_at)
  INCLUDE (case_id, started_at, estimated, active_seconds, cycle_days, cycle_work_days, cycle_calendar_days,
           lead_days, lead_work_days, finished_week);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS tracked_cases_uncounted ON tracked_cases (id)
  WHERE NOT tracked OR deleted_at IS NOT NULL;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS flow_case_status_finished_cover ON flow_case_status (project_id, case_finished_at)
  INCLUDE (status_name, status_type, seconds, estimated);
