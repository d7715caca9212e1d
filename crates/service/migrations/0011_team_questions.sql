-- Issue 15: "Vraag aan je team". A client (or a contact person with that
-- tile) asks their team a short written question; the team answers and
-- marks it done. Questions and answers are part of the dossier: nothing is
-- edited or removed. Not for emergencies: every page names the
-- organisation's emergency number (organisation.emergency_phone) and 112.
-- Same portable rules as 0001.
CREATE TABLE team_question (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES client(id),
    -- Who asked: the client, or a contact person (their own questions
    -- only are shown to them).
    asked_by_kind TEXT NOT NULL CHECK (asked_by_kind IN ('client', 'contact_person')),
    asked_by_id TEXT NOT NULL,
    asked_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'done')),
    done_by TEXT REFERENCES staff_member(id),
    done_at TEXT,
    CHECK (status = 'open' OR done_by IS NOT NULL)
)
;
CREATE INDEX team_question_client ON team_question (client_id, status, asked_at)
;
CREATE TABLE team_question_message (
    id TEXT PRIMARY KEY,
    question_id TEXT NOT NULL REFERENCES team_question(id),
    author_kind TEXT NOT NULL CHECK (author_kind IN ('client', 'contact_person', 'staff')),
    author_id TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
)
;
CREATE INDEX team_question_message_question ON team_question_message (question_id, created_at)
;
ALTER TABLE organisation ADD COLUMN emergency_phone TEXT
