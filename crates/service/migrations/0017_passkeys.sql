-- Issue 17: passkeys (WebAuthn, ADR 0029). Same portable rules as 0001.
--
-- The WebAuthn user handle of an account: a random UUID made when its
-- first passkey is added (never the account id, never an address), so a
-- passkey found by the browser without an address names its account.
ALTER TABLE account ADD COLUMN passkey_user TEXT
;
CREATE UNIQUE INDEX account_passkey_user ON account (passkey_user)
;
-- A passkey of an account: the credential id (base64url) and the
-- credential as webauthn-rs keeps it (public key, signature counter,
-- backup flags; JSON, no secret), the name the holder gave it, and
-- whether the holder chose to use it instead of the password too (it
-- then signs in alone: user verification is required, so it is two
-- factors by itself).
CREATE TABLE passkey (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES account(id),
    credential_id TEXT NOT NULL,
    credential TEXT NOT NULL,
    name TEXT NOT NULL,
    instead_of_password BIGINT NOT NULL CHECK (instead_of_password IN (0, 1)),
    created_at TEXT NOT NULL,
    last_used_at TEXT
)
;
CREATE UNIQUE INDEX passkey_credential ON passkey (credential_id)
;
CREATE INDEX passkey_account ON passkey (account_id)
;
-- A passkey ceremony under way, by the SHA-256 of its token (the token is
-- in the page's form): adding one (`register`, bound to the signed-in
-- session), the second step (`second_step`, bound to the half-signed-in
-- session) or signing in without a password (`sign_in`). The challenge
-- state as webauthn-rs keeps it; five minutes; used once.
CREATE TABLE passkey_ceremony (
    id_hash TEXT PRIMARY KEY,
    purpose TEXT NOT NULL CHECK (purpose IN ('register', 'second_step', 'sign_in')),
    account_id TEXT REFERENCES account(id),
    session_hash TEXT,
    state TEXT NOT NULL,
    name TEXT,
    instead_of_password BIGINT NOT NULL CHECK (instead_of_password IN (0, 1)),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
)
;
CREATE INDEX passkey_ceremony_expiry ON passkey_ceremony (expires_at)
;
