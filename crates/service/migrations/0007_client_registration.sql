-- Issue 14: clients registered and edited in the web, with every change
-- kept; search and order that fold case and accents the same on both
-- engines; the organisation's own face and words. Same portable rules as 0001.

-- Folded search text ("given prefix family number dd-mm-yyyy yyyy-mm-dd")
-- and sort key, computed by the service (inzage_core::types::fold), so
-- "ozturk" finds "Öztürk" on SQLite as on PostgreSQL. Rows from before
-- this migration are filled in by the service at start-up.
ALTER TABLE client ADD COLUMN search_text TEXT
;
ALTER TABLE client ADD COLUMN sort_key TEXT
;
-- Optimistic concurrency for the edit form: a save names the version it
-- started from; a stale one is refused and nothing is written.
ALTER TABLE client ADD COLUMN version BIGINT NOT NULL DEFAULT 1
;
CREATE INDEX client_org_sort ON client (organisation_id, sort_key)
;
-- Every change of a client's registration, one row per field: who, when,
-- the old and the new value. Version 1 is the registration itself. Rows
-- are only ever added.
CREATE TABLE client_change (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES client(id),
    version BIGINT NOT NULL,
    field TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    changed_by_kind TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL
)
;
CREATE INDEX client_change_client ON client_change (client_id, version)
;
-- The organisation's own words: 'care' (disability care: begeleider,
-- cliëntplan) or 'mental_health' (GGZ: behandelaar, behandelplan).
ALTER TABLE organisation ADD COLUMN sector TEXT NOT NULL DEFAULT 'care' CHECK (sector IN ('care', 'mental_health'))
;
-- The name shown on the login page, in the header and in e-mails (the
-- registered name stays in `name`), and the logo in the content store.
ALTER TABLE organisation ADD COLUMN display_name TEXT
;
ALTER TABLE organisation ADD COLUMN logo_sha256 TEXT
;
ALTER TABLE organisation ADD COLUMN logo_content_type TEXT
