//! Every resource type the API serves, behind one dispatch: read (with
//! vread and history where the ECD keeps versions), search, create and
//! update. Each type passes `policy::decide_fhir_interaction` first
//! ([`Services::fhir_gate`]) and then the same gated, audited reads as the
//! pages: the dossier types through `gate_read` / `gate_item_read` (one
//! audit event per read, on the client's dossier), the organisation's own
//! staff as a recorded read without a client.
use super::{mapping, Page, Search, Stored, PAGE_MAX};
use crate::access::Attempt;
use crate::error::{Result, ServiceError};
use crate::group_commit::ReadEvent;
use crate::row::{b, d, od, os, s, t};
use crate::{Audited, Ctx, Services};
use inzage_core::ids::{AppointmentId, ClientId, DocumentId};
use inzage_core::model::{AuditAction, AuditOutcome, DossierPart};
use inzage_core::policy::Access;
use inzage_core::smart::Interaction;

/// The resource types served today, in the capability statement's order.
pub const SERVED: &[&str] = &[
    "Patient",
    "EpisodeOfCare",
    "CarePlan",
    "Goal",
    "DocumentReference",
    "Binary",
    "Appointment",
    "RelatedPerson",
    "Consent",
    "Communication",
    "AuditEvent",
    "Organization",
    "Practitioner",
    "PractitionerRole",
];

/// The largest document a Binary read carries (its base64 fits the
/// write's inline limit).
pub const BINARY_MAX: i64 = 15 * 1024 * 1024;

/// Reports are read in pages of this many (the report list's own most).
const REPORTS_PAGE: i64 = 200;
/// The most reports one DocumentReference search reads, newest first.
pub const REPORTS_MAX: i64 = 10_000;

/// The types a system writes (create, and update by identifier; Patient
/// also by id).
pub const WRITTEN: &[&str] = &[
    "Patient",
    "EpisodeOfCare",
    "CarePlan",
    "DocumentReference",
    "Appointment",
];

/// The types updated by id (`PUT /fhir/{type}/{id}`), with `If-Match`.
pub const UPDATED_BY_ID: &[&str] = &["Patient", "Appointment"];

/// The search parameters a type takes (besides `_count`, `_offset`,
/// `_format`).
pub fn supported(ty: &str) -> &'static [&'static str] {
    match ty {
        "Patient" => &["_id", "identifier", "name", "birthdate", "_lastUpdated"],
        "EpisodeOfCare" => &["patient", "status", "date"],
        "DocumentReference" => &["patient", "status", "date", "category"],
        "Appointment" => &["patient", "status", "date"],
        "CarePlan" | "Goal" | "RelatedPerson" | "Consent" | "Communication" => {
            &["patient", "status"]
        }
        "AuditEvent" => &["patient", "date"],
        "Organization" => &["_id"],
        "Practitioner" => &["_id", "name"],
        "PractitionerRole" => &["practitioner"],
        _ => &[],
    }
}

fn attempt(part: DossierPart, action: AuditAction, data_id: Option<&str>) -> Attempt<'_> {
    Attempt {
        part,
        access: Access::Read,
        action,
        data_kind: part.code(),
        data_id,
        hide_denial: true,
    }
}

/// `patient=Patient/123` or `patient=123`.
fn patient_of(q: &Search) -> Result<ClientId> {
    let raw = q.patient.as_deref().ok_or_else(|| {
        ServiceError::Invalid(inzage_core::types::FieldError::new(
            "patient",
            "this search needs patient=Patient/{id}: one dossier at a time",
        ))
    })?;
    Ok(ClientId::from_raw(
        raw.strip_prefix("Patient/").unwrap_or(raw).to_owned(),
    ))
}

/// One page of `items` (already in order) as the search's answer.
fn page_of(items: Vec<Stored>, q: &Search) -> Page {
    let total = items.len() as i64;
    let entries = items
        .into_iter()
        .skip(q.offset)
        .take(q.count.min(PAGE_MAX))
        .collect();
    Page { total, entries }
}

fn in_dates(q: &Search, at: chrono::DateTime<chrono::Utc>) -> bool {
    q.date_from.is_none_or(|f| at >= f) && q.date_until.is_none_or(|u| at < u)
}

fn stored(
    ty: &'static str,
    id: &str,
    version: i64,
    at: chrono::DateTime<chrono::Utc>,
    json: String,
) -> Stored {
    Stored {
        resource_type: ty,
        id: id.to_owned(),
        version,
        last_updated: at,
        json,
    }
}

