//! Retention (WGBO art. 7:454, ADR 0024): a dossier is kept
//! `organisation.retention_years` (at least 20) after the last care, the
//! end of its last episode. The daily housekeeping job lists the dossiers
//! past their term (`retention_due`); a functional admin of the
//! organisation destroys one by typing its client number and a reason.
//!
//! Destroying removes the dossier's rows, its document contents, the
//! accounts that belonged only to it, and the audit events about it. What
//! stays: a `dossier_destruction` row (the client's opaque id, when care
//! ended, who confirmed and why, how much went: never content), an audit
//! event that records it, and for every removed audit event its place in
//! the chain (`audit_gap`: sequence number, hash, link), so `audit verify`
//! walks over a sanctioned gap and still finds any other change.
use crate::audit::{append, Event};
use crate::error::{Result, ServiceError};
use crate::row::{i, os, s};
use crate::{new_id, Audited, Ctx, Services};
use chrono::{DateTime, Months, NaiveDate, Utc};
use inzage_core::ids::{ClientId, OrganisationId};
use inzage_core::model::{AuditAction, AuditOutcome};
use inzage_core::policy::{decide_destruction, Decision};
use inzage_core::types::{date_str, ts, FieldError, Text, DISPLAY_TZ};
use serde::Serialize;

/// A dossier past its term, as the admin page lists it.
#[derive(Clone, Debug, Serialize)]
pub struct DueDossier {
    pub client_id: ClientId,
    pub number: String,
    pub name: String,
    pub last_care: NaiveDate,
    pub term_ended_on: NaiveDate,
}

/// One destruction, as the admin page lists it (no content).
#[derive(Clone, Debug, Serialize)]
pub struct Destruction {
    pub id: String,
    pub destroyed_at: DateTime<Utc>,
    pub destroyed_by: String,
    pub reason: String,
    pub last_care: NaiveDate,
    pub removed_rows: i64,
    pub removed_files: i64,
    pub removed_events: i64,
}

/// The retention page: the organisation's term, the dossiers past it and
/// what was destroyed before.
#[derive(Clone, Debug, Serialize)]
pub struct RetentionOverview {
    pub retention_years: i64,
    pub due: Vec<DueDossier>,
    pub destroyed: Vec<Destruction>,
}

/// What a confirmation page shows before destroying: how much will go.
#[derive(Clone, Debug, Serialize)]
pub struct DestructionPreview {
    pub dossier: DueDossier,
    pub reports: i64,
    pub documents: i64,
    pub contact_persons: i64,
    pub audit_events: i64,
}

fn local_today(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&DISPLAY_TZ).date_naive()
}

/// The last day of care on or before which a dossier's term has ended.
fn cutoff(today: NaiveDate, years: i64) -> NaiveDate {
    let months = u32::try_from(years.clamp(0, 200) * 12).unwrap_or(u32::MAX);
    today
        .checked_sub_months(Months::new(months))
        .unwrap_or(NaiveDate::MIN)
}

fn term_end(last_care: NaiveDate, years: i64) -> NaiveDate {
    let months = u32::try_from(years.clamp(0, 200) * 12).unwrap_or(u32::MAX);
    last_care
        .checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

fn parse_date(raw: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|e| ServiceError::Internal(format!("stored date {raw:?}: {e}")))
}

/// Clients of `org` whose every episode ended on or before `cutoff`, with
/// the end of the last one.
const PAST_TERM: &str = "SELECT c.id, MAX(e.end_date) AS last_care FROM client c \
     JOIN episode e ON e.client_id = c.id WHERE c.organisation_id = $1 \
     GROUP BY c.id HAVING COUNT(*) = COUNT(e.end_date) AND MAX(e.end_date) <= $2";

