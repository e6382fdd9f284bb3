-- flowbot_flow_stages also stores each finished case's durations in its project's zone (flow_cases
-- cycle_days … finished_week), so the Flow view reads them instead of converting every row per request;
-- a project's time-zone change re-derives them.
CREATE OR REPLACE FUNCTION flowbot_flow_stages(ids bigint[], pid bigint) RETURNS void
LANGUAGE sql AS $$
  WITH tgt AS (
    SELECT DISTINCT u.id AS case_id FROM unnest(ids) AS u(id) WHERE ids IS NOT NULL
    UNION ALL
    SELECT case_id FROM flow_cases WHERE ids IS NULL AND project_id = pid
  ),
  st AS (
    SELECT s.case_id, s.seconds, s.first_entered_at, s.last_exited_at, s.is_current,
           coalesce(o.stage, flowbot_default_stage(s.status_name, s.status_type)) AS stage
    FROM tgt
    JOIN flow_case_status s ON s.case_id = tgt.case_id
    LEFT JOIN stage_overrides o ON o.project_id = s.project_id AND o.status_key = lower(btrim(s.status_name))
  ),
  agg0 AS (
    SELECT case_id,
           min(first_entered_at) FILTER (WHERE stage IN ('active', 'blocked')) AS started,
           coalesce(bool_or(is_current AND stage = 'done'), false) AS is_done,
           max(last_exited_at) FILTER (WHERE stage <> 'done') AS left_undone,
           min(first_entered_at) AS first_at,
           (array_agg(stage) FILTER (WHERE is_current))[1] AS cur_stage,
           coalesce(sum(seconds) FILTER (WHERE stage = 'active'), 0) AS act,
           coalesce(sum(seconds) FILTER (WHERE stage = 'blocked'), 0) AS blk
    FROM st GROUP BY case_id
  ),
  agg AS (
    SELECT a.*, CASE WHEN a.is_done THEN coalesce(a.left_undone, a.first_at) END AS fin
    FROM agg0 a
  ),
  upd AS (
    UPDATE flow_cases fc
    SET started_at = a.started,
        finished_at = a.fin,
        current_stage = coalesce(a.cur_stage, fc.current_stage),
        active_seconds = a.act,
        blocked_seconds = a.blk,
        cycle_days = CASE WHEN a.started IS NOT NULL THEN flowbot_days(a.started, a.fin, p.time_zone, false) END,
        cycle_work_days = CASE WHEN a.started IS NOT NULL THEN flowbot_days(a.started, a.fin, p.time_zone, true) END,
        cycle_calendar_days = CASE WHEN a.started IS NOT NULL THEN flowbot_calendar_days(a.started, a.fin, p.time_zone) END,
        lead_days = flowbot_days(fc.created_at, a.fin, p.time_zone, false),
        lead_work_days = flowbot_days(fc.created_at, a.fin, p.time_zone, true),
        finished_week = date_trunc('week', a.fin AT TIME ZONE p.time_zone) AT TIME ZONE p.time_zone
    FROM agg a, projects p
    WHERE fc.case_id = a.case_id AND p.id = fc.project_id
    RETURNING fc.case_id, fc.finished_at
  )
  UPDATE flow_case_status s SET case_finished_at = upd.finished_at
  FROM upd
  WHERE s.case_id = upd.case_id AND s.case_finished_at IS DISTINCT FROM upd.finished_at
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION flowbot_flow_on_project_zone() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM flowbot_flow_stages(NULL, NEW.id);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER flow_project_zone AFTER UPDATE OF time_zone ON projects
  FOR EACH ROW WHEN (OLD.time_zone IS DISTINCT FROM NEW.time_zone)
  EXECUTE FUNCTION flowbot_flow_on_project_zone();
--> statement-breakpoint
SELECT flowbot_flow_stages(NULL, id) FROM projects;
