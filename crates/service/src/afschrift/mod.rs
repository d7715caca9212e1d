//! The afschrift: a full electronic copy of the dossier (issue 15, ADR
//! 0022; Wabvpz 15d/15e, AVG 15 and 20). The client, or a contact person
//! whom staff marked as the client's legal representative, asks for it
//! (`policy::decide_afschrift`); the durable job `build_afschrift` reads
//! the dossier *as the asker* (every part through the same audited service
//! method and policy as the portal, so the copy holds exactly what they may
//! read and "Wie keek mee" shows that it was read) and renders a PDF/A-3a
//! file with the documents attached. The file is kept 7 days and only the
//! account that asked downloads it; asking and every download are audit
//! events.
pub(crate) mod content;
mod fhir;
mod pdf;

use crate::access::{actor_facts, subject_facts};
use crate::audit::{append, Event};
use crate::audited::committed;
use crate::error::{Result, ServiceError};
use crate::row::{os, s, t};
use crate::{new_id, Ctx, Services};
use chrono::{DateTime, Duration, Utc};
use inzage_core::ids::{ClientId, ContactPersonId};
use inzage_core::model::{AuditAction, AuditOutcome, Principal};
use inzage_core::policy::{decide_afschrift, Decision, DenyReason};
use inzage_core::types::ts;
use serde::Serialize;

/// How long a made afschrift can be downloaded.
pub const KEEP: Duration = Duration::days(7);
/// One afschrift a day per account: each holds the whole dossier.
pub const ONE_PER: Duration = Duration::days(1);
/// A copy still "being made" after this long is taken as failed (its job
/// gave up or the server went down); the holder can ask again.
pub const STALE_AFTER: Duration = Duration::hours(6);

/// Where one afschrift is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AfschriftStatus {
    Queued,
    Building,
    Ready,
    Failed,
    Expired,
}

impl AfschriftStatus {
    fn parse(s: &str) -> Self {
        match s {
            "queued" => Self::Queued,
            "building" => Self::Building,
            "ready" => Self::Ready,
            "expired" => Self::Expired,
            _ => Self::Failed,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Building => "building",
            Self::Ready => "ready",
            Self::Failed => "failed",
            Self::Expired => "expired",
        }
    }
}

/// One afschrift, as its asker sees it.
#[derive(Clone, Debug, Serialize)]
pub struct AfschriftView {
    pub id: String,
    pub status: AfschriftStatus,
    /// 0–100 while it is being made.
    pub progress: i64,
    pub asked_at: DateTime<Utc>,
    pub ready_at: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
    pub pdf_size: Option<i64>,
}

/// The page: may this reader ask, and what they asked before.
#[derive(Clone, Debug, Serialize)]
pub struct AfschriftOverview {
    /// `None`: they may ask; else why not.
    pub refused: Option<DenyReason>,
    pub items: Vec<AfschriftView>,
}

/// The file to hand over.
pub struct AfschriftFile {
    pub bytes: Vec<u8>,
    pub file_name: String,
}

fn asked_as(p: &Principal) -> Option<(&'static str, String)> {
    match p {
        Principal::Client { client_id } => Some(("client", client_id.to_string())),
        Principal::ContactPerson { contact_person_id } => {
            Some(("contact_person", contact_person_id.to_string()))
        }
        _ => None,
    }
}

fn event<'a>(
    client: &'a str,
    id: Option<&'a str>,
    outcome: AuditOutcome,
    reason: &'a str,
) -> Event<'a> {
    Event {
        role: "-",
        client_id: Some(client),
        data_kind: "afschrift",
        data_id: id,
        action: AuditAction::Export,
        outcome,
        reason: Some(reason),
    }
}