impl Services {
    fn fhir_base(&self) -> String {
        format!(
            "{}/fhir",
            self.settings().public_base_url.trim_end_matches('/')
        )
    }

    /// Read: every version kept, newest first (one for types whose
    /// versions the ECD does not keep).
    pub async fn fhir_read(
        &self,
        ctx: &Ctx,
        ty: &str,
        id: &str,
        all_versions: bool,
    ) -> Result<Audited<Vec<Stored>>> {
        match ty {
            "Patient" => self.fhir_patient_versions(ctx, id, all_versions).await,
            "EpisodeOfCare" => self.fhir_episode(ctx, id).await,
            "DocumentReference" => self.fhir_document_reference(ctx, id).await,
            "Binary" => self.fhir_binary(ctx, id).await,
            "Appointment" => self.fhir_appointment(ctx, id).await,
            "Organization" => self.fhir_organization(ctx, Some(id)).await,
            "Practitioner" => self.fhir_practitioners(ctx, Some(id), None).await,
            "PractitionerRole" => self.fhir_roles(ctx, Some(id), None).await,
            "CarePlan" => self.fhir_care_plan(ctx, id).await,
            "Goal" => self.fhir_goal(ctx, id).await,
            "RelatedPerson" | "Consent" | "Communication" | "AuditEvent" => {
                self.fhir_in_dossier(ctx, ty, id).await
            }
            _ => Err(ServiceError::NotFound),
        }
    }

    /// Search: one page and the number of matches.
    pub async fn fhir_search(&self, ctx: &Ctx, ty: &str, q: &Search) -> Result<Page> {
        if let Some(p) = q
            .given
            .iter()
            .find(|p| !supported(ty).contains(&p.as_str()))
        {
            return Err(ServiceError::Invalid(inzage_core::types::FieldError::new(
                "search",
                format!("{ty} is not searched by {p} (see /fhir/metadata)"),
            )));
        }
        let items = match ty {
            "Patient" => return self.fhir_patient_search(ctx, q).await,
            "EpisodeOfCare" => self.fhir_episodes(ctx, q).await?,
            "DocumentReference" => self.fhir_document_references(ctx, q).await?,
            "Appointment" => self.fhir_appointments(ctx, q).await?,
            "Organization" => self
                .fhir_organization(ctx, q.id.as_deref())
                .await?
                .into_inner(),
            "Practitioner" => self
                .fhir_practitioners(ctx, q.id.as_deref(), q.name.as_deref())
                .await?
                .into_inner(),
            "PractitionerRole" => self
                .fhir_roles(ctx, None, q.practitioner.as_deref())
                .await?
                .into_inner(),
            "CarePlan" | "Goal" | "RelatedPerson" | "Consent" | "Communication" | "AuditEvent" => {
                let client = patient_of(q)?;
                self.fhir_gate(ctx, ty, Interaction::Search).await?;
                self.fhir_dossier_list(ctx, ty, &client)
                    .await?
                    .into_inner()
                    .into_iter()
                    .filter(|(st, at, _)| {
                        q.status.as_deref().is_none_or(|x| x == st)
                            && at.is_none_or(|a| in_dates(q, a))
                    })
                    .map(|(_, _, s)| s)
                    .collect()
            }
            _ => return Err(ServiceError::NotFound),
        };
        Ok(page_of(items, q))
    }

    // ------------------------------------------------------------ EpisodeOfCare

