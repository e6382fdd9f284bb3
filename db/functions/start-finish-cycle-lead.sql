-- What a case's facts mean under its project's stage mapping (docs/flow-metrics.md §2, §4.1–4.5), for the
-- given cases, or (ids NULL) every case of project `pid`:
--   started   = the first entry into an active or blocked stage;
--   finished  = the last entry into done, when the case is in done now (it never left since);
--   current stage, active and blocked seconds;
--   cycle time (elapsed and working days, calendar-days count) = finished − started, and
--   lead time = finished − created, in the project's zone; the week of the finish.
-- A stage-mapping or zone change re-runs it for the whole project; nothing else is read again. After a
-- mapping change (flowbot.mapping_only = 'on', set by the stage_overrides trigger) the working-day
-- durations of a case whose start and finish did not move are kept: they depend only on those instants,
-- its creation, the zone and the holidays, none of which a mapping changes. A project with holidays
-- (docs/flow-metrics.md §11) counts working days with the holiday-aware forms; every other keeps the
-- Mon–Fri ones (hol, the project's list read once; NULL without holidays).
CREATE OR REPLACE FUNCTION flowbot_derive_start_finish_cycle_lead(ids bigint[], pid bigint) RETURNS void
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
    LEFT JOIN stage_overrides o ON o.project_id = s.project_id AND o.status_key = flowbot_status_key(s.status_name)
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
  agg1 AS (
    SELECT a.*, CASE WHEN a.is_done THEN coalesce(a.left_undone, a.first_at) END AS fin
    FROM agg0 a
  ),
  pj AS MATERIALIZED (
    SELECT p.id, p.time_zone, flowbot_project_holidays(p.id) AS hol
    FROM projects p
    WHERE ids IS NOT NULL OR p.id = pid
  ),
  agg AS (
    SELECT a.*,
           coalesce(current_setting('flowbot.mapping_only', true), '') = 'on'
             AND a.started IS NOT DISTINCT FROM c.started_at AND a.fin IS NOT DISTINCT FROM c.finished_at
             AS unmoved
    FROM agg1 a JOIN flow_cases c ON c.case_id = a.case_id
  ),
  upd AS (
    UPDATE flow_cases fc
    SET started_at = a.started,
        finished_at = a.fin,
        current_stage = coalesce(a.cur_stage, fc.current_stage),
        active_seconds = a.act,
        blocked_seconds = a.blk,
        cycle_days = CASE WHEN a.started IS NOT NULL THEN flowbot_days(a.started, a.fin, p.time_zone, false) END,
        cycle_work_days = CASE WHEN a.unmoved THEN fc.cycle_work_days ELSE w.fin - w.started END,
        cycle_calendar_days = CASE WHEN a.started IS NOT NULL THEN flowbot_calendar_days(a.started, a.fin, p.time_zone) END,
        lead_days = flowbot_days(fc.created_at, a.fin, p.time_zone, false),
        lead_work_days = CASE WHEN a.unmoved THEN fc.lead_work_days
                              WHEN a.fin IS NOT NULL AND p.hol IS NOT NULL
                                THEN w.fin - flowbot_holiday_working_days_at(fc.created_at, p.time_zone, p.hol)
                              WHEN a.fin IS NOT NULL THEN w.fin - flowbot_working_days_at(fc.created_at, p.time_zone) END,
        finished_week = date_trunc('week', a.fin AT TIME ZONE p.time_zone) AT TIME ZONE p.time_zone
    FROM agg a, pj p,
      -- The working-day positions of finish and start once each (OFFSET 0 keeps the planner from
      -- inlining the subquery, which would compute them again at every use), for finished cases only.
      LATERAL (
        SELECT CASE WHEN a.fin IS NULL OR a.unmoved THEN NULL
                 WHEN p.hol IS NOT NULL THEN flowbot_holiday_working_days_at(a.fin, p.time_zone, p.hol)
                 ELSE flowbot_working_days_at(a.fin, p.time_zone) END AS fin,
               CASE WHEN a.fin IS NULL OR a.started IS NULL OR a.unmoved THEN NULL
                 WHEN p.hol IS NOT NULL THEN flowbot_holiday_working_days_at(a.started, p.time_zone, p.hol)
                 ELSE flowbot_working_days_at(a.started, p.time_zone) END AS started
        OFFSET 0
      ) w
    WHERE fc.case_id = a.case_id AND p.id = fc.project_id
    RETURNING fc.case_id, fc.finished_at
  )
  UPDATE flow_case_status s SET case_finished_at = upd.finished_at
  FROM upd
  WHERE s.case_id = upd.case_id AND s.case_finished_at IS DISTINCT FROM upd.finished_at
$$;
