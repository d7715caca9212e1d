//! Writing a dossier: reports (draft -> final, corrections as new
//! versions), contact persons and access grants, and the bulk import the
//! demo and migrations from another ECD use. Each write passes the gate.
use crate::access::{join_parts, Attempt};
use crate::audit::{append, Event};
use crate::db::Tx;
use crate::error::{Result, ServiceError};
use crate::row::{b, flag, i, s};
use crate::{new_id, Ctx, Services};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use inzage_core::ids::*;
use inzage_core::model::{
    AppointmentStatus, AuditAction, AuditOutcome, DocStatus, DossierPart, Relation, Role,
};
use inzage_core::policy::{
    decide_authorship, decide_draft, decide_operator, Access, Decision, DraftAction,
    OperatorAction, Scope,
};
use inzage_core::types::{date_str, ts, Email, FieldError, Label, MobileNumber, Text};

pub const REPORT_MAX_CHARS: usize = 20_000;

#[derive(Clone, Debug)]
pub struct NewReport {
    pub category: Label,
    pub body: Text,
    pub visible_to_client: bool,
}

#[derive(Clone, Debug)]
pub struct NewContactPerson {
    pub given_name: Label,
    pub name_prefix: Option<Label>,
    pub family_name: Label,
    pub relation: Relation,
    pub email: Option<Email>,
    pub mobile: Option<MobileNumber>,
}

#[derive(Clone, Debug)]
pub struct NewGrant {
    pub parts: Vec<DossierPart>,
    pub valid_from: DateTime<Utc>,
    pub valid_until: Option<DateTime<Utc>>,
    /// The staff member who recorded the client's consent. For a staff
    /// principal this must be themselves; the operator CLI names one.
    pub consent_recorded_by: StaffId,
}

/// Everything the bulk import can add to a client's current episode.
#[derive(Clone, Debug, Default)]
pub struct DossierImport {
    pub plans: Vec<PlanImport>,
    pub reports: Vec<ReportImport>,
    pub appointments: Vec<AppointmentImport>,
    pub documents: Vec<DocumentImport>,
}

/// One client with their dossier, for [`Services::import_clients`].
#[derive(Clone, Debug)]
pub struct ClientImport {
    pub client: crate::admin::NewClient,
    pub episode_start: NaiveDate,
    pub dossier: DossierImport,
}

#[derive(Clone, Debug)]
pub struct PlanImport {
    pub plan_date: NaiveDate,
    pub status: DocStatus,
    pub created_by: StaffId,
    /// (domain, goals, agreements), in order.
    pub sections: Vec<(String, String, String)>,
}

#[derive(Clone, Debug)]
pub struct ReportImport {
    pub author: StaffId,
    pub author_role: Role,
    pub category: String,
    pub body: String,
    pub status: DocStatus,
    pub visible_to_client: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug)]
pub struct AppointmentImport {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub practitioner: StaffId,
    pub place: String,
    pub description: String,
    pub status: AppointmentStatus,
}

#[derive(Clone, Debug)]
pub struct DocumentImport {
    pub title: String,
    pub doc_type: String,
    pub doc_date: NaiveDate,
    pub content_type: String,
    pub bytes: Vec<u8>,
    pub visible_to_client: bool,
    pub uploaded_by: StaffId,
}

fn write(part: DossierPart, action: AuditAction, data_id: Option<&str>) -> Attempt<'_> {
    Attempt {
        part,
        access: Access::Write,
        action,
        data_kind: part.code(),
        data_id,
        hide_denial: data_id.is_some(),
    }
}

/// A bind value for the bulk inserts.
enum V {
    S(String),
    O(Option<String>),
    I(i64),
}