    async fn fhir_episode(&self, ctx: &Ctx, id: &str) -> Result<Audited<Vec<Stored>>> {
        let org = self
            .fhir_gate(ctx, "EpisodeOfCare", Interaction::Read)
            .await?;
        let a = attempt(DossierPart::Episodes, AuditAction::Read, Some(id));
        let (client, mut tx, scope, ticket) = self.gate_item_read(ctx, "episode", id, &a).await?;
        let r = crate::sql::query(
            "SELECT id, start_date, end_date, created_at FROM episode WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        if scope
            .only_episode
            .as_ref()
            .is_some_and(|e| e.as_str() != id)
        {
            return self.out_of_scope(tx, ctx, &client, &a).await;
        }
        let e = mapping::episode(
            id,
            &client,
            org.id.as_str(),
            d(&r, "start_date")?,
            od(&r, "end_date")?,
            t(&r, "created_at")?,
        );
        let out = vec![stored(
            "EpisodeOfCare",
            id,
            1,
            t(&r, "created_at")?,
            fhirkit::to_json(&e),
        )];
        ticket.finish(tx, out).await
    }

    async fn fhir_episodes(&self, ctx: &Ctx, q: &Search) -> Result<Vec<Stored>> {
        let org = self
            .fhir_gate(ctx, "EpisodeOfCare", Interaction::Search)
            .await?;
        let client = patient_of(q)?;
        let a = attempt(DossierPart::Episodes, AuditAction::List, None);
        let (mut tx, scope, ticket) = self.gate_read(ctx, client.as_str(), &a).await?;
        let rows = crate::sql::query(
            "SELECT id, start_date, end_date, created_at FROM episode WHERE client_id = $1 \
             ORDER BY start_date DESC, created_at DESC",
        )
        .bind(client.as_str())
        .fetch_all(&mut *tx)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let id = s(r, "id")?;
            if scope
                .only_episode
                .as_ref()
                .is_some_and(|e| e.as_str() != id)
            {
                continue;
            }
            let (start, end) = (d(r, "start_date")?, od(r, "end_date")?);
            let status = if end.is_some() { "finished" } else { "active" };
            if q.status.as_deref().is_some_and(|st| st != status) {
                continue;
            }
            let from = inzage_core::types::local_midnight_utc(start);
            if !in_dates(q, from) {
                continue;
            }
            let at = t(r, "created_at")?;
            let e = mapping::episode(&id, client.as_str(), org.id.as_str(), start, end, at);
            out.push(stored("EpisodeOfCare", &id, 1, at, fhirkit::to_json(&e)));
        }
        Ok(ticket.finish(tx, out).await?.into_inner())
    }

    // ------------------------------------------------------------ DocumentReference, Binary

