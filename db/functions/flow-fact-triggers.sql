-- The triggers that keep the flow facts current (statement-level, over transition tables): a change to
-- a case's transitions or timings rebuilds it; a new case gets its first facts; an updated case is rebuilt
-- only when something its timeline reads changed; a stage-override or zone change re-derives the project.
-- Under flowbot_flow_rebuild_deferred() the case-level ones list the cases instead (deferred-rebuild.sql).

CREATE OR REPLACE FUNCTION flowbot_flow_on_case_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF flowbot_flow_rebuild_deferred() THEN
    PERFORM flowbot_list_cases_for_rebuild(ARRAY(SELECT DISTINCT case_id FROM changed));
  ELSE
    PERFORM flowbot_rebuild_flow_facts(ARRAY(SELECT DISTINCT case_id FROM changed));
  END IF;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION flowbot_flow_on_new_cases() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF flowbot_flow_rebuild_deferred() THEN
    PERFORM flowbot_list_cases_for_rebuild(ARRAY(SELECT id FROM changed));
  ELSE
    PERFORM flowbot_add_new_case_flow_facts(ARRAY(SELECT id FROM changed));
  END IF;
  RETURN NULL;
END
$$;

-- The status test is a scalar subquery, one index probe per changed case: written as NOT EXISTS inside the
-- OR it may be planned as a hashed scan of all of status_transitions, and plpgsql keeps that plan for the
-- connection (test/db/case-trigger-plan.test.ts).
CREATE OR REPLACE FUNCTION flowbot_flow_on_changed_cases() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  ids bigint[];
BEGIN
  ids := ARRAY(
    SELECT n.id
    FROM changed n JOIN prior o ON o.id = n.id
    WHERE n.tracked IS DISTINCT FROM o.tracked
       OR n.deleted_at IS DISTINCT FROM o.deleted_at
       OR n.date_created IS DISTINCT FROM o.date_created
       OR n.binding_id IS DISTINCT FROM o.binding_id
       OR ((n.status_name IS DISTINCT FROM o.status_name OR n.status_type IS DISTINCT FROM o.status_type)
           AND (SELECT t.id FROM status_transitions t WHERE t.case_id = n.id LIMIT 1) IS NULL));
  IF flowbot_flow_rebuild_deferred() THEN
    PERFORM flowbot_list_cases_for_rebuild(ids);
  ELSE
    PERFORM flowbot_rebuild_flow_facts(ids);
  END IF;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION flowbot_flow_on_overrides() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- Only stages change: durations of cases whose start and finish stay put are kept (see the function).
  PERFORM set_config('flowbot.mapping_only', 'on', true);
  PERFORM flowbot_derive_start_finish_cycle_lead(NULL, p.project_id) FROM (SELECT DISTINCT project_id FROM changed) p;
  PERFORM set_config('flowbot.mapping_only', 'off', true);
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION flowbot_flow_on_project_zone() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM flowbot_derive_start_finish_cycle_lead(NULL, NEW.id);
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER flow_transitions_ins AFTER INSERT ON status_transitions
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION flowbot_flow_on_case_rows();
CREATE OR REPLACE TRIGGER flow_transitions_upd AFTER UPDATE ON status_transitions
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION flowbot_flow_on_case_rows();
CREATE OR REPLACE TRIGGER flow_transitions_del AFTER DELETE ON status_transitions
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION flowbot_flow_on_case_rows();
CREATE OR REPLACE TRIGGER flow_timings_ins AFTER INSERT ON status_timings
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION flowbot_flow_on_case_rows();
CREATE OR REPLACE TRIGGER flow_timings_upd AFTER UPDATE ON status_timings
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION flowbot_flow_on_case_rows();
CREATE OR REPLACE TRIGGER flow_timings_del AFTER DELETE ON status_timings
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION flowbot_flow_on_case_rows();
CREATE OR REPLACE TRIGGER flow_cases_ins AFTER INSERT ON tracked_cases
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION flowbot_flow_on_new_cases();
CREATE OR REPLACE TRIGGER flow_cases_upd AFTER UPDATE ON tracked_cases
  REFERENCING OLD TABLE AS prior NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION flowbot_flow_on_changed_cases();
CREATE OR REPLACE TRIGGER flow_overrides_ins AFTER INSERT ON stage_overrides
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION flowbot_flow_on_overrides();
CREATE OR REPLACE TRIGGER flow_overrides_upd AFTER UPDATE ON stage_overrides
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION flowbot_flow_on_overrides();
CREATE OR REPLACE TRIGGER flow_overrides_del AFTER DELETE ON stage_overrides
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION flowbot_flow_on_overrides();
CREATE OR REPLACE TRIGGER flow_project_zone AFTER UPDATE OF time_zone ON projects
  FOR EACH ROW WHEN (OLD.time_zone IS DISTINCT FROM NEW.time_zone)
  EXECUTE FUNCTION flowbot_flow_on_project_zone();
