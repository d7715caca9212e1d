-- Issue 14: links onward. The organisation's other e-health applications
-- (an online therapy platform, questionnaires): a name, an https address
-- and one line of explanation, shown on the portal's "Andere apps" page.
-- Same portable rules as 0001.
CREATE TABLE org_app (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisation(id),
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    description TEXT NOT NULL,
    created_at TEXT NOT NULL
)
;
CREATE INDEX org_app_org ON org_app (organisation_id, name)
