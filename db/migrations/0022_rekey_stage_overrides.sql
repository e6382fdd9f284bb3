-- Stage overrides are keyed by flowbot_status_key(status_name) (db/functions/stage-of-status.sql): trimmed of
-- spaces, tabs and line breaks, with only A-Z lower-cased. Keys written before were trimmed and lower-cased by
-- JavaScript's rules, which differ for tabs, non-breaking spaces and non-ASCII capitals. Re-key every row from
-- its status name; where two rows of a project now share a key, keep the most recent name's stage (the
-- highest ctid is the row written last).
DELETE FROM stage_overrides a
USING stage_overrides b
WHERE a.project_id = b.project_id
  AND a.ctid < b.ctid
  AND translate(btrim(a.status_name, E' \t\n\r'), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
    = translate(btrim(b.status_name, E' \t\n\r'), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz');
--> statement-breakpoint
-- In two steps, so that no row takes a key another row still holds.
UPDATE stage_overrides SET status_key = E'\x01' || status_key WHERE status_key IS DISTINCT FROM translate(btrim(status_name, E' \t\n\r'), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz');
--> statement-breakpoint
UPDATE stage_overrides SET status_key = translate(btrim(status_name, E' \t\n\r'), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') WHERE left(status_key, 1) = E'\x01';