/// Multi-row INSERT in chunks that stay under both databases' parameter limits.
async fn bulk_insert(tx: &mut Tx, table: &str, cols: &[&str], rows: Vec<Vec<V>>) -> Result<()> {
    let per_chunk = (30_000 / cols.len()).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<V>> = rows.by_ref().take(per_chunk).collect();
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", cols.join(", "));
        let mut n = 0;
        for (ri, _) in chunk.iter().enumerate() {
            if ri > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for ci in 0..cols.len() {
                if ci > 0 {
                    sql.push_str(", ");
                }
                n += 1;
                sql.push_str(&format!("${n}"));
            }
            sql.push(')');
        }
        let mut q = crate::sql::query(&sql);
        for row in chunk {
            for v in row {
                q = match v {
                    V::S(x) => q.bind(x),
                    V::O(x) => q.bind(x),
                    V::I(x) => q.bind(x),
                };
            }
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// The latest episode of a client, for new items.
pub(crate) async fn current_episode(tx: &mut Tx, client: &str) -> Result<String> {
    let r = crate::sql::query("SELECT id FROM episode WHERE client_id = $1 ORDER BY start_date DESC, created_at DESC LIMIT 1")
        .bind(client)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| ServiceError::Conflict("the client has no episode".into()))?;
    s(&r, "id")
}

async fn finalise_after_hours(tx: &mut Tx, client: &str) -> Result<i64> {
    let r = crate::sql::query("SELECT o.finalise_after_hours FROM client c JOIN organisation o ON o.id = c.organisation_id WHERE c.id = $1")
        .bind(client)
        .fetch_one(&mut **tx)
        .await?;
    i(&r, "finalise_after_hours")
}

/// A grant as staff record it: consent in their own name, at least one
/// part, an end after the start.
fn check_grant(ctx: &Ctx, grant: &NewGrant) -> Result<()> {
    if let Ok(me) = decide_authorship(&ctx.principal) {
        if me != grant.consent_recorded_by {
            return Err(ServiceError::Invalid(FieldError::new(
                "consent_recorded_by",
                "staff record consent in their own name",
            )));
        }
    }
    if grant.parts.is_empty() {
        return Err(ServiceError::Invalid(FieldError::new(
            "parts",
            "choose at least one part",
        )));
    }
    if grant.valid_until.is_some_and(|u| u <= grant.valid_from) {
        return Err(ServiceError::Invalid(FieldError::new(
            "valid_until",
            "end is before the start",
        )));
    }
    Ok(())
}

impl Services {
    /// A staff member writes a report: it starts as a draft only staff see,
    /// and a job makes it final after the organisation's period.
    pub async fn create_report(
        &self,
        ctx: &Ctx,
        client: &ClientId,
        new: NewReport,
    ) -> Result<ReportId> {
        let a = write(DossierPart::Reports, AuditAction::Create, None);
        let author = match decide_authorship(&ctx.principal) {
            Ok(author) => author,
            Err(reason) => {
                // Only a person can be the author of a report.
                let mut tx = self.db().begin().await?;
                self.denied(&mut tx, ctx, Some(client.as_str()), &a, reason.code())
                    .await?;
                tx.commit().await?;
                return Err(ServiceError::Denied(reason));
            }
        };
        let (mut tx, scope) = self.gate(ctx, client.as_str(), &a).await?;
        let now = self.now();
        let episode = current_episode(&mut tx, client.as_str()).await?;
        let id = new_id();
        crate::sql::query(
            "INSERT INTO report (id, series_id, version, is_current, client_id, episode_id, author_id, author_role, \
             category, body, status, visible_to_client, created_at, updated_at) \
             VALUES ($1, $1, 1, 1, $2, $3, $4, $5, $6, $7, 'draft', $8, $9, $9)",
        )
        .bind(&id)
        .bind(client.as_str())
        .bind(&episode)
        .bind(author.as_str())
        .bind(&scope.as_role)
        .bind(new.category.as_str())
        .bind(new.body.as_str())
        .bind(flag(new.visible_to_client))
        .bind(ts(now))
        .execute(&mut *tx)
        .await?;
        let hours = finalise_after_hours(&mut tx, client.as_str()).await?;
        crate::jobs::enqueue_finalise(&mut tx, &id, now + Duration::hours(hours), now).await?;
        self.allowed(&mut tx, ctx, &scope, client.as_str(), &a, Some(&id))
            .await?;
        tx.commit().await?;
        Ok(ReportId::from_raw(id))
    }

    /// "Definitief maken": the author finalises their own draft now, as
    /// shown at `revision` (a draft saved meanwhile in another window is
    /// not finalised unseen: [`ServiceError::Stale`]).
    pub async fn finalise_report(&self, ctx: &Ctx, report: &ReportId, revision: i64) -> Result<()> {
        let a = write(
            DossierPart::Reports,
            AuditAction::Finalise,
            Some(report.as_str()),
        );
        let (client, mut tx, scope) = self.gate_item(ctx, "report", report.as_str(), &a).await?;
        let r = crate::sql::query("SELECT author_id, status, revision FROM report WHERE id = $1")
            .bind(report.as_str())
            .fetch_one(&mut *tx)
            .await?;
        let author = StaffId::from_raw(s(&r, "author_id")?);
        if let Err(reason) = decide_draft(&ctx.principal, &author, DraftAction::Finalise) {
            self.denied(&mut tx, ctx, Some(&client), &a, reason.code())
                .await?;
            tx.commit().await?;
            return Err(ServiceError::Denied(reason));
        }
        if s(&r, "status")? == DocStatus::Final.code() || i(&r, "revision")? != revision {
            return Err(ServiceError::Stale);
        }
        let (kind, id) = ctx.principal.audit_actor();
        if !self
            .mark_final(
                &mut tx,
                report.as_str(),
                &format!("{kind}:{id}"),
                Some(revision),
            )
            .await?
        {
            return Err(ServiceError::Stale);
        }
        self.allowed(&mut tx, ctx, &scope, &client, &a, None)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The author edits their own draft. `revision` is the one the form
    /// was opened on: if the draft changed since (or was finalised), nothing
    /// is written and the answer is [`ServiceError::Stale`].
    pub async fn update_draft(
        &self,
        ctx: &Ctx,
        report: &ReportId,
        revision: i64,
        new: NewReport,
    ) -> Result<()> {
        let a = write(
            DossierPart::Reports,
            AuditAction::Update,
            Some(report.as_str()),
        );
        let (client, mut tx, scope) = self.gate_item(ctx, "report", report.as_str(), &a).await?;
        let r = crate::sql::query("SELECT author_id, status, revision FROM report WHERE id = $1")
            .bind(report.as_str())
            .fetch_one(&mut *tx)
            .await?;
        let author = StaffId::from_raw(s(&r, "author_id")?);
        if let Err(reason) = decide_draft(&ctx.principal, &author, DraftAction::Edit) {
            self.denied(&mut tx, ctx, Some(&client), &a, reason.code())
                .await?;
            tx.commit().await?;
            return Err(ServiceError::Denied(reason));
        }
        if s(&r, "status")? != DocStatus::Draft.code() || i(&r, "revision")? != revision {
            return Err(ServiceError::Stale);
        }
        let changed = crate::sql::query(
            "UPDATE report SET category = $3, body = $4, visible_to_client = $5, updated_at = $6, \
             revision = revision + 1 WHERE id = $1 AND revision = $2 AND status = 'draft'",
        )
        .bind(report.as_str())
        .bind(revision)
        .bind(new.category.as_str())
        .bind(new.body.as_str())
        .bind(flag(new.visible_to_client))
        .bind(ts(self.now()))
        .execute(&mut *tx)
        .await?;
        self.commit_guarded(tx, changed.rows_affected(), ctx, &scope, &client, &a)
            .await
    }

    /// Makes a draft final; with `revision`, only if it is still that
    /// revision. Returns whether it changed.
    pub(crate) async fn mark_final(
        &self,
        tx: &mut Tx,
        report: &str,
        by: &str,
        revision: Option<i64>,
    ) -> Result<bool> {
        let now = ts(self.now());
        // The author is never touched: finalising records who finalised.
        let done = crate::sql::query(
            "UPDATE report SET status = 'final', finalised_at = $2, finalised_by = $3, updated_at = $2 \
             WHERE id = $1 AND status = 'draft' AND ($4 IS NULL OR revision = $4)",
        )
        .bind(report)
        .bind(&now)
        .bind(by)
        .bind(revision)
        .execute(&mut **tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The finalisation job: make the draft final if the organisation's
    /// period has passed. Returns `Some(due)` when it is not due yet.
    pub(crate) async fn finalise_if_due(
        &self,
        ctx: &Ctx,
        report: &str,
    ) -> Result<Option<DateTime<Utc>>> {
        let a = write(DossierPart::Reports, AuditAction::Finalise, Some(report));
        let Some(client) = self.owner_of("report", report).await? else {
            return Ok(None); // removed meanwhile: nothing to do
        };
        let (mut tx, scope) = self.gate(ctx, &client, &a).await?;
        let r = crate::sql::query("SELECT status, created_at FROM report WHERE id = $1")
            .bind(report)
            .fetch_one(&mut *tx)
            .await?;
        if s(&r, "status")? != DocStatus::Draft.code() {
            return Ok(None);
        }
        let hours = finalise_after_hours(&mut tx, &client).await?;
        let due = crate::row::t(&r, "created_at")? + Duration::hours(hours);
        if self.now() < due {
            return Ok(Some(due));
        }
        self.mark_final(&mut tx, report, "system:job:finalise_reports", None)
            .await?;
        self.allowed(&mut tx, ctx, &scope, &client, &a, None)
            .await?;
        tx.commit().await?;
        Ok(None)
    }

    /// Corrects a final report: a new version by the correcting staff
    /// member; the earlier version stays, no longer current.
    pub async fn correct_report(
        &self,
        ctx: &Ctx,
        report: &ReportId,
        new: NewReport,
    ) -> Result<ReportId> {
        let a = write(
            DossierPart::Reports,
            AuditAction::Update,
            Some(report.as_str()),
        );
        let Some(client) = self.owner_of("report", report.as_str()).await? else {
            return self.no_such_item(ctx, &a).await;
        };
        let author = decide_authorship(&ctx.principal).map_err(ServiceError::Denied)?;
        let (mut tx, scope) = self.gate(ctx, &client, &a).await?;
        let r = crate::sql::query(
            "SELECT series_id, version, is_current, status, episode_id FROM report WHERE id = $1",
        )
        .bind(report.as_str())
        .fetch_one(&mut *tx)
        .await?;
        if !b(&r, "is_current")? {
            // Someone corrected it since this form was opened.
            return Err(ServiceError::Stale);
        }
        if s(&r, "status")? != DocStatus::Final.code() {
            return Err(ServiceError::Conflict(
                "a draft is edited, not corrected".into(),
            ));
        }
        let series = s(&r, "series_id")?;
        let version = i(&r, "version")? + 1;
        let now = ts(self.now());
        let changed =
            crate::sql::query("UPDATE report SET is_current = 0 WHERE id = $1 AND is_current = 1")
                .bind(report.as_str())
                .execute(&mut *tx)
                .await?;
        if changed.rows_affected() != 1 {
            return Err(ServiceError::Stale);
        }
        let id = new_id();
        crate::sql::query(
            "INSERT INTO report (id, series_id, version, is_current, client_id, episode_id, author_id, author_role, \
             category, body, status, visible_to_client, created_at, updated_at, finalised_at, finalised_by) \
             SELECT $1, series_id, $2, 1, client_id, episode_id, $3, $4, $5, $6, 'final', $7, created_at, $8, $8, $9 \
             FROM report WHERE id = $10",
        )
        .bind(&id)
        .bind(version)
        .bind(author.as_str())
        .bind(&scope.as_role)
        .bind(new.category.as_str())
        .bind(new.body.as_str())
        .bind(flag(new.visible_to_client))
        .bind(&now)
        .bind(format!("staff:{author}"))
        .bind(report.as_str())
        .execute(&mut *tx)
        .await
        .map_err(|e| crate::admin::fk_or(e, "report vanished", "someone else corrected this report just now"))?;
        let _ = series;
        self.allowed(&mut tx, ctx, &scope, &client, &a, Some(&id))
            .await?;
        tx.commit().await?;
        Ok(ReportId::from_raw(id))
    }

    /// Adds a contact person and records the client's consent as a grant.
    pub async fn add_contact_person(
        &self,
        ctx: &Ctx,
        client: &ClientId,
        person: NewContactPerson,
        grant: NewGrant,
    ) -> Result<(ContactPersonId, AccessGrantId)> {
        let a = write(DossierPart::Network, AuditAction::Grant, None);
        check_grant(ctx, &grant)?;
        let (mut tx, scope) = self.gate(ctx, client.as_str(), &a).await?;
        let now = ts(self.now());
        let cp = new_id();
        crate::sql::query(
            "INSERT INTO contact_person (id, client_id, given_name, name_prefix, family_name, relation, email, mobile, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&cp)
        .bind(client.as_str())
        .bind(person.given_name.as_str())
        .bind(person.name_prefix.as_ref().map(Label::as_str))
        .bind(person.family_name.as_str())
        .bind(person.relation.code())
        .bind(person.email.as_ref().map(Email::as_str))
        .bind(person.mobile.as_ref().map(MobileNumber::as_str))
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        let g = new_id();
        crate::sql::query(
            "INSERT INTO access_grant (id, client_id, contact_person_id, parts, valid_from, valid_until, \
             consent_recorded_by, consent_recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&g)
        .bind(client.as_str())
        .bind(&cp)
        .bind(join_parts(&grant.parts))
        .bind(ts(grant.valid_from))
        .bind(grant.valid_until.map(ts))
        .bind(grant.consent_recorded_by.as_str())
        .bind(&now)
        .execute(&mut *tx)
        .await
        .map_err(|e| crate::admin::fk_or(e, "the staff member recording consent does not exist", "exists"))?;
        self.allowed(&mut tx, ctx, &scope, client.as_str(), &a, Some(&g))
            .await?;
        tx.commit().await?;
        Ok((ContactPersonId::from_raw(cp), AccessGrantId::from_raw(g)))
    }

    /// Revokes a grant at once. If nothing stays open to the contact
    /// person's account, its open sessions end now; otherwise sessions that
    /// had this dossier open go back to choosing a dossier.
    pub async fn revoke_grant(&self, ctx: &Ctx, grant: &AccessGrantId) -> Result<()> {
        let a = write(
            DossierPart::Network,
            AuditAction::Revoke,
            Some(grant.as_str()),
        );
        let (client, mut tx, scope) = self
            .gate_item(ctx, "access_grant", grant.as_str(), &a)
            .await?;
        if !self.end_grant(&mut tx, ctx, grant).await? {
            // Revoked already (another window, a colleague): nothing to do.
            return Err(ServiceError::Stale);
        }
        self.allowed(&mut tx, ctx, &scope, &client, &a, None)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ends a grant now, in `tx`, recorded as ended by the actor; ends the
    /// contact person's sessions at once when nothing stays open to them
    /// (else the sessions that had this dossier open choose again). False:
    /// it had ended already. The caller decided and audits.
    pub(crate) async fn end_grant(
        &self,
        tx: &mut crate::db::Tx,
        ctx: &Ctx,
        grant: &AccessGrantId,
    ) -> Result<bool> {
        let (kind, id) = ctx.principal.audit_actor();
        let changed = crate::sql::query("UPDATE access_grant SET revoked_at = $2, revoked_by = $3 WHERE id = $1 AND revoked_at IS NULL")
            .bind(grant.as_str())
            .bind(ts(self.now()))
            .bind(format!("{kind}:{id}"))
            .execute(&mut **tx)
            .await?;
        if changed.rows_affected() != 1 {
            return Ok(false);
        }
        let cp = crate::sql::query(
            "SELECT cp.id, cp.account_id FROM access_grant g JOIN contact_person cp ON cp.id = g.contact_person_id \
             WHERE g.id = $1",
        )
        .bind(grant.as_str())
        .fetch_one(&mut **tx)
        .await?;
        if let Some(account) = crate::row::os(&cp, "account_id")? {
            if self.openable_dossiers(tx, &account).await?.is_empty() {
                crate::sql::query(
                    "UPDATE auth_session SET ended_at = $2, end_reason = 'access_revoked' \
                     WHERE account_id = $1 AND ended_at IS NULL",
                )
                .bind(&account)
                .bind(ts(self.now()))
                .execute(&mut **tx)
                .await?;
            } else {
                crate::sql::query(
                    "UPDATE auth_session SET active_contact_person_id = NULL \
                     WHERE account_id = $1 AND active_contact_person_id = $2 AND ended_at IS NULL",
                )
                .bind(&account)
                .bind(s(&cp, "id")?)
                .execute(&mut **tx)
                .await?;
            }
        }
        Ok(true)
    }

    /// Changes what a contact person may see (tiles) and until when, with
    /// the client's consent recorded anew (issue 14): the grant ends now and
    /// a new one with the new tiles and end date, recorded in the acting
    /// member's name, starts now; nothing is overwritten (the old grant
    /// stays in the history with who ended it). A stale `grant` (ended
    /// meanwhile) writes nothing. The contact person's open sessions see
    /// the new tiles at their next request (the rules read the grants).
    pub async fn change_grant(
        &self,
        ctx: &Ctx,
        grant: &AccessGrantId,
        change: NewGrant,
    ) -> Result<AccessGrantId> {
        let a = write(
            DossierPart::Network,
            AuditAction::Grant,
            Some(grant.as_str()),
        );
        check_grant(ctx, &change)?;
        let (client, mut tx, scope) = self
            .gate_item(ctx, "access_grant", grant.as_str(), &a)
            .await?;
        let now = ts(self.now());
        let (kind, id) = ctx.principal.audit_actor();
        let ended = crate::sql::query(
            "UPDATE access_grant SET revoked_at = $2, revoked_by = $3 WHERE id = $1 AND revoked_at IS NULL \
             AND (valid_until IS NULL OR valid_until > $2) RETURNING contact_person_id",
        )
        .bind(grant.as_str())
        .bind(&now)
        .bind(format!("{kind}:{id}"))
        .fetch_optional(&mut *tx)
        .await?;
        let Some(ended) = ended else {
            // Ended already (another window, a colleague, its end date).
            return Err(ServiceError::Stale);
        };
        let g = new_id();
        crate::sql::query(
            "INSERT INTO access_grant (id, client_id, contact_person_id, parts, valid_from, valid_until, \
             consent_recorded_by, consent_recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&g)
        .bind(&client)
        .bind(s(&ended, "contact_person_id")?)
        .bind(join_parts(&change.parts))
        .bind(ts(change.valid_from))
        .bind(change.valid_until.map(ts))
        .bind(change.consent_recorded_by.as_str())
        .bind(&now)
        .execute(&mut *tx)
        .await
        .map_err(|e| crate::admin::fk_or(e, "the staff member recording consent does not exist", "exists"))?;
        self.allowed(&mut tx, ctx, &scope, &client, &a, Some(&g))
            .await?;
        tx.commit().await?;
        Ok(AccessGrantId::from_raw(g))
    }

    /// Bulk import into the client's current episode, one transaction.
    /// Only the operator CLI and the demo may import (the import sets
    /// authors and times that a person writing could not).
    pub async fn import_dossier(
        &self,
        ctx: &Ctx,
        client: &ClientId,
        imp: DossierImport,
    ) -> Result<()> {
        if let Decision::Deny(reason) = decide_operator(&ctx.principal, OperatorAction::Import) {
            return Err(ServiceError::Denied(reason));
        }
        let mut tx = self.db().begin().await?;
        match self.import_into(&mut tx, ctx, client.as_str(), imp).await? {
            Ok(()) => {
                tx.commit().await?;
                Ok(())
            }
            Err(e) => {
                tx.commit().await?; // keeps the audited denial
                Err(e)
            }
        }
    }

    /// Creates many clients with their dossiers, `chunk` clients per
    /// transaction (the demo generator and imports from another ECD).
    pub async fn import_clients(
        &self,
        ctx: &Ctx,
        org: &OrganisationId,
        clients: Vec<ClientImport>,
    ) -> Result<Vec<ClientId>> {
        if let Decision::Deny(reason) = decide_operator(&ctx.principal, OperatorAction::Import) {
            return Err(ServiceError::Denied(reason));
        }
        let mut tx = self.db().begin().await?;
        let now = self.now();
        let mut ids = Vec::with_capacity(clients.len());
        for c in clients {
            let id = new_id();
            crate::clients::insert_client(
                &mut tx,
                ctx,
                now,
                &id,
                org,
                &c.client,
                Some(c.episode_start),
            )
            .await?;
            let (kind, component) = ctx.principal.audit_actor();
            let role = format!("{kind}:{component}");
            append(
                &mut tx,
                ctx,
                now,
                Event {
                    role: &role,
                    client_id: Some(&id),
                    data_kind: DossierPart::Profile.code(),
                    data_id: Some(&id),
                    action: AuditAction::Create,
                    outcome: AuditOutcome::Allowed,
                    reason: None,
                },
            )
            .await?;
            // A refusal rolls back the whole chunk.
            self.import_into(&mut tx, ctx, &id, c.dossier).await??;
            ids.push(ClientId::from_raw(id));
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// Writes `n` read events of the calling operator principal (the demo
    /// generator) about `clients`, round robin, 10,000 per transaction: a
    /// large audit trail to benchmark searches on (`inzage demo
    /// --audit-events`). Each event names the principal that really wrote
    /// it and the real time, through the one chain append, so it forges
    /// nobody's access and `audit verify` passes over it.
    pub async fn import_read_trail(&self, ctx: &Ctx, clients: &[ClientId], n: u64) -> Result<()> {
        if let Decision::Deny(reason) = decide_operator(&ctx.principal, OperatorAction::Import) {
            return Err(ServiceError::Denied(reason));
        }
        if clients.is_empty() {
            return Ok(());
        }
        if n > 100_000_000 {
            return Err(ServiceError::Config(
                "at most 100,000,000 synthetic events at once".into(),
            ));
        }
        let (kind, component) = ctx.principal.audit_actor();
        let role = format!("{kind}:{component}");
        let mut done = 0u64;
        while done < n {
            let chunk = (n - done).min(10_000);
            let now = self.now();
            let mut tx = self.db().begin().await?;
            let events = (done..done + chunk).map(|k| {
                let client = &clients[(k % clients.len() as u64) as usize];
                (
                    ctx,
                    now,
                    Event {
                        role: &role,
                        client_id: Some(client.as_str()),
                        data_kind: DossierPart::Reports.code(),
                        data_id: None,
                        action: AuditAction::Read,
                        outcome: AuditOutcome::Allowed,
                        // Marked, so nobody takes them for real reads.
                        reason: Some("synthetic demo trail"),
                    },
                )
            });
            crate::audit::append_all(&mut tx, events, i64::try_from(chunk).unwrap_or(i64::MAX))
                .await?;
            tx.commit().await?;
            done += chunk;
        }
        Ok(())
    }

    async fn import_into(
        &self,
        tx: &mut Tx,
        ctx: &Ctx,
        cid: &str,
        imp: DossierImport,
    ) -> Result<std::result::Result<(), ServiceError>> {
        let mut scopes: Vec<(DossierPart, Scope)> = Vec::new();
        for (part, present) in [
            (DossierPart::ClientPlan, !imp.plans.is_empty()),
            (DossierPart::Reports, !imp.reports.is_empty()),
            (DossierPart::Appointments, !imp.appointments.is_empty()),
            (DossierPart::Documents, !imp.documents.is_empty()),
        ] {
            if present {
                match self
                    .decide_in(tx, ctx, cid, &write(part, AuditAction::Create, None))
                    .await?
                {
                    Ok(scope) => scopes.push((part, scope)),
                    Err(e) => return Ok(Err(e)),
                }
            }
        }
        let tx = &mut *tx;
        let episode = current_episode(tx, cid).await?;
        let now = self.now();
        let nows = ts(now);
        let mut plan_rows = Vec::new();
        let mut section_rows = Vec::new();
        for p in &imp.plans {
            let pid = new_id();
            for (pos, (domain, goals, agreements)) in p.sections.iter().enumerate() {
                section_rows.push(vec![
                    V::S(new_id()),
                    V::S(pid.clone()),
                    V::I(pos as i64 + 1),
                    V::S(domain.clone()),
                    V::S(goals.clone()),
                    V::S(agreements.clone()),
                ]);
            }
            plan_rows.push(vec![
                V::S(pid),
                V::S(cid.to_owned()),
                V::S(episode.clone()),
                V::S(date_str(p.plan_date)),
                V::S(p.status.code().to_owned()),
                V::S(p.created_by.to_string()),
                V::S(nows.clone()),
                V::O((p.status == DocStatus::Final).then(|| nows.clone())),
            ]);
        }
        bulk_insert(
            tx,
            "plan_version",
            &[
                "id",
                "client_id",
                "episode_id",
                "plan_date",
                "status",
                "created_by",
                "created_at",
                "finalised_at",
            ],
            plan_rows,
        )
        .await?;
        bulk_insert(
            tx,
            "plan_section",
            &[
                "id",
                "plan_version_id",
                "position",
                "domain",
                "goals",
                "agreements",
            ],
            section_rows,
        )
        .await?;

        let hours = if imp.reports.is_empty() {
            24
        } else {
            finalise_after_hours(tx, cid).await?
        };
        let mut report_rows = Vec::with_capacity(imp.reports.len());
        let mut drafts = Vec::new();
        for r in &imp.reports {
            let id = new_id();
            let created = ts(r.created_at);
            let is_final = r.status == DocStatus::Final;
            if !is_final {
                drafts.push((id.clone(), r.created_at + Duration::hours(hours)));
            }
            report_rows.push(vec![
                V::S(id.clone()),
                V::S(id),
                V::I(1),
                V::I(1),
                V::S(cid.to_owned()),
                V::S(episode.clone()),
                V::S(r.author.to_string()),
                V::S(r.author_role.code().to_owned()),
                V::S(r.category.clone()),
                V::S(r.body.clone()),
                V::S(r.status.code().to_owned()),
                V::I(flag(r.visible_to_client)),
                V::S(created.clone()),
                V::S(created.clone()),
                V::O(is_final.then(|| created.clone())),
                V::O(is_final.then(|| format!("staff:{}", r.author))),
            ]);
        }
        bulk_insert(
            tx,
            "report",
            &[
                "id",
                "series_id",
                "version",
                "is_current",
                "client_id",
                "episode_id",
                "author_id",
                "author_role",
                "category",
                "body",
                "status",
                "visible_to_client",
                "created_at",
                "updated_at",
                "finalised_at",
                "finalised_by",
            ],
            report_rows,
        )
        .await?;
        for (id, due) in drafts {
            crate::jobs::enqueue_finalise(tx, &id, due, now).await?;
        }
        let appt_rows = imp
            .appointments
            .iter()
            .map(|a| {
                vec![
                    V::S(new_id()),
                    V::S(cid.to_owned()),
                    V::S(episode.clone()),
                    V::S(ts(a.starts_at)),
                    V::S(ts(a.ends_at)),
                    V::S(a.practitioner.to_string()),
                    V::S(a.place.clone()),
                    V::S(a.description.clone()),
                    V::S(a.status.code().to_owned()),
                    V::S(nows.clone()),
                    V::S(nows.clone()),
                ]
            })
            .collect();
        bulk_insert(
            tx,
            "appointment",
            &[
                "id",
                "client_id",
                "episode_id",
                "starts_at",
                "ends_at",
                "practitioner_id",
                "place",
                "description",
                "status",
                "created_at",
                "updated_at",
            ],
            appt_rows,
        )
        .await?;
        let mut doc_rows = Vec::new();
        for d in &imp.documents {
            let hash = self.blobs().put(&d.bytes)?;
            doc_rows.push(vec![
                V::S(new_id()),
                V::S(cid.to_owned()),
                V::S(episode.clone()),
                V::S(d.title.clone()),
                V::S(d.doc_type.clone()),
                V::S(date_str(d.doc_date)),
                V::S(d.content_type.clone()),
                V::I(d.bytes.len() as i64),
                V::S(hash),
                V::I(flag(d.visible_to_client)),
                V::S(d.uploaded_by.to_string()),
                V::S(nows.clone()),
            ]);
        }
        bulk_insert(
            tx,
            "document",
            &[
                "id",
                "client_id",
                "episode_id",
                "title",
                "doc_type",
                "doc_date",
                "content_type",
                "size_bytes",
                "sha256",
                "visible_to_client",
                "uploaded_by",
                "created_at",
            ],
            doc_rows,
        )
        .await?;
        for (part, scope) in &scopes {
            append(
                tx,
                ctx,
                now,
                Event {
                    role: &scope.as_role,
                    client_id: Some(cid),
                    data_kind: part.code(),
                    data_id: None,
                    action: AuditAction::Create,
                    outcome: AuditOutcome::Allowed,
                    reason: None,
                },
            )
            .await?;
        }
        Ok(Ok(()))
    }
}