    /// A DocumentReference is a report (its current or earlier version) or
    /// an uploaded document.
    async fn fhir_document_reference(&self, ctx: &Ctx, id: &str) -> Result<Audited<Vec<Stored>>> {
        self.fhir_gate(ctx, "DocumentReference", Interaction::Read)
            .await?;
        if self.owner_of("report", id).await?.is_some() {
            let r = self
                .report(ctx, &inzage_core::ids::ReportId::from_raw(id.to_owned()))
                .await?;
            return Ok(r.map(|r| {
                let dr = mapping::report(&r);
                vec![stored(
                    "DocumentReference",
                    id,
                    r.version,
                    r.updated_at,
                    fhirkit::to_json(&dr),
                )]
            }));
        }
        let a = attempt(DossierPart::Documents, AuditAction::Read, Some(id));
        let (client, mut tx, scope, ticket) = self.gate_item_read(ctx, "document", id, &a).await?;
        let r = crate::sql::query(
            "SELECT id, client_id, episode_id, title, doc_type, doc_date, content_type, size_bytes, sha256, \
             visible_to_client, created_at, deleted_at FROM document WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        let admitted = os(&r, "deleted_at")?.is_none()
            && scope.admits(&inzage_core::policy::ItemFacts {
                episode_id: &s(&r, "episode_id")?,
                is_final: true,
                visible_to_client: b(&r, "visible_to_client")?,
                is_current: true,
            });
        if !admitted {
            return self.out_of_scope(tx, ctx, &client, &a).await;
        }
        let m = document_meta(&r)?;
        let at = t(&r, "created_at")?;
        let out = vec![stored(
            "DocumentReference",
            id,
            1,
            at,
            fhirkit::to_json(&mapping::document(&m, &self.fhir_base(), at)),
        )];
        ticket.finish(tx, out).await
    }

    async fn fhir_document_references(&self, ctx: &Ctx, q: &Search) -> Result<Vec<Stored>> {
        self.fhir_gate(ctx, "DocumentReference", Interaction::Search)
            .await?;
        let client = patient_of(q)?;
        let want_notes = q.category.as_deref().is_none_or(|c| c == "clinical-note");
        let want_docs = q.category.as_deref().is_none_or(|c| c == "document");
        let mut items: Vec<(chrono::DateTime<chrono::Utc>, Stored)> = Vec::new();
        if want_notes {
            let mut page = 1;
            loop {
                let reports = self
                    .list_reports(
                        ctx,
                        &client,
                        crate::dossier::ReportFilter {
                            from: q.date_from.map(inzage_core::types::local_date),
                            until: q.date_until.map(|u| {
                                inzage_core::types::local_date(u - chrono::Duration::seconds(1))
                            }),
                            page,
                            per_page: REPORTS_PAGE,
                            words: None,
                            category: None,
                        },
                    )
                    .await?
                    .into_inner();
                let n = reports.items.len();
                for r in reports.items {
                    let at = r.finalised_at.unwrap_or(r.created_at);
                    let status = if r.is_current {
                        "current"
                    } else {
                        "superseded"
                    };
                    if !in_dates(q, at) || q.status.as_deref().is_some_and(|st| st != status) {
                        continue;
                    }
                    let json = fhirkit::to_json(&mapping::report(&r));
                    items.push((
                        at,
                        stored(
                            "DocumentReference",
                            r.id.as_str(),
                            r.version,
                            r.updated_at,
                            json,
                        ),
                    ));
                }
                // At most REPORTS_MAX reports, the newest (the search says
                // so in its total; a period is found with date=).
                if n < REPORTS_PAGE as usize
                    || page * REPORTS_PAGE >= reports.total
                    || page * REPORTS_PAGE >= REPORTS_MAX
                {
                    break;
                }
                page += 1;
            }
        }
        if want_docs {
            let docs = self.list_documents(ctx, &client).await?.into_inner();
            for m in docs {
                let at = inzage_core::types::local_midnight_utc(m.doc_date);
                if !in_dates(q, at) || q.status.as_deref().is_some_and(|st| st != "current") {
                    continue;
                }
                let json = fhirkit::to_json(&mapping::document(&m, &self.fhir_base(), at));
                items.push((at, stored("DocumentReference", m.id.as_str(), 1, at, json)));
            }
        }
        items.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));
        Ok(items.into_iter().map(|(_, s)| s).collect())
    }

    async fn fhir_binary(&self, ctx: &Ctx, id: &str) -> Result<Audited<Vec<Stored>>> {
        self.fhir_gate(ctx, "Binary", Interaction::Read).await?;
        // Base64 in JSON makes a file a third larger, and it is built in
        // memory: a larger file is downloaded by staff, not through FHIR.
        let size = crate::sql::query("SELECT size_bytes FROM document WHERE id = $1")
            .bind(id)
            .fetch_optional(self.db())
            .await?
            .map(|r| crate::row::i(&r, "size_bytes"))
            .transpose()?;
        if size.is_some_and(|n| n > BINARY_MAX) {
            return Err(ServiceError::Invalid(inzage_core::types::FieldError::new(
                "Binary",
                "larger than this server sends inline (15 MB)",
            )));
        }
        let read = self
            .document_content(ctx, &DocumentId::from_raw(id.to_owned()))
            .await?;
        Ok(read.map(|(m, bytes)| {
            let json = fhirkit::to_json(&mapping::binary(&m, &bytes));
            vec![stored(
                "Binary",
                id,
                1,
                chrono::DateTime::<chrono::Utc>::UNIX_EPOCH,
                json,
            )]
        }))
    }

    // ------------------------------------------------------------ Appointment

    async fn fhir_appointment(&self, ctx: &Ctx, id: &str) -> Result<Audited<Vec<Stored>>> {
        self.fhir_gate(ctx, "Appointment", Interaction::Read)
            .await?;
        let a = self
            .appointment(ctx, &AppointmentId::from_raw(id.to_owned()))
            .await?;
        let client = self
            .owner_of("appointment", id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let updated = self.appointment_updated(id).await?;
        Ok(a.map(|a| {
            let json = fhirkit::to_json(&mapping::appointment(&a, &client, updated));
            vec![stored("Appointment", id, a.revision, updated, json)]
        }))
    }

    /// When an appointment last changed (not dossier content: a time).
    async fn appointment_updated(&self, id: &str) -> Result<chrono::DateTime<chrono::Utc>> {
        let r = crate::sql::query("SELECT updated_at FROM appointment WHERE id = $1")
            .bind(id)
            .fetch_one(self.db())
            .await?;
        t(&r, "updated_at")
    }

    async fn fhir_appointments(&self, ctx: &Ctx, q: &Search) -> Result<Vec<Stored>> {
        self.fhir_gate(ctx, "Appointment", Interaction::Search)
            .await?;
        let client = patient_of(q)?;
        let list = self.list_appointments(ctx, &client).await?.into_inner();
        let mut out = Vec::new();
        for a in list {
            let status = if a.status == inzage_core::model::AppointmentStatus::Cancelled {
                "cancelled"
            } else {
                "booked"
            };
            if !in_dates(q, a.starts_at) || q.status.as_deref().is_some_and(|st| st != status) {
                continue;
            }
            let updated = self.appointment_updated(a.id.as_str()).await?;
            let json = fhirkit::to_json(&mapping::appointment(&a, client.as_str(), updated));
            out.push(stored(
                "Appointment",
                a.id.as_str(),
                a.revision,
                updated,
                json,
            ));
        }
        Ok(out)
    }

    // ------------------------------------------------------------ Organization, Practitioner

    /// The system's own organisation (no dossier content; not audited).
    /// Another organisation does not exist for it.
    async fn fhir_organization(&self, ctx: &Ctx, id: Option<&str>) -> Result<Audited<Vec<Stored>>> {
        let org = self
            .fhir_gate(ctx, "Organization", Interaction::Read)
            .await?;
        if id.is_some_and(|i| i != org.id.as_str()) {
            return Err(ServiceError::NotFound);
        }
        let json = fhirkit::to_json(&mapping::organization(org.id.as_str(), &org.name));
        let out = vec![stored(
            "Organization",
            org.id.as_str(),
            1,
            chrono::DateTime::<chrono::Utc>::UNIX_EPOCH,
            json,
        )];
        crate::audited::recorded(self, Vec::new(), out).await
    }

    /// The organisation's staff as Practitioners (name, active): a read of
    /// staff data, recorded as one event without a client.
    async fn fhir_practitioners(
        &self,
        ctx: &Ctx,
        id: Option<&str>,
        name: Option<&str>,
    ) -> Result<Audited<Vec<Stored>>> {
        let interaction = if id.is_some() && name.is_none() {
            Interaction::Read
        } else {
            Interaction::Search
        };
        let org = self.fhir_gate(ctx, "Practitioner", interaction).await?;
        let rows = crate::sql::query(
            "SELECT id, given_name, name_prefix, family_name, active, created_at FROM staff_member \
             WHERE organisation_id = $1 ORDER BY family_name, given_name, id",
        )
        .bind(org.id.as_str())
        .fetch_all(self.db())
        .await?;
        let needle = name.map(inzage_core::types::fold);
        let mut out = Vec::new();
        for r in &rows {
            let sid = s(r, "id")?;
            if id.is_some_and(|i| i != sid) {
                continue;
            }
            let (given, prefix, family) = (
                s(r, "given_name")?,
                os(r, "name_prefix")?,
                s(r, "family_name")?,
            );
            if let Some(n) = &needle {
                let hay = inzage_core::types::fold(&format!(
                    "{given} {} {family}",
                    prefix.as_deref().unwrap_or("")
                ));
                if !hay.contains(n.as_str()) {
                    continue;
                }
            }
            let json = fhirkit::to_json(&mapping::practitioner(
                &sid,
                &given,
                prefix.as_deref(),
                &family,
                b(r, "active")?,
            ));
            out.push(stored("Practitioner", &sid, 1, t(r, "created_at")?, json));
        }
        if id.is_some() && out.is_empty() {
            return Err(ServiceError::NotFound);
        }
        self.staff_read(ctx, id, out).await
    }
}

