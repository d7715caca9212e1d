-- Issue 15, item 5: notifications without content (ADR 0021). Opt-in per
-- account: what about (news in the dossier, a reminder the day before an
-- appointment) and how (e-mail, SMS). Off by default. Same portable rules
-- as 0001.
ALTER TABLE account ADD COLUMN notify_news BIGINT NOT NULL DEFAULT 0 CHECK (notify_news IN (0, 1))
;
ALTER TABLE account ADD COLUMN notify_reminders BIGINT NOT NULL DEFAULT 0 CHECK (notify_reminders IN (0, 1))
;
ALTER TABLE account ADD COLUMN notify_by_email BIGINT NOT NULL DEFAULT 0 CHECK (notify_by_email IN (0, 1))
;
ALTER TABLE account ADD COLUMN notify_by_sms BIGINT NOT NULL DEFAULT 0 CHECK (notify_by_sms IN (0, 1))
;
-- What appeared after this instant is news; set when news is switched on
-- and after every news notification.
ALTER TABLE account ADD COLUMN news_since TEXT
;
-- Every notification sent. The unique key makes "at most one news
-- notification a day" and "one reminder per appointment time" hold by
-- construction: about is the Amsterdam day (news) or the appointment's
-- id and start (reminder). unsubscribe_hash: SHA-256 of the one-click
-- unsubscribe code in that notification's e-mail.
CREATE TABLE notification_sent (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES account(id),
    kind TEXT NOT NULL CHECK (kind IN ('news', 'reminder')),
    about TEXT NOT NULL,
    unsubscribe_hash TEXT,
    sent_at TEXT NOT NULL,
    UNIQUE (account_id, kind, about)
)
;
CREATE INDEX notification_sent_unsubscribe ON notification_sent (unsubscribe_hash)
;
-- The List-Unsubscribe address of an e-mail, erased with its body after
-- delivery.
ALTER TABLE message ADD COLUMN list_unsubscribe TEXT
