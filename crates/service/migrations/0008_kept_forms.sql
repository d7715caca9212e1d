-- Issue 14: no text lost to the idle timeout. A staff form posted after
-- the session timed out is kept for the account it belonged to (checked by
-- the ended session's own CSRF token) and put back after the next sign-in.
-- It holds unsaved dossier text: kept one day at most, returned only to
-- the same account, and deleted when taken. Same portable rules as 0001.
CREATE TABLE kept_form (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES account(id),
    return_to TEXT NOT NULL,
    fields TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
)
;
CREATE INDEX kept_form_account ON kept_form (account_id, return_to, created_at)