impl Services {
    /// Every resource of `ty` in one client's dossier, each with its
    /// status code and date (for the search's filters): one audited list
    /// read of the part (plans: one audited read per plan version).
    async fn fhir_dossier_list(
        &self,
        ctx: &Ctx,
        ty: &str,
        client: &ClientId,
    ) -> Result<Audited<Vec<(String, Option<chrono::DateTime<chrono::Utc>>, Stored)>>> {
        let now = self.now();
        let base = self.fhir_base();
        let c = client.as_str();
        match ty {
            "RelatedPerson" | "Consent" => {
                let net = self.network(ctx, client).await?;
                Ok(net.map(|people| {
                    let mut out = Vec::new();
                    for p in &people {
                        if ty == "RelatedPerson" {
                            let r = mapping::related_person(p, c, now);
                            let st = if r.active.as_ref().and_then(|a| a.value) == Some(true) {
                                "active"
                            } else {
                                "inactive"
                            };
                            out.push((
                                st.to_owned(),
                                None,
                                stored(
                                    "RelatedPerson",
                                    p.id.as_str(),
                                    1,
                                    now,
                                    fhirkit::to_json(&r),
                                ),
                            ));
                        } else {
                            for g in &p.grants {
                                let x = mapping::consent(g, p, c, &base, now);
                                let st = x
                                    .status
                                    .as_ref()
                                    .and_then(|v| v.value.clone())
                                    .unwrap_or_default();
                                out.push((
                                    st,
                                    Some(g.valid_from),
                                    stored(
                                        "Consent",
                                        g.id.as_str(),
                                        1,
                                        g.valid_from,
                                        fhirkit::to_json(&x),
                                    ),
                                ));
                            }
                        }
                    }
                    out
                }))
            }
            "Communication" => {
                let qs = self.team_questions(ctx, client).await?;
                Ok(qs.map(|qs| {
                    qs.iter()
                        .map(|q| {
                            let x = mapping::communication(q);
                            let st = if q.open { "in-progress" } else { "completed" };
                            let at = q.messages.last().map_or(q.asked_at, |m| m.at);
                            (
                                st.to_owned(),
                                Some(q.asked_at),
                                stored("Communication", q.id.as_str(), 1, at, fhirkit::to_json(&x)),
                            )
                        })
                        .collect()
                }))
            }
            "AuditEvent" => {
                let lines = self.client_audit_trail(ctx, client, 1000).await?;
                let names = self.actor_names(ctx, &lines).await?;
                Ok(lines.map(|lines| {
                    lines
                        .iter()
                        .map(|l| {
                            let who = names
                                .iter()
                                .find(|(k, i, _)| *k == l.actor_kind && *i == l.actor_id)
                                .map_or_else(|| l.actor_kind.clone(), |(_, _, n)| n.clone());
                            let at = inzage_core::types::parse_ts(&l.occurred_at);
                            let x = mapping::audit_event(l, &who);
                            (
                                "".to_owned(),
                                at,
                                stored(
                                    "AuditEvent",
                                    &l.event_id,
                                    1,
                                    at.unwrap_or(now),
                                    fhirkit::to_json(&x),
                                ),
                            )
                        })
                        .collect()
                }))
            }
            "CarePlan" | "Goal" => {
                let plans = self.list_plans(ctx, client).await?.into_inner();
                let latest_final = plans
                    .iter()
                    .find(|p| p.status == inzage_core::model::DocStatus::Final)
                    .map(|p| p.id.clone());
                let mut out = Vec::new();
                for p in &plans {
                    // Goals: those of the current plan only.
                    if ty == "Goal" && Some(&p.id) != latest_final.as_ref() {
                        continue;
                    }
                    let d = self.plan(ctx, &p.id).await?.into_inner();
                    let at = inzage_core::types::local_midnight_utc(p.plan_date);
                    if ty == "CarePlan" {
                        let x = mapping::care_plan(&d, c, Some(&p.id) == latest_final.as_ref());
                        let st = x
                            .status
                            .as_ref()
                            .and_then(|v| v.value.clone())
                            .unwrap_or_default();
                        out.push((
                            st,
                            Some(at),
                            stored("CarePlan", p.id.as_str(), 1, at, fhirkit::to_json(&x)),
                        ));
                    } else {
                        for sec in &d.sections {
                            let x = mapping::goal(sec, c);
                            out.push((
                                "active".to_owned(),
                                Some(at),
                                stored(
                                    "Goal",
                                    sec.id.as_str(),
                                    sec.revision,
                                    at,
                                    fhirkit::to_json(&x),
                                ),
                            ));
                        }
                    }
                }
                // Every plan read above was audited on its own.
                crate::audited::recorded(self, Vec::new(), out).await
            }
            _ => Err(ServiceError::NotFound),
        }
    }

