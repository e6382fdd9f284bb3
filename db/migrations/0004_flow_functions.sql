-- Keeps flow_cases / flow_case_status (db/schema.ts) derived from each case's timeline, and the day
-- counting the Flow view uses. The timeline of a case (flow-metrics.md, "Inputs"):
--   * exact: each status_transitions row opens its to-status until the next transition (occurred_at, id);
--   * before the first transition: status_timings rows that started earlier (ClickUp time-in-status
--     totals, placed in order of their `since`; estimated), or else the first transition's from-status
--     since date_created;
--   * no transition at all: the timings, or else the current status since date_created (estimated).
-- Statuses map to stages with stage_overrides (key lower(trim(name))) over flowbot_default_stage.

-- Working seconds (Mon–Fri) from the Monday 1970-01-05 to a local wall-clock time.
CREATE OR REPLACE FUNCTION flowbot_workweek_seconds(t timestamp) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT floor(extract(epoch FROM t - timestamp '1970-01-05')::float8 / 604800) * 432000
    + least(
        extract(epoch FROM t - timestamp '1970-01-05')::float8
          - floor(extract(epoch FROM t - timestamp '1970-01-05')::float8 / 604800) * 604800,
        432000)
$$;
--> statement-breakpoint
-- Days from a to b in a zone: wall-clock calendar days (a DST day counts as one day), or working days.
CREATE OR REPLACE FUNCTION flowbot_days(a timestamptz, b timestamptz, tz text, working boolean)
RETURNS double precision LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN working
    THEN (flowbot_workweek_seconds(b AT TIME ZONE tz) - flowbot_workweek_seconds(a AT TIME ZONE tz)) / 86400
    ELSE extract(epoch FROM (b AT TIME ZONE tz) - (a AT TIME ZONE tz))::float8 / 86400
  END
