//! The FHIR R4 API's services (issue 17, ADR 0027). The FHIR handlers
//! parse and render; everything else happens here, through the same gate
//! as the pages: `policy::decide_fhir_interaction` first (the token's
//! scopes name the type and the interaction), then `policy::decide` per
//! dossier (its own organisation only), and every read audited as the
//! system that made it, so it shows in the client's "Wie keek mee".
//!
//! - [`smart`]: registered systems and their tokens (SMART Backend Services);
//! - [`mapping`]: the ECD's data as FHIR resources and back;
//! - this module: Patient (read, vread, history, search, create, update,
//!   conditional update by identifier).
pub mod mapping;
pub mod resources;
pub mod smart;
pub mod writes;

use crate::access::{actor_facts, Attempt};
use crate::audit::Event;
use crate::clients::ClientRecord;
use crate::error::{Result, ServiceError};
use crate::row::{i, os, s, t};
use crate::{Audited, Ctx, Services};
use chrono::{DateTime, NaiveDate, Utc};
use inzage_core::ids::{ClientId, OrganisationId, StaffId, TeamId};
use inzage_core::model::{AuditAction, AuditOutcome, DossierPart};
use inzage_core::policy::{decide_fhir_interaction, Access};
use inzage_core::smart::Interaction;
use inzage_core::types::{fold, parse_stored_date, ts};
use mapping::Problem;

/// One stored version of a resource, as FHIR JSON.
#[derive(Clone, Debug)]
pub struct Stored {
    pub resource_type: &'static str,
    pub id: String,
    pub version: i64,
    pub last_updated: DateTime<Utc>,
    /// Empty when the caller may write but not read it (a create answered
    /// without its body).
    pub json: String,
}

/// What a create or update did.
#[derive(Clone, Debug)]
pub enum Written {
    Created(Stored),
    Updated(Stored),
    /// The resource was sent unchanged: nothing was written.
    Unchanged(Stored),
}

/// A refused write: the resource is not acceptable (each problem with its
/// FHIRPath), or names a client number another client has.
#[derive(Clone, Debug)]
pub enum Refused {
    Invalid(Vec<Problem>),
}

/// The search parameters the API knows (each type takes some of them:
/// [`resources::supported`]).
#[derive(Clone, Debug, Default)]
pub struct Search {
    /// `patient=` (`Patient/{id}` or `{id}`): the dossier to search in.
    pub patient: Option<String>,
    /// `status=`.
    pub status: Option<String>,
    /// `date=`: from (inclusive), until (exclusive).
    pub date_from: Option<DateTime<Utc>>,
    pub date_until: Option<DateTime<Utc>>,
    /// `practitioner=` (`Practitioner/{id}` or `{id}`).
    pub practitioner: Option<String>,
    /// `category=`: `clinical-note` (reports) or `document`.
    pub category: Option<String>,
    /// The parameter names given (a type refuses those it does not take).
    pub given: Vec<String>,
    /// `_id=`.
    pub id: Option<String>,
    /// `identifier=[system|]value`.
    pub identifier: Option<(Option<String>, String)>,
    /// `name=`: a part of any name (folded: case and accents do not matter).
    pub name: Option<String>,
    pub birthdate: Option<NaiveDate>,
    /// `_lastUpdated=geYYYY-MM-DD…` / `lt…`: from (inclusive), until (exclusive).
    pub updated_from: Option<DateTime<Utc>>,
    pub updated_until: Option<DateTime<Utc>>,
    pub count: usize,
    pub offset: usize,
}

/// The most entries one page holds (`_count` above it is lowered).
pub const PAGE_MAX: usize = 100;
/// Entries per page when `_count` is not given.
pub const PAGE_DEFAULT: usize = 20;

/// A page of search results.
#[derive(Clone, Debug)]
pub struct Page {
    pub total: i64,
    pub entries: Vec<Stored>,
}

