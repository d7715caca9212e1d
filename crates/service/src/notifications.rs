//! Notifications without content (ADR 0021). A client or a contact person
//! chooses in Mijn account to hear, by e-mail and/or SMS, that there is
//! something new in a dossier they read (at most once a day) and that an
//! appointment is tomorrow (the day before). A notification never says
//! *what* is new: no names, no categories, no text; a reminder gives the
//! time only. Which news a reader hears of is decided per dossier part by
//! the same policy as reading (`inzage_core::policy::decide`).
//!
//! A durable job (`notification_sweep`) runs every quarter of an hour
//! between 08:00 and 21:00 Amsterdam time. The table `notification_sent`
//! has one row per notification with a unique (account, kind, about): the
//! day for news, the appointment and its start for a reminder, so a
//! repeated sweep (a retry, two runners) cannot send one twice. Every
//! e-mail carries a one-click unsubscribe code (its SHA-256 is kept with
//! the notification; `List-Unsubscribe` and `List-Unsubscribe-Post`).
use crate::audit::{append, Event};
use crate::error::{Result, ServiceError};
use crate::messages::{queue_with, Channel, NewMessage};
use crate::row::{b, os, ot, s, t};
use crate::{new_id, Ctx, Services};
use chrono::{DateTime, Duration, Timelike, Utc};
use inzage_core::model::{AccountKind, AuditAction, AuditOutcome, DossierPart, Principal};
use inzage_core::policy::{decide, Access, Decision, Scope};
use inzage_core::types::{local_date, local_midnight_utc, ts, FieldError, DISPLAY_TZ};
use serde::Serialize;

/// The first and the last hour (Amsterdam) in which notifications go out:
/// nobody is woken by one.
pub const SEND_FROM_HOUR: u32 = 8;
pub const SEND_UNTIL_HOUR: u32 = 21;
/// How often the sweep looks within those hours.
pub const SWEEP_EVERY: Duration = Duration::minutes(15);
/// How long an unsubscribe code in an e-mail keeps working.
pub const UNSUBSCRIBE_VALID: Duration = Duration::days(90);

/// What an account asked to hear of, and how.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct NotificationChoice {
    /// "Er staat iets nieuws in je dossier", at most once a day.
    pub news: bool,
    /// "Je hebt morgen om 10:00 een afspraak", the day before.
    pub reminders: bool,
    pub by_email: bool,
    pub by_sms: bool,
}

/// Mijn account's notification section.
#[derive(Clone, Debug, Serialize)]
pub struct NotificationSettings {
    pub choice: NotificationChoice,
    /// Only clients and contact persons are offered notifications.
    pub offered: bool,
    /// SMS can be chosen only with a mobile number on the account.
    pub has_mobile: bool,
}

/// What one sweep sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SweepReport {
    pub news: usize,
    pub reminders: usize,
}

/// One account that asked for notifications, as the sweep needs it.
struct Reader {
    id: String,
    kind: AccountKind,
    subject_id: Option<String>,
    email: String,
    mobile: Option<String>,
    language: String,
    sector: inzage_i18n::Sector,
    choice: NotificationChoice,
    news_since: Option<DateTime<Utc>>,
    last_login_at: Option<DateTime<Utc>>,
}

impl Reader {
    fn voice(&self) -> crate::texts::Voice<'_> {
        crate::texts::Voice {
            lang: &self.language,
            sector: self.sector,
        }
    }
}

/// Who is notified of what, found before anything is written.
struct Findings {
    /// Dossiers (client ids) with news for this reader.
    news_in: Vec<String>,
    /// (client id, appointment id, start) of tomorrow's appointments.
    tomorrow: Vec<(String, String, DateTime<Utc>)>,
}

/// The parts whose new items are "news" (issue 15: a report, a document,
/// a plan version, an answer or a decision).
const NEWS_PARTS: [DossierPart; 5] = [
    DossierPart::Reports,
    DossierPart::Documents,
    DossierPart::ClientPlan,
    DossierPart::Questions,
    DossierPart::Requests,
];

fn choice_from(r: &crate::sql::Row) -> Result<NotificationChoice> {
    Ok(NotificationChoice {
        news: b(r, "notify_news")?,
        reminders: b(r, "notify_reminders")?,
        by_email: b(r, "notify_by_email")?,
        by_sms: b(r, "notify_by_sms")?,
    })
}

