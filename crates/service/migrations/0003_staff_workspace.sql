-- Staff workspace (issue 5). Same portable rules as 0001.

-- Optimistic concurrency: every edit of a draft report, a plan section or
-- an appointment names the revision it started from; a save against an
-- older revision is refused and shows both versions (ADR 0009).
ALTER TABLE report ADD COLUMN revision BIGINT NOT NULL DEFAULT 1
;
ALTER TABLE plan_section ADD COLUMN revision BIGINT NOT NULL DEFAULT 1
;
ALTER TABLE appointment ADD COLUMN revision BIGINT NOT NULL DEFAULT 1
;
-- Why a document was removed (soft delete; the row and file stay).
ALTER TABLE document ADD COLUMN deleted_reason TEXT
