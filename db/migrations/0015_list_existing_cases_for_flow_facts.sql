-- Installations that tracked tasks before flow facts existed: list every case without flow facts, so
-- the rebuild-flow-facts job (queued at worker start-up when anything is listed) derives them.
INSERT INTO flow_dirty_cases (case_id)
SELECT c.id FROM tracked_cases c
WHERE NOT EXISTS (SELECT 1 FROM flow_cases f WHERE f.case_id = c.id)
ON CONFLICT DO NOTHING;
