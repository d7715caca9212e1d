-- Inzage schema, version 1. ONE file for SQLite and PostgreSQL: only types
-- and syntax both understand (TEXT, BIGINT, CHECK, REFERENCES, UNIQUE).
-- Ids are UUID text; instants are fixed-width RFC 3339 UTC text
-- (2026-11-22T12:00:00.000000Z), dates are yyyy-mm-dd; flags are 0/1 BIGINT.
-- Statements are separated by a line holding only ";".

CREATE TABLE organisation (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    idle_timeout_minutes BIGINT NOT NULL DEFAULT 15 CHECK (idle_timeout_minutes BETWEEN 1 AND 240),
    lockout_threshold BIGINT NOT NULL DEFAULT 3 CHECK (lockout_threshold BETWEEN 1 AND 20),
    lockout_pause_minutes BIGINT NOT NULL DEFAULT 10 CHECK (lockout_pause_minutes BETWEEN 1 AND 1440),
    grace_days_after_discharge BIGINT NOT NULL DEFAULT 30 CHECK (grace_days_after_discharge BETWEEN 0 AND 3650),
    min_client_age BIGINT NOT NULL DEFAULT 0 CHECK (min_client_age BETWEEN 0 AND 120),
    eligibility_start_date TEXT,
    finalise_after_hours BIGINT NOT NULL DEFAULT 24 CHECK (finalise_after_hours BETWEEN 1 AND 8760),
    upload_limit_bytes BIGINT NOT NULL DEFAULT 10485760,
    servicedesk_email TEXT,
    servicedesk_phone TEXT,
    help_url TEXT,
    created_at TEXT NOT NULL
)
;
CREATE TABLE location (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisation(id),
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (organisation_id, name)
)
;
CREATE TABLE team (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisation(id),
    location_id TEXT NOT NULL REFERENCES location(id),
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (organisation_id, name)
)
;
CREATE TABLE staff_member (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisation(id),
    given_name TEXT NOT NULL,
    name_prefix TEXT,
    family_name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    mobile TEXT,
    active BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT NOT NULL
)
;
CREATE TABLE staff_role (
    staff_id TEXT NOT NULL REFERENCES staff_member(id),
    role TEXT NOT NULL CHECK (role IN ('caregiver', 'primary_caregiver', 'practitioner', 'secretariat', 'functional_admin', 'privacy_officer')),
    PRIMARY KEY (staff_id, role)
)
;
CREATE TABLE team_membership (
    team_id TEXT NOT NULL REFERENCES team(id),
    staff_id TEXT NOT NULL REFERENCES staff_member(id),
    PRIMARY KEY (team_id, staff_id)
)
;
CREATE INDEX team_membership_staff ON team_membership (staff_id)
;
CREATE TABLE client (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisation(id),
    client_number TEXT NOT NULL,
    given_name TEXT NOT NULL,
    name_prefix TEXT,
    family_name TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    street TEXT,
    house_number TEXT,
    postal_code TEXT,
    city TEXT,
    email TEXT,
    mobile TEXT,
    team_id TEXT REFERENCES team(id),
    primary_caregiver_id TEXT REFERENCES staff_member(id),
    portal_stopped BIGINT NOT NULL DEFAULT 0 CHECK (portal_stopped IN (0, 1)),
    created_at TEXT NOT NULL,
    UNIQUE (organisation_id, client_number)
)
;
CREATE INDEX client_team ON client (team_id)
;
CREATE TABLE episode (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES client(id),
    start_date TEXT NOT NULL,
    end_date TEXT,
    created_at TEXT NOT NULL,
    CHECK (end_date IS NULL OR end_date >= start_date)
)
;
CREATE INDEX episode_client ON episode (client_id, start_date)
;
CREATE TABLE plan_version (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES client(id),
    episode_id TEXT NOT NULL REFERENCES episode(id),
    plan_date TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'final')),
    created_by TEXT NOT NULL REFERENCES staff_member(id),
    created_at TEXT NOT NULL,
    finalised_at TEXT
)
;
CREATE INDEX plan_version_client ON plan_version (client_id, plan_date)
;
CREATE TABLE plan_section (
    id TEXT PRIMARY KEY,
    plan_version_id TEXT NOT NULL REFERENCES plan_version(id),
    position BIGINT NOT NULL,
    domain TEXT NOT NULL,
    goals TEXT NOT NULL,
    agreements TEXT NOT NULL,
    UNIQUE (plan_version_id, position)
)
;
CREATE TABLE report (
    id TEXT PRIMARY KEY,
    series_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    is_current BIGINT NOT NULL CHECK (is_current IN (0, 1)),
    client_id TEXT NOT NULL REFERENCES client(id),
    episode_id TEXT NOT NULL REFERENCES episode(id),
    author_id TEXT NOT NULL REFERENCES staff_member(id),
    author_role TEXT NOT NULL,
    category TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'final')),
    visible_to_client BIGINT NOT NULL CHECK (visible_to_client IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    finalised_at TEXT,
    finalised_by TEXT,
    UNIQUE (series_id, version)
)
;
CREATE INDEX report_client ON report (client_id, is_current, created_at)
;
CREATE TABLE document (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES client(id),
    episode_id TEXT NOT NULL REFERENCES episode(id),
    title TEXT NOT NULL,
    doc_type TEXT NOT NULL,
    doc_date TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    visible_to_client BIGINT NOT NULL DEFAULT 1 CHECK (visible_to_client IN (0, 1)),
    uploaded_by TEXT NOT NULL REFERENCES staff_member(id),
    created_at TEXT NOT NULL,
    deleted_at TEXT,
    deleted_by TEXT
)
;
CREATE INDEX document_client ON document (client_id, doc_date)
;
CREATE TABLE appointment (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES client(id),
    episode_id TEXT NOT NULL REFERENCES episode(id),
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    practitioner_id TEXT NOT NULL REFERENCES staff_member(id),
    place TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('planned', 'cancelled')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (ends_at > starts_at)
)
;
CREATE INDEX appointment_client ON appointment (client_id, starts_at)
;
CREATE TABLE contact_person (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES client(id),
    given_name TEXT NOT NULL,
    name_prefix TEXT,
    family_name TEXT NOT NULL,
    relation TEXT NOT NULL CHECK (relation IN ('mentor', 'legal_representative', 'curator', 'administrator', 'family', 'partner', 'other')),
    email TEXT,
    mobile TEXT,
    created_at TEXT NOT NULL
)
;
CREATE INDEX contact_person_client ON contact_person (client_id)
;
CREATE TABLE access_grant (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES client(id),
    contact_person_id TEXT NOT NULL REFERENCES contact_person(id),
    parts TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_until TEXT,
    consent_recorded_by TEXT NOT NULL REFERENCES staff_member(id),
    consent_recorded_at TEXT NOT NULL,
    revoked_at TEXT,
    revoked_by TEXT
)
;
CREATE INDEX access_grant_contact ON access_grant (contact_person_id)
;
CREATE INDEX access_grant_client ON access_grant (client_id)
;
CREATE TABLE audit_event (
    seq BIGINT PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    occurred_at TEXT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    on_behalf_of TEXT,
    actor_role TEXT NOT NULL,
    client_id TEXT,
    data_kind TEXT NOT NULL,
    data_id TEXT,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('allowed', 'denied')),
    reason TEXT,
    source_addr TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
)
;
CREATE INDEX audit_event_client ON audit_event (client_id, seq)
;
CREATE INDEX audit_event_actor ON audit_event (actor_id, seq)
;
-- The head of the hash chain. Appending an event updates this one row
-- first, which serialises appends on both databases (row lock on
-- PostgreSQL, the write lock on SQLite).
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
)
;
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000')
;
CREATE TABLE job (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    dedupe_key TEXT UNIQUE,
    run_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    attempts BIGINT NOT NULL DEFAULT 0,
    locked_by TEXT,
    locked_until TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
)
;
CREATE INDEX job_due ON job (status, run_at)
;
-- Every run of a job, so a double run would be visible.
CREATE TABLE job_run (
    job_id TEXT NOT NULL REFERENCES job(id),
    attempt BIGINT NOT NULL,
    runner TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    outcome TEXT,
    PRIMARY KEY (job_id, attempt)
)
