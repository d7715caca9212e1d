-- Issue 16, item 5: retention (WGBO). Same portable rules as 0001.
--
-- A dossier is kept this many years after the last care (the end of its
-- last episode); the organisation may keep longer, never shorter than 20.
ALTER TABLE organisation ADD COLUMN retention_years BIGINT NOT NULL DEFAULT 20 CHECK (retention_years >= 20)
;
-- Dossiers past their term, as the daily job retention_review found them
-- (refreshed each run; a dossier that got new care leaves the list).
CREATE TABLE retention_due (
    client_id TEXT PRIMARY KEY REFERENCES client(id),
    organisation_id TEXT NOT NULL REFERENCES organisation(id),
    last_care TEXT NOT NULL,
    term_ended_on TEXT NOT NULL,
    listed_at TEXT NOT NULL
)
;
CREATE INDEX retention_due_org ON retention_due (organisation_id, term_ended_on)
;
-- That a dossier was destroyed, never what it held: the client's opaque
-- id, when its care ended, who confirmed and why, and how much went.
CREATE TABLE dossier_destruction (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisation(id),
    client_ref TEXT NOT NULL,
    last_care TEXT NOT NULL,
    retention_years BIGINT NOT NULL,
    destroyed_at TEXT NOT NULL,
    destroyed_by TEXT NOT NULL REFERENCES staff_member(id),
    reason TEXT NOT NULL,
    removed_rows BIGINT NOT NULL,
    removed_files BIGINT NOT NULL,
    removed_events BIGINT NOT NULL
)
;
-- The audit events removed with a destroyed dossier: their place in the
-- chain (sequence number, hash, link to the previous event) without their
-- content, so `audit verify` walks over a sanctioned gap and still finds
-- any other change.
CREATE TABLE audit_gap (
    seq BIGINT PRIMARY KEY,
    hash TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    destruction_id TEXT NOT NULL REFERENCES dossier_destruction(id)
)
;
-- Content files are looked up by hash (is a file still referred to?).
CREATE INDEX document_sha256 ON document (sha256)
;
-- The outbox by status (monitoring reads the backlog every scrape).
CREATE INDEX message_status ON message (status, created_at)
;