/// What the API needs to know about the calling system's organisation.
#[derive(Clone, Debug)]
pub struct OrgFacts {
    pub id: OrganisationId,
    pub name: String,
    pub naming_system: String,
}

fn problems_of(issues: Vec<fhirkit::Issue>) -> Vec<Problem> {
    issues
        .into_iter()
        .filter(|i| i.severity == fhirkit::Severity::Error)
        .map(|i| Problem {
            path: i.path,
            message: i.message,
        })
        .collect()
}

/// Reads a resource of type `T` strictly: not JSON, the wrong type, or any
/// error `fhirkit` finds is a refusal with every problem.
pub fn read_resource<T: fhirkit::FhirJson>(
    json: &str,
    ty: &str,
) -> std::result::Result<T, Vec<Problem>> {
    let rt = serde_json::from_str::<serde_json::Value>(json)
        .ok()
        .and_then(|v| {
            v.get("resourceType")
                .and_then(|r| r.as_str())
                .map(str::to_owned)
        });
    match rt.as_deref() {
        None => {
            return Err(vec![Problem {
                path: String::new(),
                message: "the body is not a FHIR resource in JSON".into(),
            }])
        }
        Some(t) if t != ty => {
            return Err(vec![Problem {
                path: "resourceType".into(),
                message: format!("expected {ty}, got {t}"),
            }])
        }
        Some(_) => {}
    }
    match fhirkit::from_json::<T>(json) {
        Ok((Some(v), issues)) => {
            let errors = problems_of(issues);
            if errors.is_empty() {
                Ok(v)
            } else {
                Err(errors)
            }
        }
        Ok((None, issues)) => Err(problems_of(issues)),
        Err(e) => Err(vec![Problem {
            path: String::new(),
            message: format!("not JSON: {e}"),
        }]),
    }
}

impl Services {
    /// The interaction rule for the caller, before any dossier: allowed
    /// gives the caller's organisation; a denial is audited.
    pub(crate) async fn fhir_gate(
        &self,
        ctx: &Ctx,
        resource_type: &str,
        interaction: Interaction,
    ) -> Result<OrgFacts> {
        let mut tx = self.db().begin_read().await?;
        let actor = actor_facts(&mut tx, &ctx.principal).await?;
        match decide_fhir_interaction(&actor, resource_type, interaction) {
            Ok(org) => {
                let facts = self.org_facts(&mut tx, &org).await?;
                tx.rollback().await?;
                Ok(facts)
            }
            Err(reason) => {
                tx.rollback().await?;
                let mut w = self.db().begin().await?;
                crate::audit::append(
                    &mut w,
                    ctx,
                    self.now(),
                    Event {
                        role: "integration",
                        client_id: None,
                        data_kind: resource_type,
                        data_id: None,
                        action: match interaction.access() {
                            Access::Read => AuditAction::Read,
                            Access::Write => AuditAction::Update,
                        },
                        outcome: AuditOutcome::Denied,
                        reason: Some(reason.code()),
                    },
                )
                .await?;
                w.commit().await?;
                Err(ServiceError::Denied(reason))
            }
        }
    }

    /// Whether the caller's token also allows `interaction` (a pure check,
    /// not audited: used to decide whether a write is answered with the
    /// resource's body).
    pub(crate) async fn fhir_may(
        &self,
        ctx: &Ctx,
        ty: &str,
        interaction: Interaction,
    ) -> Result<bool> {
        let mut conn = self.db().acquire().await?;
        let actor = actor_facts(&mut conn, &ctx.principal).await?;
        Ok(decide_fhir_interaction(&actor, ty, interaction).is_ok())
    }

    async fn org_facts(&self, tx: &mut crate::db::Conn, org: &OrganisationId) -> Result<OrgFacts> {
        let r = crate::sql::query(
            "SELECT name, display_name, client_number_system FROM organisation WHERE id = $1",
        )
        .bind(org.as_str())
        .fetch_one(&mut *tx)
        .await?;
        Ok(OrgFacts {
            id: org.clone(),
            name: os(&r, "display_name")?.unwrap_or(s(&r, "name")?),
            naming_system: os(&r, "client_number_system")?
                .filter(|x| !x.is_empty())
                .unwrap_or_else(|| self.default_naming_system(org)),
        })
    }

