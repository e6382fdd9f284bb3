-- Deferred upkeep of the flow facts for bulk writers (the backfill). A transaction that sets
-- `flowbot.defer_flow_rebuild` to 'on' (SET LOCAL, so it ends with the transaction) has the case-row
-- triggers list the cases they would rebuild in flow_dirty_cases instead; flowbot_flow_rebuild_dirty
-- (called by the rebuild-flow-facts job until nothing is left) rebuilds them later. New cases are listed
-- too rather than written directly (0012): a backfill page's timings list them right after anyway, and
-- the direct write was half of what deferral leaves on a page (bench:backfill elapsed_ratio 2.7 with it,
-- 1.1-1.5 without). Without the setting nothing changes: the triggers rebuild at once. Stage override and
-- time-zone changes re-derive at once in both modes (a listed case is rebuilt later with the mapping and
-- zone current then).

CREATE OR REPLACE FUNCTION flowbot_flow_deferring() RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT coalesce(current_setting('flowbot.defer_flow_rebuild', true), '') = 'on'
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION flowbot_flow_mark_dirty(ids bigint[]) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO flow_dirty_cases (case_id)
  SELECT DISTINCT u.id FROM unnest(ids) AS u(id) WHERE u.id IS NOT NULL ORDER BY 1
  ON CONFLICT (case_id) DO NOTHING
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION flowbot_flow_on_case_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF flowbot_flow_deferring() THEN
    PERFORM flowbot_flow_mark_dirty(ARRAY(SELECT DISTINCT case_id FROM changed));
  ELSE
    PERFORM flowbot_flow_rebuild(ARRAY(SELECT DISTINCT case_id FROM changed));
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
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
           AND NOT EXISTS (SELECT 1 FROM status_transitions t WHERE t.case_id = n.id)));
  IF flowbot_flow_deferring() THEN
    PERFORM flowbot_flow_mark_dirty(ids);
  ELSE
    PERFORM flowbot_flow_rebuild(ids);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- Takes up to `batch` listed cases and rebuilds them, in the caller's transaction; returns how many.
-- SKIP LOCKED: concurrent callers never take the same case. A case whose rebuild lock (the advisory
-- lock flowbot_flow_rebuild takes, key 7346) another transaction holds is left listed, not waited for:
-- that transaction may itself be waiting to list it again, behind this one.
CREATE OR REPLACE FUNCTION flowbot_flow_rebuild_dirty(batch integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  ids bigint[];
BEGIN
  WITH picked AS MATERIALIZED (
    SELECT case_id FROM flow_dirty_cases ORDER BY case_id LIMIT batch FOR UPDATE SKIP LOCKED
  ),
  free AS MATERIALIZED (
    SELECT case_id FROM picked WHERE pg_try_advisory_xact_lock(7346, (case_id % 2147483647)::integer)
  ),
  taken AS (
    DELETE FROM flow_dirty_cases d USING free WHERE d.case_id = free.case_id RETURNING d.case_id
  )
  SELECT coalesce(array_agg(case_id ORDER BY case_id), '{}') INTO ids FROM taken;
  PERFORM flowbot_flow_rebuild(ids);
  RETURN cardinality(ids);
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION flowbot_flow_on_new_cases() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF flowbot_flow_deferring() THEN
    PERFORM flowbot_flow_mark_dirty(ARRAY(SELECT id FROM changed));
  ELSE
    PERFORM flowbot_flow_new_cases(ARRAY(SELECT id FROM changed));
  END IF;
  RETURN NULL;
END
$$;