/// The latest change written in a dossier (an instant, RFC 3339 text):
/// a dossier's term runs from the later of its last episode's end and
/// this, so a record added after the discharge (or a wrong discharge
/// date) keeps it (review of issue 16; WGBO art. 7:454 counts from the
/// last change).
const LAST_CHANGE: &str = "SELECT MAX(d) AS d FROM ( \
     SELECT MAX(updated_at) AS d FROM report WHERE client_id = $1 \
     UNION ALL SELECT MAX(created_at) FROM report WHERE client_id = $1 \
     UNION ALL SELECT MAX(created_at) FROM document WHERE client_id = $1 \
     UNION ALL SELECT MAX(created_at) FROM plan_version WHERE client_id = $1 \
     UNION ALL SELECT MAX(ends_at) FROM appointment WHERE client_id = $1 \
     UNION ALL SELECT MAX(updated_at) FROM appointment WHERE client_id = $1 \
     UNION ALL SELECT MAX(changed_at) FROM client_change WHERE client_id = $1 \
     UNION ALL SELECT MAX(asked_at) FROM dossier_request WHERE client_id = $1 \
     UNION ALL SELECT MAX(decided_at) FROM dossier_request WHERE client_id = $1 \
     UNION ALL SELECT MAX(asked_at) FROM team_question WHERE client_id = $1) x";

/// The day the term starts: the later of the last episode's end and the
/// last change written in the dossier.
async fn last_care(
    conn: &mut crate::sql::Conn,
    client: &str,
    episode_end: NaiveDate,
) -> Result<NaiveDate> {
    let last: Option<String> = crate::sql::query(LAST_CHANGE)
        .bind(client)
        .fetch_one(&mut *conn)
        .await?
        .try_get("d")?;
    let changed = last
        .as_deref()
        .and_then(|t| t.get(..10))
        .map(parse_date)
        .transpose()?;
    Ok(changed.map_or(episode_end, |c| c.max(episode_end)))
}

/// The audit events about a dossier: the client's id, the client acting,
/// its contact-person rows acting, and the accounts that go with it.
const EVENTS_ABOUT: &str =
    "(client_id = {client} OR (actor_kind = 'client' AND actor_id = {client}) \
     OR (actor_kind = 'contact_person' AND actor_id IN ({cps})) \
     OR (actor_kind = 'account' AND actor_id IN ({accs})))";

