-- Issue 17: staff sign in through their organisation's OpenID Connect
-- provider (ADR 0028). Same portable rules as 0001.
--
-- An organisation's provider, set by its functional admin: the issuer,
-- our client id there and the client secret, sealed with the
-- installation's settings_key (never stored in the clear); whether the
-- provider's multi-factor assertion (amr "mfa", or one of the acr values
-- named) replaces our own second step; whether the button is shown.
CREATE TABLE org_identity_provider (
    organisation_id TEXT PRIMARY KEY REFERENCES organisation(id),
    issuer TEXT NOT NULL,
    client_id TEXT NOT NULL,
    client_secret_sealed TEXT NOT NULL,
    trust_provider_mfa BIGINT NOT NULL CHECK (trust_provider_mfa IN (0, 1)),
    mfa_acr_values TEXT NOT NULL,
    enabled BIGINT NOT NULL CHECK (enabled IN (0, 1)),
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
)
;
-- A person at a provider (its `sub`) linked to a staff account: by a
-- functional admin (how = 'admin'), or at the first sign-in by the
-- verified e-mail address of the account (how = 'email'). One subject,
-- one account; one subject per account and provider. A link is
-- confirmed (`confirmed_at`) when the holder completes our own second
-- step in a sign-in through it: before that the provider's multi-factor
-- assertion never replaces it (an admin or a provider cannot take an
-- account over on their own).
CREATE TABLE account_oidc_subject (
    organisation_id TEXT NOT NULL REFERENCES organisation(id),
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES account(id),
    how TEXT NOT NULL,
    linked_at TEXT NOT NULL,
    confirmed_at TEXT,
    PRIMARY KEY (organisation_id, issuer, subject)
)
;
CREATE UNIQUE INDEX account_oidc_subject_account ON account_oidc_subject (account_id, issuer)
;
-- A sign-in under way at a provider, by the SHA-256 of its `state` (the
-- state itself is in the browser's cookie): the provider it went to, the
-- nonce and the PKCE verifier, for ten minutes, used once.
CREATE TABLE oidc_login (
    state_hash TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisation(id),
    issuer TEXT NOT NULL,
    client_id TEXT NOT NULL,
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    public_computer BIGINT NOT NULL CHECK (public_computer IN (0, 1)),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
)
;
CREATE INDEX oidc_login_expiry ON oidc_login (expires_at)
;
-- The link a session came through (a sign-in through the provider): its
-- second step confirms the link, and unlinking ends the sessions.
ALTER TABLE auth_session ADD COLUMN oidc_issuer TEXT
;
ALTER TABLE auth_session ADD COLUMN oidc_subject TEXT
;