/// The start of the next sending window after `now`.
fn next_window(now: DateTime<Utc>) -> DateTime<Utc> {
    let local = now.with_timezone(&DISPLAY_TZ);
    let day = if local.hour() < SEND_FROM_HOUR {
        local.date_naive()
    } else {
        local.date_naive() + Duration::days(1)
    };
    local_midnight_utc(day) + Duration::hours(i64::from(SEND_FROM_HOUR))
}

/// The episode filter of a scope, as SQL and its value.
fn episode_of(scope: &Scope) -> Option<String> {
    scope.only_episode.as_ref().map(|e| e.to_string())
}

impl Services {
    /// The signed-in holder's notification choice.
    pub async fn notification_settings(&self, session_token: &str) -> Result<NotificationSettings> {
        let info = self.active_session(session_token).await?;
        let r = crate::sql::query(
            "SELECT notify_news, notify_reminders, notify_by_email, notify_by_sms, mobile \
             FROM account WHERE id = $1",
        )
        .bind(&info.account_id)
        .fetch_one(self.db())
        .await?;
        Ok(NotificationSettings {
            choice: choice_from(&r)?,
            offered: inzage_core::policy::accounts::may_be_notified(info.kind),
            has_mobile: os(&r, "mobile")?.is_some(),
        })
    }

    /// The holder sets what they want to hear of, and how. Something to
    /// hear of needs a way to hear it; SMS needs a mobile number. News
    /// counts from now on (switching it on sends nothing about the past).
    pub async fn set_notifications(
        &self,
        session_token: &str,
        choice: NotificationChoice,
        source: Option<&str>,
    ) -> Result<()> {
        let info = self.active_session(session_token).await?;
        if !inzage_core::policy::accounts::may_be_notified(info.kind) {
            return Err(ServiceError::Denied(
                inzage_core::policy::DenyReason::RoleLacksPermission,
            ));
        }
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let r =
            crate::sql::query("SELECT subject_id, mobile, notify_news FROM account WHERE id = $1")
                .bind(&info.account_id)
                .fetch_one(&mut *tx)
                .await?;
        if (choice.news || choice.reminders) && !(choice.by_email || choice.by_sms) {
            return Err(ServiceError::Invalid(FieldError {
                field: "notify_channel",
                message: "choose e-mail or SMS".into(),
            }));
        }
        if choice.by_sms && os(&r, "mobile")?.is_none() {
            return Err(ServiceError::Invalid(FieldError {
                field: "notify_sms",
                message: "no mobile number".into(),
            }));
        }
        let news_since = if choice.news && !b(&r, "notify_news")? {
            Some(ts(now))
        } else {
            None
        };
        crate::sql::query(
            "UPDATE account SET notify_news = $1, notify_reminders = $2, notify_by_email = $3, \
             notify_by_sms = $4, news_since = COALESCE($5, news_since) WHERE id = $6",
        )
        .bind(i64::from(choice.news))
        .bind(i64::from(choice.reminders))
        .bind(i64::from(choice.by_email))
        .bind(i64::from(choice.by_sms))
        .bind(news_since)
        .bind(&info.account_id)
        .execute(&mut *tx)
        .await?;
        let mut ctx = Ctx::new(Principal::Account {
            account_id: info.account_id.clone(),
        });
        ctx.source_addr = source.map(str::to_owned);
        let client = match info.kind {
            AccountKind::Client => os(&r, "subject_id")?,
            _ => None,
        };
        append(
            &mut tx,
            &ctx,
            now,
            Event {
                role: info.kind.code(),
                client_id: client.as_deref(),
                data_kind: "account",
                data_id: Some(&info.account_id),
                action: AuditAction::Update,
                outcome: AuditOutcome::Allowed,
                reason: Some("notifications"),
            },
        )
        .await?;
        if choice.news || choice.reminders {
            ensure_sweep(&mut tx, now).await?;
        }
        // The holder chose anew: old mails can no longer change it.
        void_codes(&mut tx, &info.account_id).await?;
        tx.commit().await?;
        self.wake_jobs();
        Ok(())
    }

    /// Whether an unsubscribe code from an e-mail still works.
    pub async fn unsubscribe_code_works(&self, code: &str) -> Result<bool> {
        Ok(self.unsubscribe_account(code).await?.is_some())
    }

