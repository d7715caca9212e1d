-- Accounts and sign-in (issue 3). Same portable rules as 0001.

-- Staff sign in with an authenticator app; SMS only where allowed.
ALTER TABLE organisation ADD COLUMN staff_sms_allowed BIGINT NOT NULL DEFAULT 0 CHECK (staff_sms_allowed IN (0, 1))
;
-- Invite eligible clients by themselves once e-mail and mobile are known.
ALTER TABLE organisation ADD COLUMN auto_invite BIGINT NOT NULL DEFAULT 0 CHECK (auto_invite IN (0, 1))
;
CREATE TABLE account (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisation(id),
    kind TEXT NOT NULL CHECK (kind IN ('client', 'contact_person', 'staff')),
    -- client.id or staff_member.id; NULL for contact persons, whose
    -- contact_person rows point here (one person, several clients).
    subject_id TEXT,
    email TEXT NOT NULL UNIQUE,
    mobile TEXT,
    password_hash TEXT,
    password_set_at TEXT,
    totp_secret TEXT,
    totp_last_step BIGINT,
    totp_pending_secret TEXT,
    failed_attempts BIGINT NOT NULL DEFAULT 0,
    paused_until TEXT,
    language TEXT NOT NULL DEFAULT 'nl' CHECK (language IN ('nl', 'en')),
    tour_done BIGINT NOT NULL DEFAULT 0 CHECK (tour_done IN (0, 1)),
    created_at TEXT NOT NULL,
    last_login_at TEXT,
    UNIQUE (kind, subject_id)
)
;
ALTER TABLE contact_person ADD COLUMN account_id TEXT REFERENCES account(id)
;
CREATE INDEX contact_person_account ON contact_person (account_id)
;
-- Single-use links (invitation, password reset). Only a hash is stored.
CREATE TABLE account_token (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    account_id TEXT NOT NULL REFERENCES account(id),
    purpose TEXT NOT NULL CHECK (purpose IN ('invite', 'reset')),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    revoked_at TEXT
)
;
CREATE INDEX account_token_account ON account_token (account_id, purpose)
;
-- Server-side sessions. Only a hash of the cookie value is stored.
-- stage 'second_factor': password accepted, code pending (no dossier access).
CREATE TABLE auth_session (
    id_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES account(id),
    stage TEXT NOT NULL CHECK (stage IN ('second_factor', 'active')),
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    public_computer BIGINT NOT NULL DEFAULT 0 CHECK (public_computer IN (0, 1)),
    device TEXT,
    source_addr TEXT,
    csrf_token TEXT NOT NULL,
    -- First sign-in of staff who must use an app: may enrol it in step two.
    may_enrol BIGINT NOT NULL DEFAULT 0 CHECK (may_enrol IN (0, 1)),
    sms_code_hash TEXT,
    sms_code_expires_at TEXT,
    sms_code_sent_at TEXT,
    active_contact_person_id TEXT,
    ended_at TEXT,
    end_reason TEXT
)
;
CREATE INDEX auth_session_account ON auth_session (account_id, ended_at)
;
-- Fixed-window counters for rate limits (per source address, per account).
CREATE TABLE rate_counter (
    counter_key TEXT NOT NULL,
    window_start TEXT NOT NULL,
    hits BIGINT NOT NULL,
    PRIMARY KEY (counter_key, window_start)
)
;
-- Outgoing e-mail and SMS, queued in the transaction that causes them and
-- delivered by a job. The body is erased once delivered.
CREATE TABLE message (
    id TEXT PRIMARY KEY,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient TEXT NOT NULL,
    subject TEXT,
    body TEXT NOT NULL,
    purpose TEXT NOT NULL,
    account_id TEXT REFERENCES account(id),
    status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed')),
    created_at TEXT NOT NULL,
    sent_at TEXT,
    transport TEXT,
    last_error TEXT
)