    /// One resource of the dossier types read by id: the item's client is
    /// found first (not dossier content), then that dossier's list is read
    /// as the caller (audited) and the item taken from it.
    async fn fhir_in_dossier(&self, ctx: &Ctx, ty: &str, id: &str) -> Result<Audited<Vec<Stored>>> {
        self.fhir_gate(ctx, ty, Interaction::Read).await?;
        let (table, col) = match ty {
            "RelatedPerson" => ("contact_person", "id"),
            "Consent" => ("access_grant", "id"),
            "Communication" => ("team_question", "id"),
            _ => ("audit_event", "event_id"),
        };
        let owner = crate::sql::query(&format!("SELECT client_id FROM {table} WHERE {col} = $1"))
            .bind(id)
            .fetch_optional(self.db())
            .await?
            .and_then(|r| os(&r, "client_id").ok().flatten());
        let Some(client) = owner else {
            // An unknown id is recorded as an attempt, as on every other
            // read (NEN 7513): in the part the type belongs to.
            let part = inzage_core::smart::parts_of(ty)
                .first()
                .copied()
                .unwrap_or(DossierPart::AuditTrail);
            return self
                .no_such_item(ctx, &attempt(part, AuditAction::Read, Some(id)))
                .await;
        };
        let list = self
            .fhir_dossier_list(ctx, ty, &ClientId::from_raw(client))
            .await?;
        let found = list.map(|l| {
            l.into_iter()
                .filter(|(_, _, s)| s.id == id)
                .map(|(_, _, s)| s)
                .collect::<Vec<_>>()
        });
        if found.is_empty() {
            return Err(ServiceError::NotFound);
        }
        Ok(found)
    }

