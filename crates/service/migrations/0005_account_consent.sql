-- Issue 13: an account belongs to its holder (ADR 0013). Same portable
-- rules as 0001.

-- A contact-person row whose e-mail address already has an account is
-- linked to it only when the holder accepts, signed in. Until then the
-- row has no account and opens nothing.
CREATE TABLE account_link (
    id TEXT PRIMARY KEY,
    contact_person_id TEXT NOT NULL REFERENCES contact_person(id),
    account_id TEXT NOT NULL REFERENCES account(id),
    requested_by TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    decided_at TEXT,
    decision TEXT CHECK (decision IS NULL OR decision IN ('accepted', 'declined', 'withdrawn'))
)
;
CREATE INDEX account_link_account ON account_link (account_id, decided_at)
;
CREATE INDEX account_link_contact ON account_link (contact_person_id)
;
-- A change of an account's e-mail address or mobile number that waits for
-- its holder: asked for by staff (the holder confirms, signed in, through
-- a link sent to the old address) or by the holder (a code sent to the new
-- address or number). Only a hash of the link token or code is stored.
CREATE TABLE identifier_change (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES account(id),
    origin TEXT NOT NULL CHECK (origin IN ('staff', 'holder')),
    new_email TEXT,
    new_mobile TEXT,
    client_id TEXT REFERENCES client(id),
    contact_person_id TEXT REFERENCES contact_person(id),
    requested_by TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    attempts BIGINT NOT NULL DEFAULT 0,
    decided_at TEXT,
    decision TEXT CHECK (decision IS NULL OR decision IN ('confirmed', 'declined', 'cancelled'))
)
;
CREATE INDEX identifier_change_account ON identifier_change (account_id, decided_at)
;
-- When the row was last invited, whatever became of its address (a new
-- account, a link waiting for its holder, an address in use): staff see
-- "invited" in every case, so the page does not tell whether an address
-- has an account elsewhere.
ALTER TABLE client ADD COLUMN invited_at TEXT
;
ALTER TABLE contact_person ADD COLUMN invited_at TEXT
;
ALTER TABLE staff_member ADD COLUMN invited_at TEXT