/// Fills `{client}`, `{cps}` and `{accs}` in `template` with numbered
/// placeholders for exactly the values it uses, and returns them in
/// order (an empty list becomes `NULL`: `x IN (NULL)` matches nothing).
fn numbered<'a>(
    template: &str,
    client: &'a str,
    cps: &'a [String],
    accs: &'a [String],
) -> (String, Vec<&'a str>) {
    let mut binds: Vec<&'a str> = Vec::new();
    let mut sql = template.to_owned();
    if sql.contains("{client}") {
        binds.push(client);
        sql = sql.replace("{client}", "$1");
    }
    for (key, ids) in [("{cps}", cps), ("{accs}", accs)] {
        if !sql.contains(key) {
            continue;
        }
        let list = if ids.is_empty() {
            "NULL".to_owned()
        } else {
            let first = binds.len() + 1;
            binds.extend(ids.iter().map(String::as_str));
            (first..first + ids.len())
                .map(|n| format!("${n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        sql = sql.replace(key, &list);
    }
    (sql, binds)
}

fn query_with<'q>(sql: &'q str, binds: &[&str]) -> crate::sql::Query<'q> {
    let mut q = crate::sql::query(sql);
    for b in binds {
        q = q.bind(*b);
    }
    q
}

impl Services {
    /// Housekeeping: refreshes the list of dossiers past their term, per
    /// organisation (a dossier that got new care leaves it). Returns how
    /// many are listed.
    pub async fn review_retention(&self) -> Result<usize> {
        let now = self.now();
        let today = local_today(now);
        let orgs = crate::sql::query("SELECT id, retention_years FROM organisation")
            .fetch_all(self.db())
            .await?;
        let mut listed = 0;
        for o in &orgs {
            let org = s(o, "id")?;
            let years = i(o, "retention_years")?;
            let mut tx = self.db().begin().await?;
            let limit = cutoff(today, years);
            let rows = crate::sql::query(PAST_TERM)
                .bind(&org)
                .bind(date_str(limit))
                .fetch_all(&mut *tx)
                .await?;
            crate::sql::query("DELETE FROM retention_due WHERE organisation_id = $1")
                .bind(&org)
                .execute(&mut *tx)
                .await?;
            let mut due = 0;
            for r in &rows {
                let id = s(r, "id")?;
                let last = last_care(&mut tx, &id, parse_date(&s(r, "last_care")?)?).await?;
                if last > limit {
                    continue;
                }
                due += 1;
                crate::sql::query(
                    "INSERT INTO retention_due (client_id, organisation_id, last_care, term_ended_on, listed_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&id)
                .bind(&org)
                .bind(date_str(last))
                .bind(date_str(term_end(last, years)))
                .bind(ts(now))
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            listed += due;
        }
        Ok(listed)
    }

    /// The retention page of the acting functional admin's organisation
    /// (the destruction rule; audited as a list: it names clients).
    pub async fn retention_overview(&self, ctx: &Ctx) -> Result<Audited<RetentionOverview>> {
        let Some(org) = self.my_organisation(ctx).await? else {
            return Err(ServiceError::Denied(
                inzage_core::policy::DenyReason::RoleLacksPermission,
            ));
        };
        let mut tx = self.db().begin().await?;
        let scope = match self
            .decide_destruction_in(&mut tx, ctx, &org.id, AuditAction::List, None)
            .await
        {
            Ok(s) => s,
            Err(e) => {
                // The denial is recorded: keep it.
                tx.commit().await?;
                return Err(e);
            }
        };
        let due = crate::sql::query(
            "SELECT c.id, c.client_number, c.given_name, c.family_name, r.last_care, r.term_ended_on \
             FROM retention_due r JOIN client c ON c.id = r.client_id \
             WHERE r.organisation_id = $1 ORDER BY r.term_ended_on, c.client_number",
        )
        .bind(org.id.as_str())
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(due_of)
        .collect::<Result<Vec<_>>>()?;
        let destroyed = crate::sql::query(
            "SELECT d.id, d.destroyed_at, d.reason, d.last_care, d.removed_rows, d.removed_files, \
             d.removed_events, m.given_name, m.family_name FROM dossier_destruction d \
             JOIN staff_member m ON m.id = d.destroyed_by WHERE d.organisation_id = $1 \
             ORDER BY d.destroyed_at DESC LIMIT 200",
        )
        .bind(org.id.as_str())
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| {
            Ok(Destruction {
                id: s(r, "id")?,
                destroyed_at: crate::row::t(r, "destroyed_at")?,
                destroyed_by: format!("{} {}", s(r, "given_name")?, s(r, "family_name")?),
                reason: s(r, "reason")?,
                last_care: parse_date(&s(r, "last_care")?)?,
                removed_rows: i(r, "removed_rows")?,
                removed_files: i(r, "removed_files")?,
                removed_events: i(r, "removed_events")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let overview = RetentionOverview {
            retention_years: org.settings.retention_years,
            due,
            destroyed,
        };
        crate::audited::committed(
            tx,
            ctx,
            self.now(),
            Event {
                role: &scope,
                client_id: None,
                data_kind: "retention_due",
                data_id: None,
                action: AuditAction::List,
                outcome: AuditOutcome::Allowed,
                reason: None,
            },
            overview,
        )
        .await
    }

    /// What destroying `client` would remove, for the confirmation page
    /// (only for a dossier past its term; audited as a read of it).
    pub async fn destruction_preview(
        &self,
        ctx: &Ctx,
        client: &ClientId,
    ) -> Result<Audited<DestructionPreview>> {
        let tx = self.db().begin().await?;
        let (mut tx, dossier, scope) = self.due_dossier(tx, ctx, client, AuditAction::Read).await?;
        let mut n = Vec::new();
        for q in [
            "SELECT COUNT(*) AS n FROM report WHERE client_id = $1",
            "SELECT COUNT(*) AS n FROM document WHERE client_id = $1",
            "SELECT COUNT(*) AS n FROM contact_person WHERE client_id = $1",
        ] {
            n.push(
                crate::sql::query(q)
                    .bind(client.as_str())
                    .fetch_one(&mut *tx)
                    .await?
                    .try_get::<i64, _>("n")?,
            );
        }
        let (cps, accs) = people_of(&mut tx, client.as_str()).await?;
        let (count_events, binds) = numbered(
            &format!("SELECT COUNT(*) AS n FROM audit_event WHERE {EVENTS_ABOUT}"),
            client.as_str(),
            &cps,
            &accs,
        );
        n.push(
            query_with(&count_events, &binds)
                .fetch_one(&mut *tx)
                .await?
                .try_get::<i64, _>("n")?,
        );
        let preview = DestructionPreview {
            dossier,
            reports: n[0],
            documents: n[1],
            contact_persons: n[2],
            audit_events: n[3],
        };
        crate::audited::committed(
            tx,
            ctx,
            self.now(),
            Event {
                role: &scope,
                client_id: Some(client.as_str()),
                data_kind: "retention_due",
                data_id: None,
                action: AuditAction::Read,
                outcome: AuditOutcome::Allowed,
                reason: None,
            },
            preview,
        )
        .await
    }

    /// Destroys a dossier past its term. `confirm_number` must be the
    /// client's number (typed, not clicked); `reason` is kept. Everything
    /// in one transaction; the document files go after it committed (a
    /// crash in between leaves unreferenced files, which housekeeping
    /// removes). Returns the destruction's id.
    pub async fn destroy_dossier(
        &self,
        ctx: &Ctx,
        client: &ClientId,
        confirm_number: &str,
        reason: Text,
    ) -> Result<String> {
        let now = self.now();
        let tx = self.db().begin().await?;
        let (mut tx, dossier, scope) = self
            .due_dossier(tx, ctx, client, AuditAction::Delete)
            .await?;
        let typed = confirm_number.trim();
        if typed.is_empty() || !typed.eq_ignore_ascii_case(&dossier.number) {
            tx.rollback().await?;
            return Err(FieldError::new("confirm", "does not match the client number").into());
        }
        let inzage_core::model::Principal::Staff { staff_id } = &ctx.principal else {
            return Err(ServiceError::Denied(
                inzage_core::policy::DenyReason::RoleLacksPermission,
            ));
        };
        let c = client.as_str();
        // Hold the audit chain's head now: no event about this dossier can
        // be appended between listing the events and removing them.
        crate::sql::query("UPDATE audit_head SET seq = seq WHERE id = 1")
            .execute(&mut *tx)
            .await?;
        let (contact_persons, accounts) = people_of(&mut tx, c).await?;

        let destruction = new_id();
        crate::sql::query(
            "INSERT INTO dossier_destruction (id, organisation_id, client_ref, last_care, retention_years, \
             destroyed_at, destroyed_by, reason, removed_rows, removed_files, removed_events) \
             SELECT $1, c.organisation_id, c.id, $3, o.retention_years, $4, $5, $6, 0, 0, 0 \
             FROM client c JOIN organisation o ON o.id = c.organisation_id WHERE c.id = $2",
        )
        .bind(&destruction)
        .bind(c)
        .bind(date_str(dossier.last_care))
        .bind(ts(now))
        .bind(staff_id.as_str())
        .bind(reason.as_str())
        .execute(&mut *tx)
        .await?;

        // The audit events about the dossier keep their places, not their
        // content.
        let (select_events, binds) = numbered(
            &format!(
                "SELECT seq, hash, prev_hash FROM audit_event WHERE {EVENTS_ABOUT} ORDER BY seq"
            ),
            c,
            &contact_persons,
            &accounts,
        );
        let gaps = query_with(&select_events, &binds)
            .fetch_all(&mut *tx)
            .await?;
        let mut digest = inzage_core::audit::GapDigest::default();
        for g in &gaps {
            digest.push(i(g, "seq")?, &s(g, "hash")?);
        }
        let (insert_gaps, mut binds) = numbered(
            &format!(
                "INSERT INTO audit_gap (seq, hash, prev_hash, destruction_id) \
                 SELECT seq, hash, prev_hash, {{dest}} FROM audit_event WHERE {EVENTS_ABOUT}"
            ),
            c,
            &contact_persons,
            &accounts,
        );
        let insert_gaps = insert_gaps.replace("{dest}", &format!("${}", binds.len() + 1));
        binds.push(&destruction);
        query_with(&insert_gaps, &binds).execute(&mut *tx).await?;
        let (delete_events, binds) = numbered(
            &format!("DELETE FROM audit_event WHERE {EVENTS_ABOUT}"),
            c,
            &contact_persons,
            &accounts,
        );
        let removed_events = query_with(&delete_events, &binds)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if removed_events != gaps.len() as u64 || digest.count() != removed_events {
            return Err(ServiceError::Internal(
                "the audit events changed while the dossier was destroyed".into(),
            ));
        }

        // The contents this dossier refers to (removed after the commit
        // when nothing else refers to the same bytes).
        let mut hashes: Vec<String> = Vec::new();
        for r in crate::sql::query("SELECT DISTINCT sha256 AS h FROM document WHERE client_id = $1")
            .bind(c)
            .fetch_all(&mut *tx)
            .await?
        {
            hashes.push(s(&r, "h")?);
        }
        for r in
            crate::sql::query("SELECT pdf_sha256, json_sha256 FROM afschrift WHERE client_id = $1")
                .bind(c)
                .fetch_all(&mut *tx)
                .await?
        {
            hashes.extend(os(&r, "pdf_sha256")?);
            hashes.extend(os(&r, "json_sha256")?);
        }

        // Children before parents.
        let statements = [
            "DELETE FROM team_question_message WHERE question_id IN (SELECT id FROM team_question WHERE client_id = {client})",
            "DELETE FROM team_question WHERE client_id = {client}",
            "DELETE FROM dossier_request WHERE client_id = {client}",
            "DELETE FROM client_change WHERE client_id = {client}",
            "DELETE FROM fhir_identifier WHERE client_id = {client}",
            "DELETE FROM identifier_change WHERE client_id = {client} OR contact_person_id IN ({cps}) OR account_id IN ({accs})",
            "DELETE FROM plan_section WHERE plan_version_id IN (SELECT id FROM plan_version WHERE client_id = {client})",
            "DELETE FROM plan_version WHERE client_id = {client}",
            "DELETE FROM report WHERE client_id = {client}",
            "DELETE FROM document WHERE client_id = {client}",
            "DELETE FROM appointment WHERE client_id = {client}",
            "DELETE FROM access_grant WHERE client_id = {client}",
            "DELETE FROM account_link WHERE contact_person_id IN ({cps}) OR account_id IN ({accs})",
            "DELETE FROM afschrift WHERE client_id = {client} OR account_id IN ({accs})",
            "DELETE FROM retention_due WHERE client_id = {client}",
            "DELETE FROM contact_person WHERE client_id = {client}",
            "DELETE FROM account_token WHERE account_id IN ({accs})",
            "DELETE FROM auth_session WHERE account_id IN ({accs})",
            "DELETE FROM passkey_ceremony WHERE account_id IN ({accs})",
            "DELETE FROM passkey WHERE account_id IN ({accs})",
            "DELETE FROM kept_form WHERE account_id IN ({accs})",
            // Staff's unsaved forms about this dossier (their address names it).
            "DELETE FROM kept_form WHERE return_to LIKE '%' || {client} || '%'",
            "DELETE FROM notification_sent WHERE account_id IN ({accs})",
            "DELETE FROM message WHERE account_id IN ({accs})",
            "DELETE FROM account WHERE id IN ({accs})",
            "DELETE FROM episode WHERE client_id = {client}",
            "DELETE FROM client WHERE id = {client}",
        ];
        let mut removed_rows = 0u64;
        for template in statements {
            let (sql, binds) = numbered(template, c, &contact_persons, &accounts);
            if binds.is_empty() {
                // Only empty lists: nothing to remove.
                continue;
            }
            removed_rows += query_with(&sql, &binds)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        }
        let removed_rows = i64::try_from(removed_rows).unwrap_or(i64::MAX);
        let removed_events = i64::try_from(removed_events).unwrap_or(i64::MAX);
        hashes.sort();
        hashes.dedup();
        crate::sql::query(
            "UPDATE dossier_destruction SET removed_rows = $2, removed_files = $3, removed_events = $4 WHERE id = $1",
        )
        .bind(&destruction)
        .bind(removed_rows)
        .bind(i64::try_from(hashes.len()).unwrap_or(i64::MAX))
        .bind(removed_events)
        .execute(&mut *tx)
        .await?;
        let sanctioned = digest.finish();
        append(
            &mut tx,
            ctx,
            now,
            Event {
                role: &scope,
                client_id: None,
                data_kind: "dossier_destruction",
                data_id: Some(&destruction),
                action: AuditAction::Delete,
                outcome: AuditOutcome::Allowed,
                // The gaps it sanctions, so none can be added later.
                reason: Some(&sanctioned),
            },
        )
        .await?;
        tx.commit().await?;
        for h in &hashes {
            // The dossier is destroyed; a file that cannot be moved now is
            // left for housekeeping (it refers to nothing any more).
            if let Err(e) = self.remove_unreferenced_blob(h).await {
                tracing::warn!(error = %e, "a destroyed dossier's file is left for housekeeping");
            }
        }
        Ok(destruction)
    }

    /// Moves a content file to the trash when no row refers to its bytes
    /// any more (housekeeping deletes it after its days, or puts it back
    /// when a row refers to it again).
    pub(crate) async fn remove_unreferenced_blob(&self, hash: &str) -> Result<bool> {
        let referenced = self.referenced_contents_of(hash).await?;
        if !referenced {
            self.blobs().remove(hash)?;
        }
        Ok(!referenced)
    }

    /// Does any row refer to these bytes?
    pub(crate) async fn referenced_contents_of(&self, hash: &str) -> Result<bool> {
        let n: i64 = crate::sql::query(
            "SELECT (SELECT COUNT(*) FROM document WHERE sha256 = $1) \
             + (SELECT COUNT(*) FROM organisation WHERE logo_sha256 = $1) \
             + (SELECT COUNT(*) FROM afschrift WHERE pdf_sha256 = $1 OR json_sha256 = $1) AS n",
        )
        .bind(hash)
        .fetch_one(self.db())
        .await?
        .try_get("n")?;
        Ok(n > 0)
    }

    /// Every content a row refers to.
    pub(crate) async fn referenced_contents(&self) -> Result<std::collections::HashSet<String>> {
        let rows = crate::sql::query(
            "SELECT sha256 AS h FROM document UNION SELECT logo_sha256 FROM organisation WHERE logo_sha256 IS NOT NULL \
             UNION SELECT pdf_sha256 FROM afschrift WHERE pdf_sha256 IS NOT NULL \
             UNION SELECT json_sha256 FROM afschrift WHERE json_sha256 IS NOT NULL",
        )
        .fetch_all(self.db())
        .await?;
        rows.iter().map(|r| s(r, "h")).collect()
    }

    /// The destruction rule for the client's organisation; a denial is
    /// recorded and returned.
    async fn decide_destruction_in(
        &self,
        tx: &mut crate::db::Tx,
        ctx: &Ctx,
        org: &OrganisationId,
        action: AuditAction,
        client: Option<&str>,
    ) -> Result<String> {
        let actor = crate::access::actor_facts(tx, &ctx.principal).await?;
        match decide_destruction(&actor, org) {
            Decision::Allow(scope) => Ok(scope.as_role),
            Decision::Deny(reason) => {
                append(
                    tx,
                    ctx,
                    self.now(),
                    Event {
                        role: "-",
                        client_id: client,
                        data_kind: "retention_due",
                        data_id: None,
                        action,
                        outcome: AuditOutcome::Denied,
                        reason: Some(reason.code()),
                    },
                )
                .await?;
                Err(ServiceError::Denied(reason))
            }
        }
    }

    /// The dossier, decided and checked to be past its term *now* (not
    /// only on the job's last list). Not found for another organisation's
    /// client or one not past its term; a denial is recorded and
    /// committed.
    async fn due_dossier(
        &self,
        mut tx: crate::db::Tx,
        ctx: &Ctx,
        client: &ClientId,
        action: AuditAction,
    ) -> Result<(crate::db::Tx, DueDossier, String)> {
        let row = crate::sql::query(
            "SELECT c.organisation_id, o.retention_years, c.client_number, c.given_name, c.family_name \
             FROM client c JOIN organisation o ON o.id = c.organisation_id WHERE c.id = $1",
        )
        .bind(client.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            tx.rollback().await?;
            return Err(ServiceError::NotFound);
        };
        let org = OrganisationId::from_raw(s(&row, "organisation_id")?);
        let years = i(&row, "retention_years")?;
        let scope = match self
            .decide_destruction_in(&mut tx, ctx, &org, action, Some(client.as_str()))
            .await
        {
            Ok(s) => s,
            Err(e) => {
                tx.commit().await?;
                return Err(e);
            }
        };
        let today = local_today(self.now());
        let limit = cutoff(today, years);
        let due = crate::sql::query(&format!("{PAST_TERM} AND c.id = $3"))
            .bind(org.as_str())
            .bind(date_str(limit))
            .bind(client.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        let last = match due {
            Some(due) => {
                last_care(
                    &mut tx,
                    client.as_str(),
                    parse_date(&s(&due, "last_care")?)?,
                )
                .await?
            }
            None => today,
        };
        if last > limit {
            tx.rollback().await?;
            return Err(ServiceError::NotFound);
        }
        let dossier = DueDossier {
            client_id: client.clone(),
            number: s(&row, "client_number")?,
            name: format!("{} {}", s(&row, "given_name")?, s(&row, "family_name")?),
            last_care: last,
            term_ended_on: term_end(last, years),
        };
        Ok((tx, dossier, scope))
    }
}

/// The dossier's contact-person rows, and the accounts that go with it:
/// the client's own, and contact persons' accounts that serve no other
/// client (one person may be a contact of several).
async fn people_of(conn: &mut crate::sql::Conn, c: &str) -> Result<(Vec<String>, Vec<String>)> {
    let ids = |rows: Vec<crate::sql::Row>| -> Result<Vec<String>> {
        rows.iter().map(|r| s(r, "id")).collect()
    };
    let contact_persons = ids(crate::sql::query(
        "SELECT id FROM contact_person WHERE client_id = $1",
    )
    .bind(c)
    .fetch_all(&mut *conn)
    .await?)?;
    let mut accounts = ids(crate::sql::query(
        "SELECT id FROM account WHERE kind = 'client' AND subject_id = $1",
    )
    .bind(c)
    .fetch_all(&mut *conn)
    .await?)?;
    accounts.extend(ids(
        crate::sql::query(
            "SELECT DISTINCT a.id FROM account a WHERE a.kind = 'contact_person' AND ( \
             a.id IN (SELECT account_id FROM contact_person WHERE client_id = $1 AND account_id IS NOT NULL) \
             OR a.id IN (SELECT l.account_id FROM account_link l JOIN contact_person p ON p.id = l.contact_person_id WHERE p.client_id = $1)) \
             AND NOT EXISTS (SELECT 1 FROM contact_person o WHERE o.account_id = a.id AND o.client_id <> $1) \
             AND NOT EXISTS (SELECT 1 FROM account_link l2 JOIN contact_person o2 ON o2.id = l2.contact_person_id \
                             WHERE l2.account_id = a.id AND o2.client_id <> $1)",
        )
        .bind(c)
        .fetch_all(&mut *conn)
        .await?,
    )?);
    Ok((contact_persons, accounts))
}

fn due_of(r: &crate::sql::Row) -> Result<DueDossier> {
    Ok(DueDossier {
        client_id: ClientId::from_raw(s(r, "id")?),
        number: s(r, "client_number")?,
        name: format!("{} {}", s(r, "given_name")?, s(r, "family_name")?),
        last_care: parse_date(&s(r, "last_care")?)?,
        term_ended_on: parse_date(&s(r, "term_ended_on")?)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_term_counts_whole_years_from_the_last_care() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        assert_eq!(term_end(d("2006-03-31"), 20), d("2026-03-31"));
        assert_eq!(term_end(d("2004-02-29"), 20), d("2024-02-29"));
        assert_eq!(term_end(d("2005-02-28"), 21), d("2026-02-28"));
        assert_eq!(cutoff(d("2026-12-02"), 20), d("2006-12-02"));
        // On the day the term ends the dossier is due, not before.
        assert!(d("2006-12-02") <= cutoff(d("2026-12-02"), 20));
        assert!(d("2006-12-03") > cutoff(d("2026-12-02"), 20));
        let cps = ["p1".to_owned()];
        let (sql, binds) = numbered(
            "a = {client} OR b IN ({cps}) OR c IN ({accs})",
            "c1",
            &cps,
            &[],
        );
        assert_eq!(sql, "a = $1 OR b IN ($2) OR c IN (NULL)");
        assert_eq!(binds, ["c1", "p1"]);
        let accs = ["a1".to_owned(), "a2".to_owned()];
        let (sql, binds) = numbered("x IN ({accs})", "c1", &cps, &accs);
        assert_eq!(sql, "x IN ($1, $2)");
        assert_eq!(binds, ["a1", "a2"]);
    }
}