    async fn fhir_care_plan(&self, ctx: &Ctx, id: &str) -> Result<Audited<Vec<Stored>>> {
        self.fhir_gate(ctx, "CarePlan", Interaction::Read).await?;
        let d = self
            .plan(
                ctx,
                &inzage_core::ids::PlanVersionId::from_raw(id.to_owned()),
            )
            .await?;
        let (client, current) = self.plan_facts(id).await?;
        Ok(d.map(|d| {
            let at = inzage_core::types::local_midnight_utc(d.plan.plan_date);
            let x = mapping::care_plan(&d, &client, current);
            vec![stored("CarePlan", id, 1, at, fhirkit::to_json(&x))]
        }))
    }

    /// A plan version's client, and whether it is the newest final one
    /// (ids and status only: no dossier content).
    async fn plan_facts(&self, plan: &str) -> Result<(String, bool)> {
        let r = crate::sql::query(
            "SELECT p.client_id, (SELECT q.id FROM plan_version q WHERE q.client_id = p.client_id AND q.status = 'final' \
             ORDER BY q.plan_date DESC, q.created_at DESC LIMIT 1) AS newest FROM plan_version p WHERE p.id = $1",
        )
        .bind(plan)
        .fetch_one(self.db())
        .await?;
        Ok((
            s(&r, "client_id")?,
            os(&r, "newest")?.as_deref() == Some(plan),
        ))
    }

    async fn fhir_goal(&self, ctx: &Ctx, id: &str) -> Result<Audited<Vec<Stored>>> {
        self.fhir_gate(ctx, "Goal", Interaction::Read).await?;
        let plan = crate::sql::query("SELECT plan_version_id FROM plan_section WHERE id = $1")
            .bind(id)
            .fetch_optional(self.db())
            .await?
            .map(|r| s(&r, "plan_version_id"))
            .transpose()?;
        // An unknown section is read as an unknown plan: recorded as such.
        let plan = plan.unwrap_or_else(|| id.to_owned());
        let d = self
            .plan(
                ctx,
                &inzage_core::ids::PlanVersionId::from_raw(plan.clone()),
            )
            .await?;
        let (client, _) = self.plan_facts(&plan).await?;
        let found = d.map(|d| {
            let at = inzage_core::types::local_midnight_utc(d.plan.plan_date);
            d.sections
                .iter()
                .filter(|x| x.id.as_str() == id)
                .map(|x| {
                    stored(
                        "Goal",
                        id,
                        x.revision,
                        at,
                        fhirkit::to_json(&mapping::goal(x, &client)),
                    )
                })
                .collect::<Vec<_>>()
        });
        if found.is_empty() {
            return Err(ServiceError::NotFound);
        }
        Ok(found)
    }

