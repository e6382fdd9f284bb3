DROP INDEX "status_transitions_case_time";--> statement-breakpoint
CREATE INDEX "status_transitions_case_time" ON "status_transitions" USING btree ("case_id","occurred_at","id");