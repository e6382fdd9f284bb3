-- Cheaper upkeep of the flow facts on the write paths of backfill and live sync:
--   * a newly inserted case has no transitions or timings yet (they reference it), so its facts are its
--     current status since date_created, written directly instead of through the full rebuild;
--   * an updated case is rebuilt only when something the timeline reads changed: tracked/deleted/created/
--     binding, or its status while it has no transition (with transitions, they are the timeline).
CREATE OR REPLACE FUNCTION flowbot_flow_new_cases(ids bigint[]) RETURNS void
LANGUAGE sql AS $$
  WITH c AS (
    SELECT tc.id AS case_id, tc.binding_id, b.project_id, tc.date_created, tc.status_name, tc.status_type
    FROM (SELECT DISTINCT unnest(ids) AS id) u
    JOIN tracked_cases tc ON tc.id = u.id
    JOIN bindings b ON b.id = tc.binding_id
    WHERE tc.tracked AND tc.deleted_at IS NULL
  ),
  ins AS (
    INSERT INTO flow_case_status (case_id, status_name, status_type, project_id, seconds, first_entered_at,
                                  last_exited_at, is_current, estimated)
    SELECT case_id, status_name, status_type, project_id, 0, date_created, NULL, true, true FROM c
    ON CONFLICT (case_id, status_name) DO NOTHING
    RETURNING case_id
  )
  INSERT INTO flow_cases (case_id, project_id, binding_id, created_at, current_status, current_type,
                          current_since, current_stage, estimated)
  SELECT case_id, project_id, binding_id, date_created, status_name, status_type, date_created,
         flowbot_default_stage(status_name, status_type), true
  FROM c
  ON CONFLICT (case_id) DO NOTHING;
  SELECT flowbot_flow_stages(ids, NULL);
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION flowbot_flow_on_new_cases() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM flowbot_flow_new_cases(ARRAY(SELECT id FROM changed));
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION flowbot_flow_on_changed_cases() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM flowbot_flow_rebuild(ARRAY(
    SELECT n.id
    FROM changed n JOIN prior o ON o.id = n.id
    WHERE n.tracked IS DISTINCT FROM o.tracked
       OR n.deleted_at IS DISTINCT FROM o.deleted_at
       OR n.date_created IS DISTINCT FROM o.date_created
       OR n.binding_id IS DISTINCT FROM o.binding_id
       OR ((n.status_name IS DISTINCT FROM o.status_name OR n.status_type IS DISTINCT FROM o.status_type)
           AND NOT EXISTS (SELECT 1 FROM status_transitions t WHERE t.case_id = n.id))));
  RETURN NULL;
END
$$;
--> statement-breakpoint
DROP TRIGGER IF EXISTS flow_cases_ins ON tracked_cases;
--> statement-breakpoint
DROP TRIGGER IF EXISTS flow_cases_upd ON tracked_cases;
--> statement-breakpoint
CREATE TRIGGER flow_cases_ins AFTER INSERT ON tracked_cases
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION flowbot_flow_on_new_cases();
--> statement-breakpoint
CREATE TRIGGER flow_cases_upd AFTER UPDATE ON tracked_cases
  REFERENCING OLD TABLE AS prior NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION flowbot_flow_on_changed_cases();