    /// Who the audit lines name, in words: staff and contact persons by
    /// name, systems by their registered name (read with the trail).
    async fn actor_names(
        &self,
        ctx: &Ctx,
        lines: &[inzage_core::audit::AuditRecord],
    ) -> Result<Vec<(String, String, String)>> {
        let named = inzage_core::policy::may_name_contact_persons(&ctx.principal);
        let mut out: Vec<(String, String, String)> = Vec::new();
        for l in lines {
            if out
                .iter()
                .any(|(k, i, _)| *k == l.actor_kind && *i == l.actor_id)
            {
                continue;
            }
            let sql = match l.actor_kind.as_str() {
                "staff" => "SELECT given_name || ' ' || COALESCE(name_prefix || ' ', '') || family_name AS n FROM staff_member WHERE id = $1",
                "contact_person" if !named => {
                    out.push((l.actor_kind.clone(), l.actor_id.clone(), "contactpersoon".into()));
                    continue;
                }
                "contact_person" => "SELECT given_name || ' ' || COALESCE(name_prefix || ' ', '') || family_name AS n FROM contact_person WHERE id = $1",
                "integration" => "SELECT name AS n FROM fhir_client WHERE id = $1",
                "client" | "account" => {
                    out.push((l.actor_kind.clone(), l.actor_id.clone(), "de cliënt".into()));
                    continue;
                }
                _ => {
                    out.push((l.actor_kind.clone(), l.actor_id.clone(), "Inzage".into()));
                    continue;
                }
            };
            let n = crate::sql::query(sql)
                .bind(l.actor_id.as_str())
                .fetch_optional(self.db())
                .await?
                .and_then(|r| os(&r, "n").ok().flatten())
                .unwrap_or_else(|| l.actor_kind.clone());
            out.push((l.actor_kind.clone(), l.actor_id.clone(), n));
        }
        Ok(out)
    }

    /// The organisation's staff roles as PractitionerRoles (recorded as a
    /// read of staff data).
    async fn fhir_roles(
        &self,
        ctx: &Ctx,
        id: Option<&str>,
        practitioner: Option<&str>,
    ) -> Result<Audited<Vec<Stored>>> {
        let interaction = if id.is_some() {
            Interaction::Read
        } else {
            Interaction::Search
        };
        let org = self.fhir_gate(ctx, "PractitionerRole", interaction).await?;
        let practitioner =
            practitioner.map(|p| p.strip_prefix("Practitioner/").unwrap_or(p).to_owned());
        let rows = crate::sql::query(
            "SELECT m.id, m.active, m.created_at, r.role FROM staff_member m JOIN staff_role r ON r.staff_id = m.id \
             WHERE m.organisation_id = $1 ORDER BY m.family_name, m.given_name, m.id, r.role",
        )
        .bind(org.id.as_str())
        .fetch_all(self.db())
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let sid = s(r, "id")?;
            let Some(role) = inzage_core::model::Role::from_code(&s(r, "role")?) else {
                continue;
            };
            let rid = mapping::role_id(&sid, role);
            if id.is_some_and(|i| i != rid) || practitioner.as_deref().is_some_and(|p| p != sid) {
                continue;
            }
            let json = fhirkit::to_json(&mapping::practitioner_role(
                &sid,
                role,
                org.id.as_str(),
                b(r, "active")?,
            ));
            out.push(stored(
                "PractitionerRole",
                &rid,
                1,
                t(r, "created_at")?,
                json,
            ));
        }
        if id.is_some() && out.is_empty() {
            return Err(ServiceError::NotFound);
        }
        self.staff_read(ctx, id, out).await
    }
}

impl Services {
    /// The organisation's staff as read by a system: one recorded event
    /// without a client (a read of one member, or a list).
    async fn staff_read(
        &self,
        ctx: &Ctx,
        id: Option<&str>,
        out: Vec<Stored>,
    ) -> Result<Audited<Vec<Stored>>> {
        let event = ReadEvent {
            ctx: ctx.clone(),
            at: self.now(),
            role: "integration".into(),
            client_id: None,
            data_kind: "staff".into(),
            data_id: id.map(str::to_owned),
            action: if id.is_some() {
                AuditAction::Read
            } else {
                AuditAction::List
            },
            outcome: AuditOutcome::Allowed,
            reason: None,
        };
        crate::audited::recorded(self, vec![event], out).await
    }
}

fn document_meta(r: &crate::sql::Row) -> Result<crate::dossier::DocumentMeta> {
    Ok(crate::dossier::DocumentMeta {
        id: DocumentId::from_raw(s(r, "id")?),
        title: s(r, "title")?,
        doc_type: s(r, "doc_type")?,
        doc_date: d(r, "doc_date")?,
        content_type: s(r, "content_type")?,
        size_bytes: crate::row::i(r, "size_bytes")?,
        sha256: s(r, "sha256")?,
        visible_to_client: b(r, "visible_to_client")?,
        client_id: ClientId::from_raw(s(r, "client_id")?),
    })
}