    /// The naming system for an organisation's client numbers when it did
    /// not set its own: one per organisation (client numbers are unique
    /// within one only; a shared system would make two people one for a
    /// system that serves both: review of issue 17).
    pub fn default_naming_system(&self, org: &OrganisationId) -> String {
        format!(
            "{}/fhir/NamingSystem/client-number/{}",
            self.settings().public_base_url.trim_end_matches('/'),
            org
        )
    }

    /// Every version of a client's registration as Patient resources,
    /// newest first (read, vread and `_history` are this one read, audited
    /// as a read of the personal data by the caller).
    pub async fn fhir_patient_versions(
        &self,
        ctx: &Ctx,
        id: &str,
        all: bool,
    ) -> Result<Audited<Vec<Stored>>> {
        let org = self.fhir_gate(ctx, "Patient", Interaction::Read).await?;
        let client = ClientId::from_raw(id.to_owned());
        let a = Attempt {
            part: DossierPart::Profile,
            access: Access::Read,
            action: AuditAction::Read,
            data_kind: DossierPart::Profile.code(),
            data_id: Some(client.as_str()),
            hide_denial: true,
        };
        let (mut tx, _scope, ticket) = self.gate_read(ctx, client.as_str(), &a).await?;
        let r = crate::sql::query(&format!(
            "SELECT {}, created_at FROM client WHERE id = $1",
            crate::clients::RECORD_COLS
        ))
        .bind(client.as_str())
        .fetch_one(&mut *tx)
        .await?;
        let created = t(&r, "created_at")?;
        let current = crate::clients::record_of(&r, &client, None)?;
        let changes = crate::sql::query(
            "SELECT version, field, old_value, changed_at FROM client_change WHERE client_id = $1 \
             ORDER BY version DESC",
        )
        .bind(client.as_str())
        .fetch_all(&mut *tx)
        .await?;
        let mut rows = Vec::with_capacity(changes.len());
        for c in &changes {
            rows.push((
                i(c, "version")?,
                s(c, "field")?,
                os(c, "old_value")?,
                t(c, "changed_at")?,
            ));
        }
        let versions = if all {
            versions_of(current, &rows, created)
        } else {
            let at = rows
                .iter()
                .filter(|c| c.0 == current.version)
                .map(|c| c.3)
                .max()
                .filter(|_| current.version > 1)
                .unwrap_or(created);
            vec![(current, at)]
        };
        let org_ref = format!("Organization/{}", org.id);
        let out = versions
            .into_iter()
            .map(|(rec, at)| Stored {
                resource_type: "Patient",
                id: rec.id.to_string(),
                version: rec.version,
                last_updated: at,
                json: fhirkit::to_json(&mapping::patient(
                    &rec,
                    at,
                    &org.naming_system,
                    &org_ref,
                    &org.name,
                )),
            })
            .collect::<Vec<_>>();
        ticket.finish(tx, out).await
    }

