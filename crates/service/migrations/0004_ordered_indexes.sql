-- Issue 4 (performance): the two hottest ordered reads walk an index in
-- order instead of sorting in a temporary b-tree: the client's latest care
-- episode (every dossier request) and a page of reports (newest first,
-- id as tie-break; the filter's columns ride along, so counting a client's
-- reports reads the index alone). Each new index covers the one it
-- replaces.
CREATE INDEX episode_client_latest ON episode (client_id, start_date, created_at)
;
DROP INDEX episode_client
;
CREATE INDEX report_client_page ON report (client_id, is_current, created_at, id, status, visible_to_client, episode_id)
;
DROP INDEX report_client
