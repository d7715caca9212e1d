-- Issue 17: systems (the organisation's own ECD, its planning system) that
-- call the FHIR API with SMART Backend Services. Same portable rules as
-- 0001.
--
-- A registered system: its OAuth client id (`id`), the organisation whose
-- dossiers it reaches, its public keys (a JSON Web Key Set; never a
-- private key), and the scopes it may ask for. Registered by an operator
-- (`inzage admin fhir-client create`); disabled, never deleted, so the
-- audit trail keeps its name.
CREATE TABLE fhir_client (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisation(id),
    name TEXT NOT NULL,
    jwks TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    disabled_at TEXT
)
;
-- Every signed assertion used for a token, by its `jti`, kept until it
-- expires: the same assertion again is refused (a replay).
CREATE TABLE fhir_assertion (
    fhir_client_id TEXT NOT NULL REFERENCES fhir_client(id),
    jti TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    PRIMARY KEY (fhir_client_id, jti)
)
;
CREATE INDEX fhir_assertion_expiry ON fhir_assertion (expires_at)
;
-- Access tokens, by their SHA-256 only (the token itself is shown once,
-- in the answer that issues it). They live minutes.
CREATE TABLE fhir_token (
    token_hash TEXT PRIMARY KEY,
    fhir_client_id TEXT NOT NULL REFERENCES fhir_client(id),
    scopes TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
)
;
CREATE INDEX fhir_token_expiry ON fhir_token (expires_at)
;
-- The organisation's own naming system (a URI, e.g. its OID as
-- urn:oid:…) under which its client numbers are issued: a Patient's
-- identifier. Empty: the installation's {public_url}/fhir/NamingSystem/client-number.
ALTER TABLE organisation ADD COLUMN client_number_system TEXT
;
-- The identifiers a system gave the resources it pushed (an episode, a
-- document, a plan, an appointment), in its own naming systems: a
-- conditional update by identifier finds the item again. Per system and
-- type (one system cannot reach another's items by their identifiers);
-- the client is kept so a destroyed dossier's identifiers go with it. A
-- `local_id` of `pending:…` is a claim made before the item is written
-- (two writes of one identifier at once make one item).
CREATE TABLE fhir_identifier (
    organisation_id TEXT NOT NULL REFERENCES organisation(id),
    fhir_client_id TEXT NOT NULL REFERENCES fhir_client(id),
    resource_type TEXT NOT NULL,
    system TEXT NOT NULL,
    value TEXT NOT NULL,
    local_id TEXT NOT NULL,
    client_id TEXT NOT NULL REFERENCES client(id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (fhir_client_id, resource_type, system, value)
)
;
CREATE INDEX fhir_identifier_local ON fhir_identifier (local_id)
;
CREATE INDEX fhir_identifier_client ON fhir_identifier (client_id)
;
