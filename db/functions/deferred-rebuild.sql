-- Deferred upkeep of the flow facts for bulk writers (backfill pages, live-sync applies). A transaction
-- that sets `flowbot.defer_flow_rebuild` to 'on' (set_config(..., true): it ends with the transaction) has
-- the triggers list the cases they would rebuild in flow_dirty_cases instead; the rebuild-flow-facts job
-- (src/flow/metrics/deferred-rebuild.ts) rebuilds them later with flowbot_rebuild_listed_cases. Without the
-- setting the triggers rebuild at once. Stage-override and zone changes re-derive at once in both modes.

CREATE OR REPLACE FUNCTION flowbot_flow_rebuild_deferred() RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT coalesce(current_setting('flowbot.defer_flow_rebuild', true), '') = 'on'
$$;

CREATE OR REPLACE FUNCTION flowbot_list_cases_for_rebuild(ids bigint[]) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO flow_dirty_cases (case_id)
  SELECT DISTINCT u.id FROM unnest(ids) AS u(id) WHERE u.id IS NOT NULL ORDER BY 1
  ON CONFLICT (case_id) DO NOTHING
$$;

-- Takes up to `batch` listed cases and rebuilds them, in the caller's transaction; returns how many.
-- SKIP LOCKED: concurrent callers never take the same case. A case whose rebuild lock (the advisory lock
-- flowbot_rebuild_flow_facts takes, key 7346) another transaction holds is left listed, not waited for:
-- that transaction may itself be waiting to list it again, behind this one.
CREATE OR REPLACE FUNCTION flowbot_rebuild_listed_cases(batch integer) RETURNS integer
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
  PERFORM flowbot_rebuild_flow_facts(ids);
  RETURN cardinality(ids);
END
$$;