impl Services {
    async fn afschrift_decision(&self, ctx: &Ctx, client: &ClientId) -> Result<Decision> {
        let mut conn = self.db().acquire().await?;
        let actor = actor_facts(&mut conn, &ctx.principal).await?;
        let Some(subject) = subject_facts(&mut conn, client.as_str()).await? else {
            return Err(ServiceError::NotFound);
        };
        Ok(decide_afschrift(
            &actor,
            &subject.facts,
            &subject.rules,
            self.now(),
        ))
    }

    /// "Download mijn dossier": whether the signed-in reader may ask, and
    /// their own afschriften (newest first). Shows no dossier content.
    pub async fn afschrift_overview(
        &self,
        ctx: &Ctx,
        account_id: &str,
        client: &ClientId,
    ) -> Result<AfschriftOverview> {
        self.expire_afschriften().await?;
        let refused = match self.afschrift_decision(ctx, client).await? {
            Decision::Allow(_) => None,
            Decision::Deny(r) => Some(r),
        };
        let rows = crate::sql::query(
            "SELECT id, status, progress, asked_at, ready_at, expires_at, pdf_size FROM afschrift \
             WHERE account_id = $1 AND client_id = $2 ORDER BY asked_at DESC, id DESC LIMIT 10",
        )
        .bind(account_id)
        .bind(client.as_str())
        .fetch_all(self.db())
        .await?;
        let items = rows
            .iter()
            .map(|r| {
                Ok(AfschriftView {
                    id: s(r, "id")?,
                    status: AfschriftStatus::parse(&s(r, "status")?),
                    progress: r.try_get::<i64, _>("progress")?,
                    asked_at: t(r, "asked_at")?,
                    ready_at: crate::row::ot(r, "ready_at")?,
                    expires_at: t(r, "expires_at")?,
                    pdf_size: r.try_get::<Option<i64>, _>("pdf_size")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(AfschriftOverview { refused, items })
    }

    /// Asks for an afschrift: decided, audited, queued. One at a time per
    /// account: while one is being made, asking again is refused.
    pub async fn ask_afschrift(
        &self,
        ctx: &Ctx,
        account_id: &str,
        client: &ClientId,
    ) -> Result<String> {
        let Some((kind, as_id)) = asked_as(&ctx.principal) else {
            return Err(ServiceError::Denied(DenyReason::RoleLacksPermission));
        };
        let now = self.now();
        let decision = self.afschrift_decision(ctx, client).await?;
        let mut tx = self.db().begin().await?;
        if let Decision::Deny(reason) = decision {
            append(
                &mut tx,
                ctx,
                now,
                event(client.as_str(), None, AuditOutcome::Denied, reason.code()),
            )
            .await?;
            tx.commit().await?;
            return Err(ServiceError::Denied(reason));
        }
        crate::sql::query(
            "UPDATE afschrift SET status = 'failed' WHERE account_id = $1 \
             AND status IN ('queued', 'building') AND asked_at < $2",
        )
        .bind(account_id)
        .bind(ts(now - STALE_AFTER))
        .execute(&mut *tx)
        .await?;
        // One in the making (also held by a unique index), and one a day.
        let recent: i64 = crate::sql::query(
            "SELECT COUNT(*) AS n FROM afschrift WHERE account_id = $1 \
             AND (status IN ('queued', 'building') OR (status = 'ready' AND asked_at > $2))",
        )
        .bind(account_id)
        .bind(ts(now - ONE_PER))
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
        if recent > 0 {
            return Err(ServiceError::Conflict(
                "an afschrift was asked today".into(),
            ));
        }
        let id = new_id();
        crate::sql::query(
            "INSERT INTO afschrift (id, client_id, account_id, asked_as_kind, asked_as_id, status, progress, \
             asked_at, expires_at) VALUES ($1, $2, $3, $4, $5, 'queued', 0, $6, $7)",
        )
        .bind(&id)
        .bind(client.as_str())
        .bind(account_id)
        .bind(kind)
        .bind(&as_id)
        .bind(ts(now))
        .bind(ts(now + KEEP))
        .execute(&mut *tx)
        .await?;
        append(
            &mut tx,
            ctx,
            now,
            event(client.as_str(), Some(&id), AuditOutcome::Allowed, "asked"),
        )
        .await?;
        crate::jobs::enqueue_once(&mut tx, crate::jobs::BUILD_AFSCHRIFT, &id, now).await?;
        // The quarter-hourly sweep removes it after its days.
        crate::notifications::ensure_sweep(&mut tx, now).await?;
        tx.commit().await?;
        self.wake_jobs();
        Ok(id)
    }

    /// The job: reads the dossier as the asker and makes the file.
    pub(crate) async fn build_afschrift(&self, id: &str) -> Result<()> {
        let Some(r) = crate::sql::query(
            "SELECT a.client_id, a.asked_as_kind, a.asked_as_id, a.status, ac.language, \
             (SELECT o.sector FROM organisation o WHERE o.id = ac.organisation_id) AS sector, \
             (SELECT COALESCE(o.display_name, o.name) FROM organisation o JOIN client c ON c.organisation_id = o.id \
              WHERE c.id = a.client_id) AS org_name, \
             (SELECT o.client_number_system FROM organisation o JOIN client c ON c.organisation_id = o.id \
              WHERE c.id = a.client_id) AS naming_system, \
             (SELECT c.organisation_id FROM client c WHERE c.id = a.client_id) AS org_id \
             FROM afschrift a JOIN account ac ON ac.id = a.account_id WHERE a.id = $1",
        )
        .bind(id)
        .fetch_optional(self.db())
        .await?
        else {
            return Ok(());
        };
        if !matches!(s(&r, "status")?.as_str(), "queued" | "building") {
            return Ok(());
        }
        let client = ClientId::from_raw(s(&r, "client_id")?);
        let principal = match s(&r, "asked_as_kind")?.as_str() {
            "client" => Principal::Client {
                client_id: client.clone(),
            },
            _ => Principal::ContactPerson {
                contact_person_id: ContactPersonId::from_raw(s(&r, "asked_as_id")?),
            },
        };
        let ctx = Ctx::new(principal);
        self.set_afschrift(id, "building", 5).await?;
        // Access may have ended since the asking: decided again.
        if let Decision::Deny(reason) = self.afschrift_decision(&ctx, &client).await? {
            let mut tx = self.db().begin().await?;
            append(
                &mut tx,
                &ctx,
                self.now(),
                event(
                    client.as_str(),
                    Some(id),
                    AuditOutcome::Denied,
                    reason.code(),
                ),
            )
            .await?;
            tx.commit().await?;
            return self.set_afschrift(id, "failed", 0).await;
        }
        let lang_code = os(&r, "language")?.unwrap_or_else(|| "nl".into());
        let lang = inzage_i18n::Lang::parse(&lang_code).unwrap_or(inzage_i18n::Lang::Nl);
        let sector = os(&r, "sector")?
            .and_then(|c| inzage_i18n::Sector::parse(&c))
            .unwrap_or_default();
        let tr = inzage_i18n::Tr::new(lang).with_sector(sector);
        let lang_tag = if lang == inzage_i18n::Lang::En {
            "en"
        } else {
            "nl"
        };
        let dossier = content::gather(self, &ctx, &client, id).await?;
        let naming = format!(
            "{}/fhir",
            self.settings().public_base_url.trim_end_matches('/')
        );
        let organisation = os(&r, "org_name")?.unwrap_or_default();
        let org_id = inzage_core::ids::OrganisationId::from_raw(s(&r, "org_id")?);
        // The organisation's own naming system for client numbers, as the
        // FHIR API uses it (ADR 0027).
        let naming_system = os(&r, "naming_system")?
            .filter(|x| !x.is_empty())
            .unwrap_or_else(|| self.default_naming_system(&org_id));
        // Laying out and compressing a large dossier is slow: never on
        // the async workers.
        let blobs = self.blobs().clone();
        let made = tokio::task::spawn_blocking(move || {
            // The FHIR bundle first: the PDF takes the documents' bytes.
            let json = fhir::bundle(&dossier, &naming, &naming_system, &organisation);
            let json_hash = blobs.put(json.as_bytes())?;
            let copy = content::copy(dossier, tr, lang_tag);
            let pdf = pdf::render(&copy)?;
            let hash = blobs.put(&pdf)?;
            Ok::<_, ServiceError>((hash, pdf.len(), json_hash, json.len()))
        })
        .await
        .map_err(|_| ServiceError::Internal("pdf task ended".into()))?;
        let (hash, size, json_hash, json_size) = match made {
            Ok(m) => m,
            Err(ServiceError::Invalid(e)) => {
                // The text cannot become PDF/A (a rule of the standard):
                // the same text fails again, so no retry. Only the rule's
                // code is logged, never the text.
                tracing::warn!(rule = %e.message, "afschrift could not be written as PDF/A");
                return self.set_afschrift(id, "failed", 0).await;
            }
            Err(e) => return Err(e),
        };
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let done = crate::sql::query(
            "UPDATE afschrift SET status = 'ready', progress = 100, pdf_sha256 = $1, pdf_size = $2, ready_at = $3, \
             json_sha256 = $5, json_size = $6 WHERE id = $4 AND status = 'building'",
        )
        .bind(&hash)
        .bind(size as i64)
        .bind(ts(now))
        .bind(id)
        .bind(&json_hash)
        .bind(json_size as i64)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 1 {
            // "It is ready", nothing more: the file itself never goes by
            // e-mail (ADR 0021, 0022).
            let account = crate::sql::query(
                "SELECT ac.id, ac.email, ac.language FROM afschrift a JOIN account ac ON ac.id = a.account_id WHERE a.id = $1",
            )
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
            let voice = crate::texts::Voice {
                lang: &s(&account, "language")?,
                sector,
            };
            let (subject, body) = crate::texts::afschrift_ready(
                voice,
                &inzage_core::types::display_datetime(now + KEEP),
                &self.settings().public_base_url,
            );
            crate::messages::queue(
                &mut tx,
                now,
                crate::messages::NewMessage {
                    channel: crate::messages::Channel::Email,
                    recipient: &s(&account, "email")?,
                    subject: Some(&subject),
                    body: &body,
                    purpose: "afschrift_ready",
                    account_id: Some(&s(&account, "id")?),
                },
            )
            .await?;
        }
        tx.commit().await?;
        self.wake_jobs();
        Ok(())
    }

    pub(crate) async fn set_afschrift(&self, id: &str, status: &str, progress: i64) -> Result<()> {
        crate::sql::query(
            "UPDATE afschrift SET status = $1, progress = $2 WHERE id = $3 AND status IN ('queued', 'building')",
        )
            .bind(status)
            .bind(progress)
            .bind(id)
            .execute(self.db())
            .await?;
        Ok(())
    }

    /// The made file, for the account that asked only (anyone else, or
    /// after 7 days: not found). Every download is an audit event.
    pub async fn afschrift_pdf(
        &self,
        ctx: &Ctx,
        account_id: &str,
        client: &ClientId,
        id: &str,
    ) -> Result<crate::Audited<AfschriftFile>> {
        self.afschrift_file(ctx, account_id, client, id, false)
            .await
    }

    /// The same afschrift as a FHIR R4 Bundle (JSON), on the same terms.
    pub async fn afschrift_fhir(
        &self,
        ctx: &Ctx,
        account_id: &str,
        client: &ClientId,
        id: &str,
    ) -> Result<crate::Audited<AfschriftFile>> {
        self.afschrift_file(ctx, account_id, client, id, true).await
    }

    async fn afschrift_file(
        &self,
        ctx: &Ctx,
        account_id: &str,
        client: &ClientId,
        id: &str,
        fhir: bool,
    ) -> Result<crate::Audited<AfschriftFile>> {
        let now = self.now();
        let row = crate::sql::query(
            "SELECT account_id, client_id, asked_as_kind, asked_as_id, status, pdf_sha256, json_sha256, expires_at \
             FROM afschrift WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.db())
        .await?;
        let same_principal = |r: &crate::sql::Row| -> Result<bool> {
            Ok(asked_as(&ctx.principal).is_some_and(|(k, i)| {
                s(r, "asked_as_kind").ok().as_deref() == Some(k)
                    && s(r, "asked_as_id").ok() == Some(i)
            }))
        };
        let mine = match &row {
            Some(r) => {
                s(r, "account_id")? == account_id
                    && s(r, "client_id")? == client.as_str()
                    && same_principal(r)?
                    && s(r, "status")? == "ready"
                    && t(r, "expires_at")? > now
            }
            None => false,
        };
        // Decided again at download: a mark cleared or access ended since
        // the copy was made ends the download too.
        let mine = mine && self.afschrift_decision(ctx, client).await?.is_allowed();
        let (Some(r), true) = (row, mine) else {
            let mut tx = self.db().begin().await?;
            append(
                &mut tx,
                ctx,
                now,
                event(client.as_str(), Some(id), AuditOutcome::Denied, "not_found"),
            )
            .await?;
            tx.commit().await?;
            return Err(ServiceError::NotFound);
        };
        let hash = os(&r, if fhir { "json_sha256" } else { "pdf_sha256" })?
            .ok_or(ServiceError::NotFound)?;
        let bytes = self.blobs().get(&hash)?;
        let tx = self.db().begin().await?;
        committed(
            tx,
            ctx,
            now,
            event(
                client.as_str(),
                Some(id),
                AuditOutcome::Allowed,
                if fhir {
                    "downloaded_fhir"
                } else {
                    "downloaded"
                },
            ),
            AfschriftFile {
                bytes,
                file_name: format!(
                    "afschrift-{}.{}",
                    inzage_core::types::local_date(now).format("%Y-%m-%d"),
                    if fhir { "fhir.json" } else { "pdf" }
                ),
            },
        )
        .await
    }

    /// Afschriften past their 7 days: the file is removed, the row says
    /// "expired" (who asked and when stays, as the audit trail does).
    pub async fn expire_afschriften(&self) -> Result<usize> {
        let now = self.now();
        let rows = crate::sql::query(
            "SELECT id, pdf_sha256, json_sha256 FROM afschrift WHERE expires_at <= $1 AND status <> 'expired'",
        )
        .bind(ts(now))
        .fetch_all(self.db())
        .await?;
        for r in &rows {
            for hash in [os(r, "pdf_sha256")?, os(r, "json_sha256")?]
                .into_iter()
                .flatten()
            {
                // Content-addressed: only when no document or logo is the
                // same bytes.
                let shared: i64 = crate::sql::query(
                    "SELECT (SELECT COUNT(*) FROM document WHERE sha256 = $1) \
                     + (SELECT COUNT(*) FROM organisation WHERE logo_sha256 = $1) \
                     + (SELECT COUNT(*) FROM afschrift WHERE (pdf_sha256 = $1 OR json_sha256 = $1) AND id <> $2) AS n",
                )
                .bind(&hash)
                .bind(s(r, "id")?)
                .fetch_one(self.db())
                .await?
                .try_get("n")?;
                if shared == 0 {
                    self.blobs().remove(&hash)?;
                }
            }
            crate::sql::query(
                "UPDATE afschrift SET status = 'expired', pdf_sha256 = NULL, json_sha256 = NULL WHERE id = $1",
            )
            .bind(s(r, "id")?)
            .execute(self.db())
            .await?;
        }
        Ok(rows.len())
    }
}
