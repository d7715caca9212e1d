-- Issue 13: separation of duties, lockout without enumeration, and the
-- idle timeout's cap. Same portable rules as 0001.

-- A change of a staff member that waits for a second functional admin
-- (four eyes): the privacy officer's role, or a role that opens dossiers
-- given to a functional admin. The whole state after the change is kept.
CREATE TABLE staff_change_request (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisation(id),
    staff_id TEXT NOT NULL REFERENCES staff_member(id),
    roles TEXT NOT NULL,
    team_ids TEXT NOT NULL,
    active BIGINT NOT NULL CHECK (active IN (0, 1)),
    requested_by TEXT NOT NULL REFERENCES staff_member(id),
    requested_at TEXT NOT NULL,
    decided_by TEXT REFERENCES staff_member(id),
    decided_at TEXT,
    decision TEXT CHECK (decision IS NULL OR decision IN ('approved', 'rejected', 'superseded'))
)
;
CREATE INDEX staff_change_request_org ON staff_change_request (organisation_id, decided_at)
;
-- Failed sign-ins for addresses without an account, keyed by a hash of
-- the address (never the address itself): they pause exactly like a known
-- account's, so the answer does not tell whether an account exists.
CREATE TABLE login_throttle (
    key_hash TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    paused_until TEXT,
    updated_at TEXT NOT NULL
)
;
-- NEN 7510: an idle session ends within 30 minutes at most.
UPDATE organisation SET idle_timeout_minutes = 30 WHERE idle_timeout_minutes > 30
;
-- The address a waiting link was asked of: the holder can accept it only
-- while their account still has that address (ADR 0013).
ALTER TABLE account_link ADD COLUMN asked_email TEXT
