-- A case's per-status facts (flow_case_status) and its row in flow_cases, rebuilt from its timeline
-- (docs/flow-metrics.md §3):
--   * exact: each status_transitions row opens its to-status until the next transition (occurred_at, id);
--   * before the first transition: the status_timings (ClickUp time-in-status totals) that started
--     earlier, placed in order of their `since` (estimated), or else the first transition's from-status
--     since date_created;
--   * no transition at all: the timings, or else the current status since date_created (estimated).
-- Cases no longer tracked, or deleted, lose their facts. Then flowbot_derive_start_finish_cycle_lead
-- derives what depends on the stage mapping.
CREATE OR REPLACE FUNCTION flowbot_rebuild_flow_facts(ids bigint[]) RETURNS void
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
  WITH c0 AS (
    SELECT tc.id AS case_id, tc.binding_id, b.project_id, tc.date_created, tc.status_name, tc.status_type
    FROM (SELECT DISTINCT unnest(ids) AS id) u
    JOIN tracked_cases tc ON tc.id = u.id
    JOIN bindings b ON b.id = tc.binding_id
    WHERE tc.tracked AND tc.deleted_at IS NULL
  ),
  tr AS (
    SELECT t.case_id, t.from_status, t.from_type, t.to_status, t.to_type, t.occurred_at,
           row_number() OVER w AS k, lead(t.occurred_at) OVER w AS next_at
    FROM status_transitions t JOIN c0 ON c0.case_id = t.case_id
    WINDOW w AS (PARTITION BY t.case_id ORDER BY t.occurred_at, t.id)
  ),
  f AS (SELECT case_id, from_status, from_type, occurred_at FROM tr WHERE k = 1),
  tim0 AS (
    SELECT s.case_id, s.status_name, s.status_type, s.total_minutes * 60.0::float8 AS total_s, s.since,
           lead(s.since) OVER (PARTITION BY s.case_id ORDER BY s.since, s.is_current, s.status_name) AS next_since,
           f.occurred_at AS first_tr_at
    FROM status_timings s JOIN c0 ON c0.case_id = s.case_id LEFT JOIN f ON f.case_id = s.case_id
    WHERE f.case_id IS NULL OR s.since < f.occurred_at
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
  c AS (
    SELECT c0.*, f.case_id IS NOT NULL AS has_tr, tc.case_id IS NOT NULL AS has_tim,
           f.from_status AS first_from, f.from_type AS first_from_type, f.occurred_at AS first_at
    FROM c0
    LEFT JOIN f ON f.case_id = c0.case_id
    LEFT JOIN (SELECT DISTINCT case_id FROM tim) tc ON tc.case_id = c0.case_id
  ),
  seg AS (
    -- exact: each transition opens its to-status until the next one
    SELECT case_id, to_status AS status, to_type AS stype, occurred_at AS entered, next_at AS exited,
           coalesce(extract(epoch FROM next_at - occurred_at)::float8, 0) AS secs, false AS est
    FROM tr
    UNION ALL
    -- before the first transition, with no timings: its from-status since the task was created
    SELECT case_id, first_from, first_from_type, date_created, first_at,
           extract(epoch FROM first_at - date_created)::float8, false
    FROM c
    WHERE has_tr AND NOT has_tim AND first_from IS NOT NULL AND date_created < first_at
    UNION ALL
    -- time-in-status totals, in order of their `since` (estimated)
    SELECT case_id, status_name, status_type,
           CASE WHEN exited IS NULL THEN since ELSE least(since, exited - make_interval(secs => secs)) END,
           exited, secs, true
    FROM tim
    UNION ALL
    -- nothing known: the current status since the task was created
    SELECT case_id, status_name, status_type, date_created, NULL, 0, true
    FROM c
    WHERE NOT has_tr AND NOT has_tim
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
         coalesce(cur.status, c.status_name),
         CASE WHEN cur.case_id IS NULL THEN c.status_type ELSE cur.stype END,
         coalesce(cur.entered, c.date_created),
         flowbot_default_stage(coalesce(cur.status, c.status_name),
                               CASE WHEN cur.case_id IS NULL THEN c.status_type ELSE cur.stype END),
         NOT c.has_tr OR c.has_tim
  FROM c LEFT JOIN cur ON cur.case_id = c.case_id;
  PERFORM flowbot_derive_start_finish_cycle_lead(ids, NULL);
END
$$;

-- Every case of a project, rebuilt from its timeline (a repair; a mapping or zone change needs only
-- flowbot_derive_start_finish_cycle_lead).
CREATE OR REPLACE FUNCTION flowbot_rebuild_project_flow_facts(pid bigint) RETURNS void
LANGUAGE sql AS $$
  SELECT flowbot_rebuild_flow_facts(ARRAY(
    SELECT tc.id FROM tracked_cases tc JOIN bindings b ON b.id = tc.binding_id WHERE b.project_id = pid))
$$;

-- Facts of newly inserted cases, written directly: a new case has no transitions or timings yet (they
-- reference it), so its timeline is its current status since date_created.
CREATE OR REPLACE FUNCTION flowbot_add_new_case_flow_facts(ids bigint[]) RETURNS void
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
  SELECT flowbot_derive_start_finish_cycle_lead(ids, NULL);
$$;