    async fn unsubscribe_account(&self, code: &str) -> Result<Option<String>> {
        if code.len() != 64 || !code.bytes().all(|c| c.is_ascii_hexdigit()) {
            return Ok(None);
        }
        let r = crate::sql::query(
            "SELECT account_id FROM notification_sent WHERE unsubscribe_hash = $1 AND sent_at > $2",
        )
        .bind(crate::accounts::sha(code))
        .bind(ts(self.now() - UNSUBSCRIBE_VALID))
        .fetch_optional(self.db())
        .await?;
        r.map(|r| s(&r, "account_id")).transpose()
    }

    /// One click in the e-mail: no more notifications of any kind for the
    /// account the code was sent to. `false` for an unknown or old code.
    pub async fn unsubscribe(&self, code: &str, source: Option<&str>) -> Result<bool> {
        let Some(account) = self.unsubscribe_account(code).await? else {
            return Ok(false);
        };
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let r = crate::sql::query("SELECT kind, subject_id FROM account WHERE id = $1")
            .bind(&account)
            .fetch_one(&mut *tx)
            .await?;
        crate::sql::query("UPDATE account SET notify_news = 0, notify_reminders = 0 WHERE id = $1")
            .bind(&account)
            .execute(&mut *tx)
            .await?;
        // Every code of the account is spent: a second click (or someone
        // who saw an old mail) changes nothing and writes nothing.
        void_codes(&mut tx, &account).await?;
        let kind = s(&r, "kind")?;
        let client = if kind == AccountKind::Client.code() {
            os(&r, "subject_id")?
        } else {
            None
        };
        let mut ctx = Ctx::new(Principal::Account {
            account_id: account.clone(),
        });
        ctx.source_addr = source.map(str::to_owned);
        append(
            &mut tx,
            &ctx,
            now,
            Event {
                role: &kind,
                client_id: client.as_deref(),
                data_kind: "account",
                data_id: Some(&account),
                action: AuditAction::Update,
                outcome: AuditOutcome::Allowed,
                reason: Some("unsubscribed"),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The sweep job: sends what is due and says when to look again.
    pub(crate) async fn notification_sweep(&self) -> Result<Option<DateTime<Utc>>> {
        let now = self.now();
        let hour = now.with_timezone(&DISPLAY_TZ).hour();
        if !(SEND_FROM_HOUR..SEND_UNTIL_HOUR).contains(&hour) {
            return Ok(Some(next_window(now)));
        }
        self.send_notifications().await?;
        Ok(Some(now + SWEEP_EVERY))
    }

    /// Sends every notification due now, whatever the hour (the sweep
    /// keeps to the sending window; tests and `inzage jobs` call this).
    pub async fn send_notifications(&self) -> Result<SweepReport> {
        let rows = crate::sql::query(
            "SELECT a.id, a.kind, a.subject_id, a.email, a.mobile, a.language, a.news_since, \
             a.last_login_at, a.notify_news, a.notify_reminders, a.notify_by_email, a.notify_by_sms, \
             (SELECT o.sector FROM organisation o WHERE o.id = a.organisation_id) AS sector \
             FROM account a WHERE (a.notify_news = 1 OR a.notify_reminders = 1) \
             AND a.kind IN ('client', 'contact_person') AND a.password_hash IS NOT NULL ORDER BY a.id",
        )
        .fetch_all(self.db())
        .await?;
        let mut report = SweepReport::default();
        for r in &rows {
            let reader = Reader {
                id: s(r, "id")?,
                kind: AccountKind::from_code(&s(r, "kind")?)
                    .ok_or_else(|| ServiceError::Internal("account kind".into()))?,
                subject_id: os(r, "subject_id")?,
                email: s(r, "email")?,
                mobile: os(r, "mobile")?,
                language: s(r, "language")?,
                sector: os(r, "sector")?
                    .and_then(|c| inzage_i18n::Sector::parse(&c))
                    .unwrap_or_default(),
                choice: choice_from(r)?,
                news_since: ot(r, "news_since")?,
                last_login_at: ot(r, "last_login_at")?,
            };
            // One reader's failure (a locked database, a bad row) does not
            // hold up the others; the next sweep tries again, and the
            // unique key keeps what was sent from going twice.
            match self.notify_reader(&reader).await {
                Ok((news, reminders)) => {
                    report.news += news;
                    report.reminders += reminders;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "notification for one reader failed; next sweep retries")
                }
            }
        }
        // Kept 90 days: long enough for the once-a-day key and for the
        // unsubscribe codes, no longer a record of appointment times.
        crate::sql::query("DELETE FROM notification_sent WHERE sent_at < $1")
            .bind(ts(self.now() - UNSUBSCRIBE_VALID))
            .execute(self.db())
            .await?;
        if report.news + report.reminders > 0 {
            self.wake_jobs();
        }
        Ok(report)
    }

    async fn notify_reader(&self, reader: &Reader) -> Result<(usize, usize)> {
        let found = self.findings(reader).await?;
        let mut sent = (0, 0);
        if !found.news_in.is_empty() && self.send_news(reader, &found.news_in).await? {
            sent.0 += 1;
        }
        for (client, appointment, starts) in &found.tomorrow {
            if self
                .send_reminder(reader, client, appointment, *starts)
                .await?
            {
                sent.1 += 1;
            }
        }
        Ok(sent)
    }

    /// What this reader may hear of now: per dossier they read, the parts
    /// the policy lets them read, then the new items there (counted, never
    /// loaded) and tomorrow's appointments.
    async fn findings(&self, reader: &Reader) -> Result<Findings> {
        let now = self.now();
        let mut conn = self.db().acquire().await?;
        let dossiers: Vec<(Principal, String)> = match reader.kind {
            AccountKind::Client => match &reader.subject_id {
                Some(c) => vec![(
                    Principal::Client {
                        client_id: inzage_core::ids::ClientId::from_raw(c.clone()),
                    },
                    c.clone(),
                )],
                None => Vec::new(),
            },
            AccountKind::ContactPerson => crate::sql::query(
                "SELECT id, client_id FROM contact_person WHERE account_id = $1 ORDER BY id",
            )
            .bind(&reader.id)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| {
                Ok((
                    Principal::ContactPerson {
                        contact_person_id: inzage_core::ids::ContactPersonId::from_raw(s(r, "id")?),
                    },
                    s(r, "client_id")?,
                ))
            })
            .collect::<Result<_>>()?,
            AccountKind::Staff => Vec::new(),
        };
        // News is what appeared after the later of the last notification
        // (or switching news on) and the last sign-in.
        let since = match (reader.news_since, reader.last_login_at) {
            (Some(n), Some(l)) => Some(n.max(l)),
            (n, _) => n,
        };
        let tomorrow = local_date(now) + Duration::days(1);
        let (from, until) = (
            local_midnight_utc(tomorrow),
            local_midnight_utc(tomorrow + Duration::days(1)),
        );
        let mut found = Findings {
            news_in: Vec::new(),
            tomorrow: Vec::new(),
        };
        for (principal, client) in dossiers {
            let actor = crate::access::actor_facts(&mut conn, &principal).await?;
            let Some(subject) = crate::access::subject_facts(&mut conn, &client).await? else {
                continue;
            };
            let scope = |part: DossierPart| match decide(
                &actor,
                &subject.facts,
                part,
                Access::Read,
                &subject.rules,
                now,
            ) {
                Decision::Allow(scope) => Some(scope),
                Decision::Deny(_) => None,
            };
            if let (true, Some(since)) = (reader.choice.news, since) {
                let mut news = 0;
                for part in NEWS_PARTS {
                    if let Some(sc) = scope(part) {
                        news += count_new(&mut conn, part, &client, &principal, &sc, since).await?;
                    }
                }
                if news > 0 {
                    found.news_in.push(client.clone());
                }
            }
            if reader.choice.reminders {
                if let Some(sc) = scope(DossierPart::Appointments) {
                    let rows = crate::sql::query(
                        "SELECT id, starts_at FROM appointment WHERE client_id = $1 AND status = 'planned' \
                         AND starts_at >= $2 AND starts_at < $3 AND ($4 IS NULL OR episode_id = $4) \
                         ORDER BY starts_at, id",
                    )
                    .bind(&client)
                    .bind(ts(from))
                    .bind(ts(until))
                    .bind(episode_of(&sc))
                    .fetch_all(&mut *conn)
                    .await?;
                    for r in &rows {
                        found
                            .tomorrow
                            .push((client.clone(), s(r, "id")?, t(r, "starts_at")?));
                    }
                }
            }
        }
        Ok(found)
    }

    /// One news notification for today, if none went out yet.
    async fn send_news(&self, reader: &Reader, dossiers: &[String]) -> Result<bool> {
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let day = local_date(now).to_string();
        let Some(code) = claim(&mut tx, now, &reader.id, "news", &day).await? else {
            return Ok(false);
        };
        let own = reader.kind == AccountKind::Client;
        let unsubscribe = self.unsubscribe_url(&code);
        let portal = self
            .settings()
            .public_base_url
            .trim_end_matches('/')
            .to_owned();
        let (subject, body) = crate::texts::news_mail(reader.voice(), own, &portal, &unsubscribe);
        let sms = crate::texts::news_sms(reader.voice(), own);
        self.queue_notification(
            &mut tx,
            reader,
            (&subject, &body),
            &sms,
            &unsubscribe,
            "news",
        )
        .await?;
        crate::sql::query("UPDATE account SET news_since = $1 WHERE id = $2")
            .bind(ts(now))
            .bind(&reader.id)
            .execute(&mut *tx)
            .await?;
        for client in dossiers {
            audit_notification(&mut tx, now, reader, client, "news").await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// One reminder for an appointment on its day, if none went out yet
    /// (moving it within the day sends no second one).
    async fn send_reminder(
        &self,
        reader: &Reader,
        client: &str,
        appointment: &str,
        starts: DateTime<Utc>,
    ) -> Result<bool> {
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let about = format!("{appointment}@{}", local_date(starts));
        let Some(code) = claim(&mut tx, now, &reader.id, "reminder", &about).await? else {
            return Ok(false);
        };
        let own = reader.kind == AccountKind::Client;
        let time = starts
            .with_timezone(&DISPLAY_TZ)
            .format("%H:%M")
            .to_string();
        let unsubscribe = self.unsubscribe_url(&code);
        let portal = self
            .settings()
            .public_base_url
            .trim_end_matches('/')
            .to_owned();
        let (subject, body) =
            crate::texts::reminder_mail(reader.voice(), own, &time, &portal, &unsubscribe);
        let sms = crate::texts::reminder_sms(reader.voice(), own, &time);
        self.queue_notification(
            &mut tx,
            reader,
            (&subject, &body),
            &sms,
            &unsubscribe,
            "reminder",
        )
        .await?;
        audit_notification(&mut tx, now, reader, client, "reminder").await?;
        tx.commit().await?;
        Ok(true)
    }

    fn unsubscribe_url(&self, code: &str) -> String {
        format!(
            "{}/afmelden?code={code}",
            self.settings().public_base_url.trim_end_matches('/')
        )
    }

    async fn queue_notification(
        &self,
        tx: &mut crate::db::Tx,
        reader: &Reader,
        (subject, body): (&str, &str),
        sms: &str,
        unsubscribe: &str,
        purpose: &str,
    ) -> Result<()> {
        let now = self.now();
        let purpose = format!("notify_{purpose}");
        if reader.choice.by_email {
            queue_with(
                tx,
                now,
                NewMessage {
                    channel: Channel::Email,
                    recipient: &reader.email,
                    subject: Some(subject),
                    body,
                    purpose: &purpose,
                    account_id: Some(&reader.id),
                },
                Some(unsubscribe),
            )
            .await?;
        }
        if let (true, Some(mobile)) = (reader.choice.by_sms, &reader.mobile) {
            queue_with(
                tx,
                now,
                NewMessage {
                    channel: Channel::Sms,
                    recipient: mobile,
                    subject: None,
                    body: sms,
                    purpose: &purpose,
                    account_id: Some(&reader.id),
                },
                None,
            )
            .await?;
        }
        Ok(())
    }
}

/// Records one notification (kind, about) for the account, once: its
/// unsubscribe code, or `None` when it was sent before (the unique key).
async fn claim(
    tx: &mut crate::db::Tx,
    now: DateTime<Utc>,
    account: &str,
    kind: &str,
    about: &str,
) -> Result<Option<String>> {
    let code = crate::accounts::random_token()?;
    let inserted = crate::sql::query(
        "INSERT INTO notification_sent (id, account_id, kind, about, unsubscribe_hash, sent_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (account_id, kind, about) DO NOTHING",
    )
    .bind(new_id())
    .bind(account)
    .bind(kind)
    .bind(about)
    .bind(crate::accounts::sha(&code))
    .bind(ts(now))
    .execute(&mut **tx)
    .await?;
    Ok((inserted.rows_affected() == 1).then_some(code))
}

/// Makes every unsubscribe code sent to the account useless.
async fn void_codes(tx: &mut crate::db::Tx, account: &str) -> Result<()> {
    crate::sql::query(
        "UPDATE notification_sent SET unsubscribe_hash = NULL WHERE account_id = $1 AND unsubscribe_hash IS NOT NULL",
    )
    .bind(account)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The sweep job exists (once); one that gave up is queued again.
pub(crate) async fn ensure_sweep(tx: &mut crate::db::Tx, now: DateTime<Utc>) -> Result<()> {
    crate::jobs::enqueue_once(tx, crate::jobs::NOTIFICATION_SWEEP, "all", now).await?;
    crate::sql::query(
        "UPDATE job SET status = 'queued', attempts = 0, run_at = $1, updated_at = $1 \
         WHERE dedupe_key = $2 AND status = 'failed'",
    )
    .bind(ts(now))
    .bind(format!("{}:all", crate::jobs::NOTIFICATION_SWEEP))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A notification tells the mailbox that something exists in a dossier:
/// recorded (NEN 7513) as the system's, with the dossier, never the item.
async fn audit_notification(
    tx: &mut crate::db::Tx,
    now: DateTime<Utc>,
    reader: &Reader,
    client: &str,
    what: &str,
) -> Result<()> {
    append(
        tx,
        &Ctx::system("job:notifications"),
        now,
        Event {
            role: "system",
            client_id: Some(client),
            data_kind: "notification",
            data_id: Some(&reader.id),
            action: AuditAction::Notify,
            outcome: AuditOutcome::Allowed,
            reason: Some(what),
        },
    )
    .await
}

/// How many items of `part` became readable for `principal` after `since`.
async fn count_new(
    conn: &mut crate::db::Conn,
    part: DossierPart,
    client: &str,
    principal: &Principal,
    scope: &Scope,
    since: DateTime<Utc>,
) -> Result<i64> {
    let episode = episode_of(scope);
    let hidden = i64::from(scope.include_hidden);
    // A contact person hears only of answers to their own questions.
    let asker = match principal {
        Principal::ContactPerson { contact_person_id } => Some(contact_person_id.to_string()),
        _ => None,
    };
    let q = match part {
        DossierPart::Reports => crate::sql::query(
            "SELECT COUNT(*) AS n FROM report WHERE client_id = $1 AND status = 'final' AND is_current = 1 \
             AND finalised_at > $2 AND (visible_to_client = 1 OR $3 = 1) AND ($4 IS NULL OR episode_id = $4)",
        )
        .bind(client)
        .bind(ts(since))
        .bind(hidden)
        .bind(episode),
        DossierPart::Documents => crate::sql::query(
            "SELECT COUNT(*) AS n FROM document WHERE client_id = $1 AND deleted_at IS NULL \
             AND created_at > $2 AND (visible_to_client = 1 OR $3 = 1) AND ($4 IS NULL OR episode_id = $4)",
        )
        .bind(client)
        .bind(ts(since))
        .bind(hidden)
        .bind(episode),
        DossierPart::ClientPlan => crate::sql::query(
            "SELECT COUNT(*) AS n FROM plan_version WHERE client_id = $1 AND status = 'final' \
             AND finalised_at > $2 AND ($3 IS NULL OR episode_id = $3)",
        )
        .bind(client)
        .bind(ts(since))
        .bind(episode),
        DossierPart::Questions => crate::sql::query(
            "SELECT COUNT(*) AS n FROM team_question_message m JOIN team_question q ON q.id = m.question_id \
             WHERE q.client_id = $1 AND m.author_kind = 'staff' AND m.created_at > $2 \
             AND ($3 IS NULL OR q.asked_by_id = $3)",
        )
        .bind(client)
        .bind(ts(since))
        .bind(asker),
        DossierPart::Requests => crate::sql::query(
            "SELECT COUNT(*) AS n FROM dossier_request WHERE client_id = $1 \
             AND status IN ('accepted', 'declined') AND decided_at > $2 AND ($3 IS NULL OR asked_by_id = $3)",
        )
        .bind(client)
        .bind(ts(since))
        .bind(asker),
        _ => return Ok(0),
    };
    let r = q.fetch_one(&mut *conn).await?;
    Ok(r.try_get::<i64, _>("n")?)
}
