-- Issue 15, item 1: the afschrift, a full copy of the dossier (ADR 0022).
-- Same portable rules as 0001.
--
-- A contact person marked by staff as the client's legal representative
-- (mentor, curator, …), with who did it, when and why, may ask for an
-- afschrift. Clearing the mark keeps who cleared it and when.
ALTER TABLE contact_person ADD COLUMN represents_client BIGINT NOT NULL DEFAULT 0 CHECK (represents_client IN (0, 1))
;
ALTER TABLE contact_person ADD COLUMN represents_set_by TEXT
;
ALTER TABLE contact_person ADD COLUMN represents_set_at TEXT
;
ALTER TABLE contact_person ADD COLUMN represents_reason TEXT
;
-- One afschrift: asked by an account (as the client or as one of its
-- contact-person rows), built by the job build_afschrift into the blob
-- store (a PDF/A file; the FHIR bundle follows), kept until expires_at
-- (7 days), downloadable only by the account that asked.
CREATE TABLE afschrift (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES client(id),
    account_id TEXT NOT NULL REFERENCES account(id),
    asked_as_kind TEXT NOT NULL CHECK (asked_as_kind IN ('client', 'contact_person')),
    asked_as_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'building', 'ready', 'failed', 'expired')),
    progress BIGINT NOT NULL DEFAULT 0,
    pdf_sha256 TEXT,
    pdf_size BIGINT,
    json_sha256 TEXT,
    json_size BIGINT,
    asked_at TEXT NOT NULL,
    ready_at TEXT,
    expires_at TEXT NOT NULL
)
;
CREATE INDEX afschrift_account ON afschrift (account_id, asked_at)
;
-- One in the making per account, held by the database (two requests at
-- once cannot both insert).
CREATE UNIQUE INDEX afschrift_one_in_making ON afschrift (account_id) WHERE status IN ('queued', 'building')