$$;
--> statement-breakpoint
-- ActionableAgile's calendar-days count: date(b) − date(a) + 1 in the zone, at least 1.
CREATE OR REPLACE FUNCTION flowbot_calendar_days(a timestamptz, b timestamptz, tz text) RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT greatest(1, ((b AT TIME ZONE tz)::date - (a AT TIME ZONE tz)::date) + 1)
$$;
--> statement-breakpoint
-- Re-derives the stage-dependent columns (started, finished, current stage, active/blocked seconds) of the
-- given cases, or of a whole project, from flow_case_status and the project's current mapping.
CREATE OR REPLACE FUNCTION flowbot_flow_stages(ids bigint[], pid bigint) RETURNS void
LANGUAGE sql AS $$
  WITH st AS (
    SELECT s.case_id, s.seconds, s.first_entered_at, s.last_exited_at, s.is_current,
           coalesce(o.stage, flowbot_default_stage(s.status_name, s.status_type)) AS stage
    FROM flow_case_status s
    LEFT JOIN stage_overrides o ON o.project_id = s.project_id AND o.status_key = lower(btrim(s.status_name))
    WHERE (ids IS NULL OR s.case_id = ANY (ids)) AND (pid IS NULL OR s.project_id = pid)
  ),
  agg AS (
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
  upd AS (
    UPDATE flow_cases fc
    SET started_at = a.started,
        finished_at = CASE WHEN a.is_done THEN coalesce(a.left_undone, a.first_at) END,
        current_stage = coalesce(a.cur_stage, fc.current_stage),
        active_seconds = a.act,
        blocked_seconds = a.blk
    FROM agg a
    WHERE fc.case_id = a.case_id
    RETURNING fc.case_id, fc.finished_at
  )
  UPDATE flow_case_status s SET case_finished_at = upd.finished_at
  FROM upd
  WHERE s.case_id = upd.case_id AND s.case_finished_at IS DISTINCT FROM upd.finished_at
$$;
--> statement-breakpoint
-- Rebuilds flow_case_status and flow_cases for the given cases from their timelines.
CREATE OR REPLACE FUNCTION flowbot_flow_rebuild(ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF ids IS NULL OR cardinality(ids) = 0 THEN
    RETURN;
  END IF;
  -- Concurrent writers of the same case take turns (small sets only: each lock is a lock-table slot).
  IF cardinality(ids) <= 200 THEN
    PERFORM pg_advisory_xact_lock(7346, (x.id % 2147483647)::integer)
    FROM (SELECT DISTINCT unnest(ids) AS id ORDER BY 1) x;
  END IF;
  DELETE FROM flow_case_status WHERE case_id = ANY (ids);
  DELETE FROM flow_cases WHERE case_id = ANY (ids);
  WITH c AS (
    SELECT tc.id AS case_id, tc.binding_id, b.project_id, tc.date_created, tc.status_name, tc.status_type
    FROM tracked_cases tc JOIN bindings b ON b.id = tc.binding_id
    WHERE tc.id = ANY (ids) AND tc.tracked AND tc.deleted_at IS NULL
  ),
  tr AS (
    SELECT t.case_id, t.from_status, t.from_type, t.to_status, t.to_type, t.occurred_at,
           row_number() OVER w AS k, lead(t.occurred_at) OVER w AS next_at
    FROM status_transitions t JOIN c ON c.case_id = t.case_id
    WHERE t.case_id = ANY (ids)
    WINDOW w AS (PARTITION BY t.case_id ORDER BY t.occurred_at, t.id)
  ),
  f AS (SELECT case_id, from_status, from_type, occurred_at FROM tr WHERE k = 1),
  tim0 AS (
    SELECT s.case_id, s.status_name, s.status_type, s.total_minutes * 60.0::float8 AS total_s, s.since,
           lead(s.since) OVER (PARTITION BY s.case_id ORDER BY s.since, s.is_current, s.status_name) AS next_since,
           f.occurred_at AS first_tr_at
    FROM status_timings s JOIN c ON c.case_id = s.case_id LEFT JOIN f ON f.case_id = s.case_id
    WHERE s.case_id = ANY (ids) AND (f.case_id IS NULL OR s.since < f.occurred_at)
  ),
  tim AS (
    SELECT case_id, status_name, status_type, since,
           coalesce(next_since, first_tr_at) AS exited,
           CASE
             WHEN next_since IS NOT NULL THEN total_s
             WHEN first_tr_at IS NOT NULL THEN greatest(total_s, extract(epoch FROM first_tr_at - since)::float8)
             ELSE 0
           END AS secs
    FROM tim0
  ),
  seg AS (
    SELECT case_id, to_status AS status, to_type AS stype, occurred_at AS entered, next_at AS exited,
           coalesce(extract(epoch FROM next_at - occurred_at)::float8, 0) AS secs, false AS est
    FROM tr
    UNION ALL
    SELECT f.case_id, f.from_status, f.from_type, c.date_created, f.occurred_at,
           extract(epoch FROM f.occurred_at - c.date_created)::float8, false
    FROM f JOIN c ON c.case_id = f.case_id
    WHERE f.from_status IS NOT NULL AND c.date_created < f.occurred_at
      AND NOT EXISTS (SELECT 1 FROM tim WHERE tim.case_id = f.case_id)
    UNION ALL
    SELECT case_id, status_name, status_type,
           CASE WHEN exited IS NULL THEN since
                ELSE least(since, exited - make_interval(secs => secs)) END,
           exited, secs, true
    FROM tim
    UNION ALL
    SELECT c.case_id, c.status_name, c.status_type, c.date_created, NULL, 0, true
    FROM c
    WHERE NOT EXISTS (SELECT 1 FROM tr WHERE tr.case_id = c.case_id)
      AND NOT EXISTS (SELECT 1 FROM tim WHERE tim.case_id = c.case_id)
  ),
  ps AS (
    SELECT case_id, status,
           (array_agg(stype ORDER BY entered DESC))[1] AS stype,
           coalesce(sum(secs) FILTER (WHERE exited IS NOT NULL), 0) AS secs,
           min(entered) AS first_entered,
           max(exited) AS last_exited,
           bool_or(exited IS NULL) AS is_current,
           bool_or(est) AS est
    FROM seg GROUP BY case_id, status
  ),
  cur AS (
    SELECT DISTINCT ON (case_id) case_id, status, stype, entered
    FROM seg WHERE exited IS NULL ORDER BY case_id, entered DESC
  ),
  ins AS (
    INSERT INTO flow_case_status (case_id, status_name, status_type, project_id, seconds, first_entered_at,
                                  last_exited_at, is_current, estimated)
    SELECT ps.case_id, ps.status, ps.stype, c.project_id, ps.secs, ps.first_entered, ps.last_exited,
           ps.is_current, ps.est
    FROM ps JOIN c ON c.case_id = ps.case_id
    RETURNING case_id
  )
  INSERT INTO flow_cases (case_id, project_id, binding_id, created_at, current_status, current_type,
                          current_since, current_stage, estimated)
  SELECT c.case_id, c.project_id, c.binding_id, c.date_created,
         coalesce(cur.status, c.status_name), CASE WHEN cur.case_id IS NULL THEN c.status_type ELSE cur.stype END,
         coalesce(cur.entered, c.date_created),
         flowbot_default_stage(coalesce(cur.status, c.status_name), CASE WHEN cur.case_id IS NULL THEN c.status_type ELSE cur.stype END),
         NOT EXISTS (SELECT 1 FROM tr WHERE tr.case_id = c.case_id)
           OR EXISTS (SELECT 1 FROM tim WHERE tim.case_id = c.case_id)
  FROM c LEFT JOIN cur ON cur.case_id = c.case_id;
  PERFORM flowbot_flow_stages(ids, NULL);
END
$$;
--> statement-breakpoint
-- Rebuilds every case of a project (e.g. after restoring data); a mapping change needs only flowbot_flow_stages.
CREATE OR REPLACE FUNCTION flowbot_flow_rebuild_project(pid bigint) RETURNS void
LANGUAGE sql AS $$
  SELECT flowbot_flow_rebuild(ARRAY(
    SELECT tc.id FROM tracked_cases tc JOIN bindings b ON b.id = tc.binding_id WHERE b.project_id = pid))
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION flowbot_flow_on_case_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM flowbot_flow_rebuild(ARRAY(SELECT DISTINCT case_id FROM changed));
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION flowbot_flow_on_cases() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM flowbot_flow_rebuild(ARRAY(SELECT id FROM changed));
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION flowbot_flow_on_overrides() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM flowbot_flow_stages(NULL, p.project_id) FROM (SELECT DISTINCT project_id FROM changed) p;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER flow_transitions_ins AFTER INSERT ON status_transitions
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION flowbot_flow_on_case_rows();
--> statement-breakpoint
CREATE TRIGGER flow_transitions_upd AFTER UPDATE ON status_transitions
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION flowbot_flow_on_case_rows();
--> statement-breakpoint
CREATE TRIGGER flow_transitions_del AFTER DELETE ON status_transitions
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION flowbot_flow_on_case_rows();
--> statement-breakpoint
CREATE TRIGGER flow_timings_ins AFTER INSERT ON status_timings
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION flowbot_flow_on_case_rows();
--> statement-breakpoint
CREATE TRIGGER flow_timings_upd AFTER UPDATE ON status_timings
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION flowbot_flow_on_case_rows();
--> statement-breakpoint
CREATE TRIGGER flow_timings_del AFTER DELETE ON status_timings
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION flowbot_flow_on_case_rows();
--> statement-breakpoint
CREATE TRIGGER flow_cases_ins AFTER INSERT ON tracked_cases
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION flowbot_flow_on_cases();
--> statement-breakpoint
CREATE TRIGGER flow_cases_upd AFTER UPDATE ON tracked_cases
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION flowbot_flow_on_cases();
--> statement-breakpoint
CREATE TRIGGER flow_overrides_ins AFTER INSERT ON stage_overrides
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION flowbot_flow_on_overrides();
--> statement-breakpoint
CREATE TRIGGER flow_overrides_upd AFTER UPDATE ON stage_overrides
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION flowbot_flow_on_overrides();
--> statement-breakpoint
CREATE TRIGGER flow_overrides_del AFTER DELETE ON stage_overrides
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION flowbot_flow_on_overrides();
