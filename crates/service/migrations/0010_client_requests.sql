-- Issue 15: the client's voice. A client asks for a correction of a
-- factual error, or adds their own statement beside an item of their
-- dossier (WGBO 7:454, AVG art. 16), or asks the team to give someone
-- access to their dossier (network). A request is never removed; staff
-- decide on a correction (accepted or declined with a reason the client
-- reads) and mark an addition as read. Same portable rules as 0001.
CREATE TABLE dossier_request (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES client(id),
    kind TEXT NOT NULL CHECK (kind IN ('correction', 'addition', 'network')),
    about_kind TEXT NOT NULL CHECK (about_kind IN ('profile', 'report', 'plan_section', 'network')),
    -- A report's series (its additions stay beside every later version),
    -- a plan section's id; none for the personal data.
    about_id TEXT,
    -- What it was about, as the client saw it when asking.
    about_label TEXT NOT NULL,
    -- Who answers: the secretariat (personal data) or the care team.
    routed_to TEXT NOT NULL CHECK (routed_to IN ('secretariat', 'care')),
    body TEXT NOT NULL,
    -- A request to give someone access (network): the tiles the client
    -- proposes (comma-separated part codes).
    proposed_parts TEXT,
    asked_by_kind TEXT NOT NULL,
    asked_by_id TEXT NOT NULL,
    asked_at TEXT NOT NULL,
    due_on TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'accepted', 'declined', 'read')),
    decided_by TEXT REFERENCES staff_member(id),
    decided_at TEXT,
    answer TEXT,
    CHECK (status = 'open' OR decided_by IS NOT NULL),
    CHECK (status <> 'declined' OR answer IS NOT NULL)
)
;
CREATE INDEX dossier_request_client ON dossier_request (client_id, asked_at)
;
CREATE INDEX dossier_request_about ON dossier_request (about_id)
;
CREATE INDEX dossier_request_open ON dossier_request (status, due_on)
;
ALTER TABLE organisation ADD COLUMN request_due_days BIGINT NOT NULL DEFAULT 28
;
-- A plan section's lineage: the first section it was copied from (none:
-- itself). A client's addition to a section stays beside that domain in
-- every later plan version.
ALTER TABLE plan_section ADD COLUMN lineage_id TEXT
;
CREATE INDEX plan_section_lineage ON plan_section (lineage_id)