    /// Searches the organisation's clients; each Patient returned is read
    /// (and audited) one by one, as a read by the caller.
    pub async fn fhir_patient_search(&self, ctx: &Ctx, q: &Search) -> Result<Page> {
        let org = self.fhir_gate(ctx, "Patient", Interaction::Search).await?;
        let mut wh = String::from("c.organisation_id = $1");
        let mut binds: Vec<String> = vec![org.id.to_string()];
        let mut add = |cond: &str, v: String, binds: &mut Vec<String>| {
            binds.push(v);
            wh.push_str(&format!(
                " AND {}",
                cond.replace('?', &format!("${}", binds.len()))
            ));
        };
        if let Some((system, value)) = &q.identifier {
            if system.as_deref().is_some_and(|s| s != org.naming_system) {
                return Ok(Page {
                    total: 0,
                    entries: vec![],
                });
            }
            add(
                "c.client_number = ?",
                value.trim().to_ascii_uppercase(),
                &mut binds,
            );
        }
        if let Some(id) = &q.id {
            add("c.id = ?", id.clone(), &mut binds);
        }
        if let Some(n) = &q.name {
            add(
                "c.search_text LIKE ?",
                format!("%{}%", fold(n).replace(['%', '_'], "")),
                &mut binds,
            );
        }
        if let Some(d) = q.birthdate {
            add(
                "c.birth_date = ?",
                d.format("%Y-%m-%d").to_string(),
                &mut binds,
            );
        }
        let updated = "COALESCE((SELECT MAX(h.changed_at) FROM client_change h WHERE h.client_id = c.id), c.created_at)";
        if let Some(f) = q.updated_from {
            add(&format!("{updated} >= ?"), ts(f), &mut binds);
        }
        if let Some(u) = q.updated_until {
            add(&format!("{updated} < ?"), ts(u), &mut binds);
        }
        let (total, ids) = {
            let mut tx = self.db().begin_read().await?;
            let count_sql = format!("SELECT COUNT(*) AS n FROM client c WHERE {wh}");
            let mut cq = crate::sql::query(&count_sql);
            for b in &binds {
                cq = cq.bind(b.as_str());
            }
            let total = i(&cq.fetch_one(&mut *tx).await?, "n")?;
            let list_sql = format!(
                "SELECT c.id FROM client c WHERE {wh} ORDER BY c.id LIMIT {} OFFSET {}",
                q.count.min(PAGE_MAX),
                q.offset
            );
            let mut lq = crate::sql::query(&list_sql);
            for b in &binds {
                lq = lq.bind(b.as_str());
            }
            let ids = lq
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| s(r, "id"))
                .collect::<Result<Vec<_>>>()?;
            tx.rollback().await?;
            (total, ids)
        };
        // The search itself is recorded (its matches each as their own read).
        self.append_read_event(crate::group_commit::ReadEvent {
            ctx: ctx.clone(),
            at: self.now(),
            role: "integration".into(),
            client_id: None,
            data_kind: "patient_search".into(),
            data_id: None,
            action: AuditAction::List,
            outcome: AuditOutcome::Allowed,
            reason: None,
        })
        .await?;
        let mut entries = Vec::with_capacity(ids.len());
        for id in ids {
            match self.fhir_patient_versions(ctx, &id, false).await {
                Ok(v) => entries.extend(v.into_inner().into_iter().next()),
                Err(ServiceError::NotFound | ServiceError::Denied(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(Page { total, entries })
    }

    /// Creates a client from a Patient (`POST /fhir/Patient`). The client
    /// number must be new in the organisation.
    pub async fn fhir_patient_create(
        &self,
        ctx: &Ctx,
        json: &str,
    ) -> Result<std::result::Result<Written, Refused>> {
        let org = self.fhir_gate(ctx, "Patient", Interaction::Create).await?;
        let pat = match read_resource::<fhirkit::r4::Patient>(json, "Patient") {
            Ok(p) => p,
            Err(problems) => return Ok(Err(Refused::Invalid(problems))),
        };
        let today = inzage_core::types::local_date(self.now());
        let f = match mapping::patient_fields(&pat, &org.naming_system, today) {
            Ok(f) => f,
            Err(problems) => return Ok(Err(Refused::Invalid(problems))),
        };
        let id = self
            .register_from_system(ctx, &org.id, new_client(f, None, None))
            .await?;
        Ok(Ok(Written::Created(
            self.fhir_answer(ctx, id.as_str()).await?,
        )))
    }

    /// Updates a client from a Patient: by id (`PUT /fhir/Patient/{id}`),
    /// or by its client number (`PUT /fhir/Patient?identifier=…`, which
    /// creates the client when the number is new). `if_match`: the version
    /// the caller last saw (`If-Match: W/"3"`); another version is stale
    /// and nothing is written. The team and the primary caregiver are not
    /// in a Patient and stay as they are.
    pub async fn fhir_patient_update(
        &self,
        ctx: &Ctx,
        target: PatientTarget,
        json: &str,
        if_match: Option<i64>,
    ) -> Result<std::result::Result<Written, Refused>> {
        let org = self.fhir_gate(ctx, "Patient", Interaction::Update).await?;
        let pat = match read_resource::<fhirkit::r4::Patient>(json, "Patient") {
            Ok(p) => p,
            Err(problems) => return Ok(Err(Refused::Invalid(problems))),
        };
        let today = inzage_core::types::local_date(self.now());
        let f = match mapping::patient_fields(&pat, &org.naming_system, today) {
            Ok(f) => f,
            Err(problems) => return Ok(Err(Refused::Invalid(problems))),
        };
        let existing = {
            let mut conn = self.db().acquire().await?;
            let q = match &target {
                PatientTarget::Id(id) => crate::sql::query(
                    "SELECT id, version, team_id, primary_caregiver_id FROM client WHERE id = $1 AND organisation_id = $2",
                )
                .bind(id.as_str()),
                PatientTarget::ClientNumber { value: n, .. } => crate::sql::query(
                    "SELECT id, version, team_id, primary_caregiver_id FROM client WHERE client_number = $1 AND organisation_id = $2",
                )
                .bind(n.trim().to_ascii_uppercase()),
            };
            q.bind(org.id.as_str()).fetch_optional(&mut *conn).await?
        };
        if let PatientTarget::Id(id) = &target {
            if pat.id.as_deref().is_some_and(|x| x != id) {
                return Ok(Err(Refused::Invalid(vec![Problem {
                    path: "Patient.id".into(),
                    message: "differs from the id in the URL".into(),
                }])));
            }
        }
        if let PatientTarget::ClientNumber { system, value: n } = &target {
            if *system != org.naming_system {
                return Ok(Err(Refused::Invalid(vec![Problem {
                    path: "identifier".into(),
                    message: format!("the system must be {}", org.naming_system),
                }])));
            }
            if !f.client_number.as_str().eq_ignore_ascii_case(n.trim()) {
                return Ok(Err(Refused::Invalid(vec![Problem {
                    path: "Patient.identifier".into(),
                    message: "differs from the identifier in the URL".into(),
                }])));
            }
        }
        let Some(row) = existing else {
            return match target {
                // An id is the server's: a PUT cannot make one up. The
                // miss is recorded like any other item not found.
                PatientTarget::Id(id) => {
                    let a = Attempt {
                        part: DossierPart::Profile,
                        access: Access::Write,
                        action: AuditAction::Update,
                        data_kind: DossierPart::Profile.code(),
                        data_id: Some(&id),
                        hide_denial: true,
                    };
                    self.no_such_item(ctx, &a).await
                }
                PatientTarget::ClientNumber { .. } => {
                    let org = self.fhir_gate(ctx, "Patient", Interaction::Create).await?;
                    let id = self
                        .register_from_system(ctx, &org.id, new_client(f, None, None))
                        .await?;
                    Ok(Ok(Written::Created(
                        self.fhir_answer(ctx, id.as_str()).await?,
                    )))
                }
            };
        };
        let client = ClientId::from_raw(s(&row, "id")?);
        let version = i(&row, "version")?;
        if if_match.is_some_and(|v| v != version) {
            return Err(ServiceError::Stale);
        }
        let edit = new_client(
            f,
            os(&row, "team_id")?.map(TeamId::from_raw),
            os(&row, "primary_caregiver_id")?.map(StaffId::from_raw),
        );
        let upd = self
            .update_client(ctx, &client, edit, None, version)
            .await?;
        let stored = self.fhir_answer(ctx, client.as_str()).await?;
        Ok(Ok(if upd.changed.is_empty() && upd.contact.is_none() {
            Written::Unchanged(stored)
        } else {
            Written::Updated(stored)
        }))
    }

    /// The resource after a write: with its body when the caller may also
    /// read it (audited), else its id and version only.
    async fn fhir_answer(&self, ctx: &Ctx, id: &str) -> Result<Stored> {
        if self.fhir_may(ctx, "Patient", Interaction::Read).await? {
            let v = self
                .fhir_patient_versions(ctx, id, false)
                .await?
                .into_inner();
            return v.into_iter().next().ok_or(ServiceError::NotFound);
        }
        let mut conn = self.db().acquire().await?;
        let r = crate::sql::query(
            "SELECT c.version, COALESCE((SELECT MAX(h.changed_at) FROM client_change h WHERE h.client_id = c.id), c.created_at) AS at \
             FROM client c WHERE c.id = $1",
        )
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
        Ok(Stored {
            resource_type: "Patient",
            id: id.to_owned(),
            version: i(&r, "version")?,
            last_updated: t(&r, "at")?,
            json: String::new(),
        })
    }
}

/// Which client a Patient update is for.
#[derive(Clone, Debug)]
pub enum PatientTarget {
    Id(String),
    /// The organisation's client number (conditional update by
    /// identifier): `system` must be the organisation's naming system.
    ClientNumber {
        system: String,
        value: String,
    },
}

fn new_client(
    f: mapping::PatientFields,
    team_id: Option<TeamId>,
    primary_caregiver_id: Option<StaffId>,
) -> crate::admin::NewClient {
    crate::admin::NewClient {
        client_number: f.client_number,
        given_name: f.given_name,
        name_prefix: f.name_prefix,
        family_name: f.family_name,
        birth_date: f.birth_date,
        street: f.street,
        house_number: f.house_number,
        postal_code: f.postal_code,
        city: f.city,
        email: f.email,
        mobile: f.mobile,
        team_id,
        primary_caregiver_id,
    }
}

/// The most versions `_history` and vread reach back.
pub const HISTORY_MAX: usize = 1000;

/// Every version of a registration, newest first, rebuilt from the
/// current values by undoing each version's changes (`client_change` keeps
/// the old value of every field a version changed).
type Change = (i64, String, Option<String>, DateTime<Utc>);

fn versions_of(
    current: ClientRecord,
    changes: &[Change],
    created: DateTime<Utc>,
) -> Vec<(ClientRecord, DateTime<Utc>)> {
    let mut by_version: std::collections::HashMap<i64, Vec<&Change>> =
        std::collections::HashMap::new();
    for c in changes {
        by_version.entry(c.0).or_default().push(c);
    }
    let mut out = Vec::new();
    let mut rec = current;
    loop {
        let v = rec.version;
        let mine = by_version.get(&v).map(Vec::as_slice).unwrap_or(&[]);
        let at = mine.iter().map(|c| c.3).max().unwrap_or(created);
        out.push((rec.clone(), if v <= 1 { created } else { at }));
        // The newest HISTORY_MAX versions (no _history paging yet).
        if v <= 1 || out.len() >= HISTORY_MAX {
            break;
        }
        for (_, field, old, _) in mine {
            let old = old.clone();
            match field.as_str() {
                "client_number" => rec.client_number = old.unwrap_or_default(),
                "given_name" => rec.given_name = old.unwrap_or_default(),
                "name_prefix" => rec.name_prefix = old,
                "family_name" => rec.family_name = old.unwrap_or_default(),
                "birth_date" => {
                    if let Some(d) = old.as_deref().and_then(parse_stored_date) {
                        rec.birth_date = d;
                    }
                }
                "street" => rec.street = old,
                "house_number" => rec.house_number = old,
                "postal_code" => rec.postal_code = old,
                "city" => rec.city = old,
                "email" => rec.email = old,
                "mobile" => rec.mobile = old,
                "team" => rec.team_id = old.map(TeamId::from_raw),
                "primary_caregiver" => rec.primary_caregiver_id = old.map(StaffId::from_raw),
                _ => {}
            }
        }
        rec.version = v - 1;
    }
    out
}
