//! What a connected system writes besides Patient: an EpisodeOfCare (a
//! care episode starts, or ends: a discharge) and a DocumentReference with
//! its content inline (a letter or a scan for the dossier). Each goes
//! through the same service as the staff's own form (`start_episode`,
//! `end_episode`, the upload), so the same rules and the same audit hold;
//! the system's own identifiers are kept (`fhir_identifier`) so that a
//! conditional update by identifier finds the item again.
use super::mapping::Problem;
use super::{read_resource, Refused, Stored, Written};
use crate::access::actor_facts;
use crate::error::{Result, ServiceError};
use crate::row::{d, od, os, s};
use crate::{Ctx, Services};
use chrono::NaiveDate;
use fhirkit::r4::{DocumentReference, EpisodeOfCare, Identifier, Reference};
use inzage_core::ids::{ClientId, EpisodeId, OrganisationId, StaffId};
use inzage_core::policy::{decide_integration_author, StaffFacts};
use inzage_core::smart::Interaction;
use inzage_core::types::{ts, Label, Text};

/// The extension by which a system says a document is for the client's
/// eyes too (shown in the portal); without it a document is for staff
/// only (privacy first).
pub fn visible_extension(base: &str) -> String {
    format!("{base}/StructureDefinition/visible-to-client")
}

/// The most a document's inline content may be (base64 in the JSON).
pub const INLINE_MAX: usize = 20 * 1024 * 1024;

type Outcome = Result<std::result::Result<Written, Refused>>;

fn refused(path: &str, message: impl Into<String>) -> std::result::Result<Written, Refused> {
    Err(Refused::Invalid(vec![Problem {
        path: path.to_owned(),
        message: message.into(),
    }]))
}

fn val(x: &Option<fhirkit::Primitive<String>>) -> Option<&str> {
    x.as_ref().and_then(|v| v.value.as_deref())
}

/// The calling system's client id (identifiers are per system).
fn system_of(ctx: &Ctx) -> String {
    match &ctx.principal {
        inzage_core::model::Principal::Integration { fhir_client_id, .. } => fhir_client_id.clone(),
        _ => String::new(),
    }
}

/// The identifier a write is about: the URL's (a conditional update),
/// which the resource may repeat but not contradict, else the resource's
/// first; a system of 1 to 255 characters and a value of 1 to 128.
fn which_identifier(
    path: &str,
    by: &Option<(String, String)>,
    ids: &[Identifier],
) -> std::result::Result<Option<(String, String)>, std::result::Result<Written, Refused>> {
    let ident = match (by, first_identifier(ids)) {
        (Some(u), Some(b)) if *u != b => {
            return Err(refused(path, "differs from the identifier in the URL"))
        }
        (Some(u), _) => Some(u.clone()),
        (None, b) => b,
    };
    if let Some((sys, v)) = &ident {
        if sys.is_empty() || sys.len() > 255 || v.is_empty() || v.len() > 128 {
            return Err(refused(
                path,
                "an identifier's system is 1 to 255 characters, its value 1 to 128",
            ));
        }
    }
    Ok(ident)
}
/// The first identifier with both a system and a value.
fn first_identifier(ids: &[Identifier]) -> Option<(String, String)> {
    ids.iter()
        .find_map(|i| Some((val(&i.system)?.to_owned(), val(&i.value)?.to_owned())))
}

/// `Patient/{id}` (a relative reference to this server).
fn patient_ref(r: &Option<Reference>) -> Option<ClientId> {
    let raw = val(&r.as_ref()?.reference)?;
    let id = raw.strip_prefix("Patient/")?;
    (!id.is_empty() && !id.contains('/')).then(|| ClientId::from_raw(id.to_owned()))
}

fn fhir_date(path: &str, v: Option<&str>) -> std::result::Result<Option<NaiveDate>, Problem> {
    match v {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d")
            .map(Some)
            .map_err(|_| Problem {
                path: path.to_owned(),
                message: "a date (2026-01-31) or a dateTime".into(),
            }),
    }
}

impl Services {
    /// The local item a system's identifier names, if any (and its client).
    /// Identifiers are the calling system's own: another system's are not
    /// found. An identifier being written right now is a conflict (try
    /// again); a claim left by a write that died is taken over after ten
    /// minutes.
    async fn identified(
        &self,
        ctx: &Ctx,
        ty: &str,
        system: &str,
        value: &str,
    ) -> Result<Option<(String, String)>> {
        let r = crate::sql::query(
            "SELECT local_id, client_id, created_at FROM fhir_identifier \
             WHERE fhir_client_id = $1 AND resource_type = $2 AND system = $3 AND value = $4",
        )
        .bind(system_of(ctx))
        .bind(ty)
        .bind(system)
        .bind(value)
        .fetch_optional(self.db())
        .await?;
        let Some(r) = r else { return Ok(None) };
        let local = s(&r, "local_id")?;
        if local.starts_with("pending:") {
            if crate::row::t(&r, "created_at")? + chrono::Duration::minutes(10) > self.now() {
                return Err(ServiceError::Conflict(
                    "this identifier is being written right now: try again".into(),
                ));
            }
            crate::sql::query(
                "DELETE FROM fhir_identifier WHERE fhir_client_id = $1 AND resource_type = $2 \
                 AND system = $3 AND value = $4 AND local_id = $5",
            )
            .bind(system_of(ctx))
            .bind(ty)
            .bind(system)
            .bind(value)
            .bind(local.as_str())
            .execute(self.db())
            .await?;
            return Ok(None);
        }
        Ok(Some((local, s(&r, "client_id")?)))
    }

    /// Writes a new item under a system's identifier: the identifier is
    /// claimed first (a primary key: of two writes at once, one makes the
    /// item and the other is told to try again), then the item is made,
    /// then the claim names it; a failed write gives the claim back.
    async fn with_claim<T: AsRef<str>>(
        &self,
        ctx: &Ctx,
        org: &OrganisationId,
        ty: &str,
        ident: Option<&(String, String)>,
        client: &ClientId,
        make: impl AsyncFnOnce() -> Result<T>,
    ) -> Result<T> {
        let Some((sys, val)) = ident else {
            return make().await;
        };
        let token = format!("pending:{}", crate::new_id());
        let claimed = crate::sql::query(
            "INSERT INTO fhir_identifier (organisation_id, fhir_client_id, resource_type, system, value, local_id, client_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (fhir_client_id, resource_type, system, value) DO NOTHING",
        )
        .bind(org.as_str())
        .bind(system_of(ctx))
        .bind(ty)
        .bind(sys.as_str())
        .bind(val.as_str())
        .bind(token.as_str())
        .bind(client.as_str())
        .bind(ts(self.now()))
        .execute(self.db())
        .await?;
        if claimed.rows_affected() == 0 {
            return Err(ServiceError::Conflict(
                "this identifier is being written right now: try again".into(),
            ));
        }
        let keyed = |q: &'static str| {
            crate::sql::query(q)
                .bind(system_of(ctx))
                .bind(ty)
                .bind(sys.as_str())
                .bind(val.as_str())
                .bind(token.clone())
        };
        match make().await {
            Ok(made) => {
                keyed(
                    "UPDATE fhir_identifier SET local_id = $6 WHERE fhir_client_id = $1 AND resource_type = $2 \
                     AND system = $3 AND value = $4 AND local_id = $5",
                )
                .bind(made.as_ref())
                .execute(self.db())
                .await?;
                Ok(made)
            }
            Err(e) => {
                keyed(
                    "DELETE FROM fhir_identifier WHERE fhir_client_id = $1 AND resource_type = $2 \
                     AND system = $3 AND value = $4 AND local_id = $5",
                )
                .execute(self.db())
                .await?;
                Err(e)
            }
        }
    }

    /// The resource after a write: its body when the caller may read it
    /// (an audited read), else its id only.
    async fn written_answer(&self, ctx: &Ctx, ty: &'static str, id: &str) -> Result<Stored> {
        if self.fhir_may(ctx, ty, Interaction::Read).await? {
            let v = self.fhir_read(ctx, ty, id, false).await?.into_inner();
            return v.into_iter().next().ok_or(ServiceError::NotFound);
        }
        Ok(Stored {
            resource_type: ty,
            id: id.to_owned(),
            version: 1,
            last_updated: self.now(),
            json: String::new(),
        })
    }

    /// `POST /fhir/{type}` for the types a system writes.
    pub async fn fhir_create(&self, ctx: &Ctx, ty: &str, json: &str) -> Outcome {
        match ty {
            "Patient" => self.fhir_patient_create(ctx, json).await,
            "EpisodeOfCare" => self.fhir_episode_write(ctx, json, None).await,
            "DocumentReference" => self.fhir_document_write(ctx, json, None).await,
            "Appointment" => {
                self.fhir_appointment_write(ctx, json, None, None, None)
                    .await
            }
            "CarePlan" => self.fhir_care_plan_write(ctx, json, None).await,
            _ => Err(ServiceError::NotFound),
        }
    }

    /// `PUT /fhir/{type}/{id}`: an update of an item by its id (never a
    /// create: ids are ours). `if_match`: the version the caller saw.
    pub async fn fhir_update_by_id(
        &self,
        ctx: &Ctx,
        ty: &str,
        id: &str,
        json: &str,
        if_match: Option<i64>,
    ) -> Outcome {
        match ty {
            "Patient" => {
                self.fhir_patient_update(
                    ctx,
                    super::PatientTarget::Id(id.to_owned()),
                    json,
                    if_match,
                )
                .await
            }
            "Appointment" => {
                self.fhir_appointment_write(ctx, json, None, Some(id.to_owned()), if_match)
                    .await
            }
            _ => Err(ServiceError::NotFound),
        }
    }

    /// `PUT /fhir/{type}?identifier=system|value`: the item with this
    /// identifier is updated, or created when there is none.
    pub async fn fhir_conditional_update(
        &self,
        ctx: &Ctx,
        ty: &str,
        system: &str,
        value: &str,
        json: &str,
        if_match: Option<i64>,
    ) -> Outcome {
        let ident = (system.to_owned(), value.to_owned());
        match ty {
            "Patient" => {
                self.fhir_patient_update(
                    ctx,
                    super::PatientTarget::ClientNumber {
                        system: ident.0,
                        value: ident.1,
                    },
                    json,
                    if_match,
                )
                .await
            }
            "EpisodeOfCare" => self.fhir_episode_write(ctx, json, Some(ident)).await,
            "DocumentReference" => self.fhir_document_write(ctx, json, Some(ident)).await,
            "Appointment" => {
                self.fhir_appointment_write(ctx, json, Some(ident), None, if_match)
                    .await
            }
            "CarePlan" => self.fhir_care_plan_write(ctx, json, Some(ident)).await,
            _ => Err(ServiceError::NotFound),
        }
    }

    /// An episode starts (create), or ends (the same episode again with
    /// `period.end`: a discharge). Nothing else of an episode changes
    /// through the API.
    async fn fhir_episode_write(
        &self,
        ctx: &Ctx,
        json: &str,
        by: Option<(String, String)>,
    ) -> Outcome {
        let first = if by.is_some() {
            Interaction::Update
        } else {
            Interaction::Create
        };
        let org = self.fhir_gate(ctx, "EpisodeOfCare", first).await?;
        let ep = match read_resource::<EpisodeOfCare>(json, "EpisodeOfCare") {
            Ok(e) => e,
            Err(p) => return Ok(Err(Refused::Invalid(p))),
        };
        let Some(client) = patient_ref(&ep.patient) else {
            return Ok(refused(
                "EpisodeOfCare.patient",
                "must be Patient/{id} on this server",
            ));
        };
        let period = ep.period.as_ref();
        let (start, end) = match (
            fhir_date(
                "EpisodeOfCare.period.start",
                period.and_then(|p| val(&p.start)),
            ),
            fhir_date("EpisodeOfCare.period.end", period.and_then(|p| val(&p.end))),
        ) {
            (Ok(Some(s)), Ok(e)) => (s, e),
            (Ok(None), _) => {
                return Ok(refused(
                    "EpisodeOfCare.period.start",
                    "the start of care is required",
                ))
            }
            (Err(p), _) | (_, Err(p)) => return Ok(Err(Refused::Invalid(vec![p]))),
        };
        // Checked before anything is written (the end cannot be refused
        // after the start was saved).
        let today = inzage_core::types::local_date(self.now());
        let ten_years = chrono::Duration::days(3653);
        if (start - today).abs() > ten_years {
            return Ok(refused(
                "EpisodeOfCare.period.start",
                "more than ten years away",
            ));
        }
        if let Some(e) = end {
            if e < start {
                return Ok(refused("EpisodeOfCare.period.end", "before the start"));
            }
            if e - today > ten_years {
                return Ok(refused(
                    "EpisodeOfCare.period.end",
                    "more than ten years away",
                ));
            }
        }
        let ident = match which_identifier("EpisodeOfCare.identifier", &by, &ep.identifier) {
            Ok(i) => i,
            Err(r) => return Ok(r),
        };
        let existing = match &ident {
            Some((sys, v)) => self.identified(ctx, "EpisodeOfCare", sys, v).await?,
            None => None,
        };
        if let Some((local, owner)) = existing {
            if by.is_none() {
                return Err(ServiceError::Taken("identifier"));
            }
            if owner != client.as_str() {
                return Ok(refused(
                    "EpisodeOfCare.patient",
                    "this episode belongs to another patient",
                ));
            }
            self.fhir_gate(ctx, "EpisodeOfCare", Interaction::Update)
                .await?;
            let r = crate::sql::query("SELECT start_date, end_date FROM episode WHERE id = $1")
                .bind(local.as_str())
                .fetch_one(self.db())
                .await?;
            let (old_start, old_end) = (d(&r, "start_date")?, od(&r, "end_date")?);
            if old_start != start {
                return Ok(refused(
                    "EpisodeOfCare.period.start",
                    "the start of an episode is changed by staff, not through the API",
                ));
            }
            return match (old_end, end) {
                (a, b) if a == b => Ok(Ok(Written::Unchanged(
                    self.written_answer(ctx, "EpisodeOfCare", &local).await?,
                ))),
                (None, Some(e)) => {
                    let open = self.end_episode(ctx, &client, e).await?;
                    if open.as_str() != local {
                        return Err(ServiceError::Conflict(
                            "this is not the open episode".into(),
                        ));
                    }
                    Ok(Ok(Written::Updated(
                        self.written_answer(ctx, "EpisodeOfCare", &local).await?,
                    )))
                }
                _ => Ok(refused(
                    "EpisodeOfCare.period.end",
                    "an ended episode is not opened again or moved through the API",
                )),
            };
        }
        if by.is_some() {
            self.fhir_gate(ctx, "EpisodeOfCare", Interaction::Create)
                .await?;
        }
        let id: String = self
            .with_claim(
                ctx,
                &org.id,
                "EpisodeOfCare",
                ident.as_ref(),
                &client,
                async || {
                    let id: EpisodeId = self.start_episode(ctx, &client, start).await?;
                    if let Some(e) = end {
                        self.end_episode(ctx, &client, e).await?;
                    }
                    Ok(id.to_string())
                },
            )
            .await?;
        Ok(Ok(Written::Created(
            self.written_answer(ctx, "EpisodeOfCare", id.as_str())
                .await?,
        )))
    }

    /// A document for the dossier: the content inline (`attachment.data`,
    /// PDF, PNG or JPEG by its first bytes), the author a Practitioner of
    /// the organisation, for the client's eyes only with the
    /// visible-to-client extension. Sent again (by identifier) unchanged,
    /// nothing happens; with `status = entered-in-error` it is removed
    /// from view (with the system's name as reason).
    async fn fhir_document_write(
        &self,
        ctx: &Ctx,
        json: &str,
        by: Option<(String, String)>,
    ) -> Outcome {
        let first = if by.is_some() {
            Interaction::Update
        } else {
            Interaction::Create
        };
        let org = self.fhir_gate(ctx, "DocumentReference", first).await?;
        let dr = match read_resource::<DocumentReference>(json, "DocumentReference") {
            Ok(e) => e,
            Err(p) => return Ok(Err(Refused::Invalid(p))),
        };
        let Some(client) = patient_ref(&dr.subject) else {
            return Ok(refused(
                "DocumentReference.subject",
                "must be Patient/{id} on this server",
            ));
        };
        let ident = match which_identifier("DocumentReference.identifier", &by, &dr.identifier) {
            Ok(i) => i,
            Err(r) => return Ok(r),
        };
        if let Some((sys, v)) = &ident {
            if let Some((local, owner)) = self.identified(ctx, "DocumentReference", sys, v).await? {
                if by.is_none() {
                    return Err(ServiceError::Taken("identifier"));
                }
                if owner != client.as_str() {
                    return Ok(refused(
                        "DocumentReference.subject",
                        "this document belongs to another patient",
                    ));
                }
                self.fhir_gate(ctx, "DocumentReference", Interaction::Update)
                    .await?;
                let stored = crate::sql::query(
                    "SELECT title, sha256, visible_to_client, deleted_at FROM document WHERE id = $1",
                )
                .bind(local.as_str())
                .fetch_one(self.db())
                .await?;
                let withdrawn = os(&stored, "deleted_at")?.is_some();
                if withdrawn {
                    // Withdrawn before: the same again is no change; anything
                    // else needs a new identifier.
                    if val(&dr.status) == Some("entered-in-error") {
                        return Ok(Ok(Written::Unchanged(Stored {
                            resource_type: "DocumentReference",
                            id: local,
                            version: 1,
                            last_updated: self.now(),
                            json: String::new(),
                        })));
                    }
                    return Err(ServiceError::Conflict(
                        "this document was withdrawn: send a new one under a new identifier".into(),
                    ));
                }
                if val(&dr.status) != Some("entered-in-error") {
                    // A document is not changed through the API: its bytes,
                    // title and visibility as stored, or a refusal.
                    let base = format!(
                        "{}/fhir",
                        self.settings().public_base_url.trim_end_matches('/')
                    );
                    let visible_url = visible_extension(&base);
                    let visible = dr.extension.iter().any(|e| {
                        e.url.as_deref() == Some(visible_url.as_str())
                            && matches!(&e.value, Some(fhirkit::r4::ExtensionValue::Boolean(b)) if b.value == Some(true))
                    });
                    let att = dr.content.first().and_then(|c| c.attachment.as_ref());
                    let sha = att.and_then(|a| val(&a.data)).map(|d| {
                        use base64::Engine;
                        use sha2::Digest;
                        let clean: String =
                            d.chars().filter(|c| !c.is_ascii_whitespace()).collect();
                        let raw = base64::engine::general_purpose::STANDARD
                            .decode(clean)
                            .unwrap_or_default();
                        hex::encode(sha2::Sha256::digest(&raw))
                    });
                    let same = crate::row::b(&stored, "visible_to_client")? == visible
                        && sha.is_none_or(|h| h == s(&stored, "sha256").unwrap_or_default());
                    if !same {
                        return Err(ServiceError::Conflict(
                            "a document is not changed through the API: withdraw it (status entered-in-error) and send a new one under a new identifier".into(),
                        ));
                    }
                }
                if val(&dr.status) == Some("entered-in-error") {
                    let name = self.integration_name(ctx).await?;
                    let reason = Text::parse("reason", &format!("ingetrokken door {name}"), 500)?;
                    self.remove_document(
                        ctx,
                        &inzage_core::ids::DocumentId::from_raw(local.clone()),
                        reason,
                    )
                    .await?;
                    return Ok(Ok(Written::Updated(Stored {
                        resource_type: "DocumentReference",
                        id: local,
                        version: 1,
                        last_updated: self.now(),
                        json: String::new(),
                    })));
                }
                return Ok(Ok(Written::Unchanged(
                    self.written_answer(ctx, "DocumentReference", &local)
                        .await?,
                )));
            }
        }
        if by.is_some() {
            self.fhir_gate(ctx, "DocumentReference", Interaction::Create)
                .await?;
        }
        // The author: a Practitioner of the organisation.
        let refs: Vec<&Reference> = dr.author.iter().collect();
        let Some(uploader) = self
            .named_author(
                ctx,
                &refs,
                &client,
                inzage_core::model::DossierPart::Documents,
            )
            .await?
        else {
            return Ok(refused(
                "DocumentReference.author",
                "name the author as Practitioner/{id}: an active staff member of this organisation",
            ));
        };
        let Some(att) = dr.content.first().and_then(|c| c.attachment.as_ref()) else {
            return Ok(refused(
                "DocumentReference.content",
                "one attachment with its data inline",
            ));
        };
        let Some(data) = val(&att.data) else {
            return Ok(refused(
                "DocumentReference.content.attachment.data",
                "the content inline (base64)",
            ));
        };
        if data.len() > INLINE_MAX {
            return Ok(refused(
                "DocumentReference.content.attachment.data",
                "larger than 20 MB",
            ));
        }
        let bytes = {
            use base64::Engine;
            let clean: String = data.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            match base64::engine::general_purpose::STANDARD.decode(clean) {
                Ok(b) => b,
                Err(_) => {
                    return Ok(refused(
                        "DocumentReference.content.attachment.data",
                        "not base64",
                    ))
                }
            }
        };
        let title = val(&att.title)
            .or(val(&dr.description))
            .unwrap_or("Document");
        let title = match Label::parse("title", title) {
            Ok(t) => t,
            Err(e) => return Ok(refused("DocumentReference.description", e.message)),
        };
        let doc_type = dr
            .type_
            .as_ref()
            .and_then(|t| val(&t.text).or_else(|| t.coding.first().and_then(|c| val(&c.display))))
            .unwrap_or("Document");
        let doc_type = match Label::parse("doc_type", doc_type) {
            Ok(t) => t,
            Err(e) => return Ok(refused("DocumentReference.type", e.message)),
        };
        let doc_date = match fhir_date("DocumentReference.date", val(&dr.date)) {
            Ok(Some(d)) => d,
            Ok(None) => inzage_core::types::local_date(self.now()),
            Err(p) => return Ok(Err(Refused::Invalid(vec![p]))),
        };
        let base = format!(
            "{}/fhir",
            self.settings().public_base_url.trim_end_matches('/')
        );
        let visible_url = visible_extension(&base);
        let visible = dr.extension.iter().any(|e| {
            e.url.as_deref() == Some(visible_url.as_str())
                && matches!(&e.value, Some(fhirkit::r4::ExtensionValue::Boolean(b)) if b.value == Some(true))
        });
        let limit = self.upload_limit(ctx, &client).await?;
        let mut up = self.begin_upload(limit).await?;
        if !up.write(&bytes).await? {
            return Ok(refused(
                "DocumentReference.content.attachment.data",
                "larger than the organisation's upload limit",
            ));
        }
        let received = up.finish().await?;
        let doc = crate::care::NewDocument {
            title,
            doc_type,
            doc_date,
            visible_to_client: visible,
            content: received,
        };
        let id: String = self
            .with_claim(
                ctx,
                &org.id,
                "DocumentReference",
                ident.as_ref(),
                &client,
                async || {
                    self.upload_document_by(ctx, &client, doc, uploader)
                        .await
                        .map(|d| d.to_string())
                },
            )
            .await
            .map_err(|e| match e {
                ServiceError::Invalid(f) if f.field == "file" => {
                    ServiceError::Invalid(inzage_core::types::FieldError::new(
                        "DocumentReference.content.attachment.data",
                        f.message,
                    ))
                }
                other => other,
            })?;
        Ok(Ok(Written::Created(
            self.written_answer(ctx, "DocumentReference", id.as_str())
                .await?,
        )))
    }

    /// An appointment: planned (create), changed (update: by id, or by the
    /// system's identifier), or cancelled (`status = cancelled`). The
    /// practitioner must be an active member of the client's team, as on
    /// the staff's form; the place is `comment`.
    async fn fhir_appointment_write(
        &self,
        ctx: &Ctx,
        json: &str,
        by: Option<(String, String)>,
        id: Option<String>,
        if_match: Option<i64>,
    ) -> Outcome {
        use fhirkit::r4::Appointment;
        // An upsert that creates needs both update and create.
        let first = if by.is_some() || id.is_some() {
            Interaction::Update
        } else {
            Interaction::Create
        };
        let org = self.fhir_gate(ctx, "Appointment", first).await?;
        let ap = match read_resource::<Appointment>(json, "Appointment") {
            Ok(e) => e,
            Err(p) => return Ok(Err(Refused::Invalid(p))),
        };
        let actor = |prefix: &str| {
            ap.participant.iter().find_map(|x| {
                let r = val(&x.actor.as_ref()?.reference)?;
                let id = r.strip_prefix(prefix)?;
                (!id.is_empty() && !id.contains('/')).then(|| id.to_owned())
            })
        };
        let Some(client) = actor("Patient/").map(ClientId::from_raw) else {
            return Ok(refused(
                "Appointment.participant",
                "one participant must be Patient/{id} on this server",
            ));
        };
        let Some(practitioner) = actor("Practitioner/").map(StaffId::from_raw) else {
            return Ok(refused(
                "Appointment.participant",
                "one participant must be Practitioner/{id}: a member of the client's team",
            ));
        };
        let at = |path: &str,
                  v: Option<&str>|
         -> std::result::Result<chrono::DateTime<chrono::Utc>, Problem> {
            v.and_then(inzage_core::types::parse_ts)
                .or_else(|| {
                    v.and_then(|x| chrono::DateTime::parse_from_rfc3339(x).ok())
                        .map(|t| t.with_timezone(&chrono::Utc))
                })
                .ok_or(Problem {
                    path: path.to_owned(),
                    message: "an instant is required (2026-12-01T10:00:00+01:00)".into(),
                })
        };
        let (starts_at, ends_at) = match (
            at("Appointment.start", val(&ap.start)),
            at("Appointment.end", val(&ap.end)),
        ) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(p), _) | (_, Err(p)) => return Ok(Err(Refused::Invalid(vec![p]))),
        };
        let place = match Label::parse("place", val(&ap.comment).unwrap_or("—")) {
            Ok(l) => l,
            Err(e) => return Ok(refused("Appointment.comment", e.message)),
        };
        let description = match Text::parse("description", val(&ap.description).unwrap_or(""), 2000)
        {
            Ok(t) => t,
            Err(e) => return Ok(refused("Appointment.description", e.message)),
        };
        let new = crate::care::NewAppointment {
            starts_at,
            ends_at,
            practitioner,
            place,
            description,
        };
        let cancel = match val(&ap.status) {
            Some("cancelled") => true,
            Some("booked" | "pending" | "proposed") => false,
            _ => {
                return Ok(refused(
                    "Appointment.status",
                    "booked (planned) or cancelled",
                ))
            }
        };
        let ident = match which_identifier("Appointment.identifier", &by, &ap.identifier) {
            Ok(i) => i,
            Err(r) => return Ok(r),
        };
        // Which appointment: by id, by the system's identifier, or a new one.
        let existing = match (&id, &ident) {
            (Some(i), _) => {
                // Only the system's own organisation's appointments exist
                // for it: anything else is not found (and recorded so),
                // before anything about it is looked at.
                let owner = crate::sql::query(
                    "SELECT a.client_id FROM appointment a JOIN client c ON c.id = a.client_id \
                     WHERE a.id = $1 AND c.organisation_id = $2",
                )
                .bind(i.as_str())
                .bind(org.id.as_str())
                .fetch_optional(self.db())
                .await?
                .map(|r| s(&r, "client_id"))
                .transpose()?;
                match owner {
                    Some(o) if o == client.as_str() => Some(i.clone()),
                    Some(_) => {
                        return Ok(refused(
                            "Appointment.participant",
                            "this appointment belongs to another patient",
                        ))
                    }
                    None => {
                        let a = crate::access::Attempt {
                            part: inzage_core::model::DossierPart::Appointments,
                            access: inzage_core::policy::Access::Write,
                            action: inzage_core::model::AuditAction::Update,
                            data_kind: "appointments",
                            data_id: Some(i),
                            hide_denial: true,
                        };
                        return self.no_such_item(ctx, &a).await;
                    }
                }
            }
            (None, Some((sys, v))) => match self.identified(ctx, "Appointment", sys, v).await? {
                Some((_, owner)) if owner != client.as_str() => {
                    return Ok(refused(
                        "Appointment.participant",
                        "this appointment belongs to another patient",
                    ))
                }
                Some((local, _)) if by.is_some() => Some(local),
                Some(_) => return Err(ServiceError::Taken("identifier")),
                None => None,
            },
            (None, None) => None,
        };
        let Some(local) = existing else {
            if cancel {
                return Ok(refused(
                    "Appointment.status",
                    "a new appointment is not cancelled",
                ));
            }
            if by.is_some() && if_match.is_some() {
                // Nothing to match: the version named is not there.
                return Err(ServiceError::Stale);
            }
            if by.is_some() {
                self.fhir_gate(ctx, "Appointment", Interaction::Create)
                    .await?;
            }
            let made: String = self
                .with_claim(
                    ctx,
                    &org.id,
                    "Appointment",
                    ident.as_ref(),
                    &client,
                    async || {
                        self.create_appointment(ctx, &client, new)
                            .await
                            .map(|a| a.to_string())
                    },
                )
                .await?;
            return Ok(Ok(Written::Created(
                self.written_answer(ctx, "Appointment", made.as_str())
                    .await?,
            )));
        };
        self.fhir_gate(ctx, "Appointment", Interaction::Update)
            .await?;
        let aid = inzage_core::ids::AppointmentId::from_raw(local.clone());
        let r = crate::sql::query(
            "SELECT revision, status, starts_at, ends_at, practitioner_id, place, description FROM appointment WHERE id = $1",
        )
        .bind(local.as_str())
        .fetch_one(self.db())
        .await?;
        let revision = crate::row::i(&r, "revision")?;
        if if_match.is_some_and(|v| v != revision) {
            return Err(ServiceError::Stale);
        }
        let was_cancelled = s(&r, "status")? == "cancelled";
        let same = crate::row::t(&r, "starts_at")? == new.starts_at
            && crate::row::t(&r, "ends_at")? == new.ends_at
            && s(&r, "practitioner_id")? == new.practitioner.as_str()
            && s(&r, "place")? == new.place.as_str()
            && s(&r, "description")? == new.description.as_str();
        match (was_cancelled, cancel) {
            (true, true) => {}
            (true, false) => {
                return Ok(refused(
                    "Appointment.status",
                    "a cancelled appointment is not planned again: make a new one",
                ))
            }
            (false, true) => self.cancel_appointment(ctx, &aid, revision).await?,
            (false, false) if same => {}
            (false, false) => self.update_appointment(ctx, &aid, revision, new).await?,
        }
        let answer = self.written_answer(ctx, "Appointment", &local).await?;
        Ok(Ok(if (was_cancelled == cancel) && (cancel || same) {
            Written::Unchanged(answer)
        } else {
            Written::Updated(answer)
        }))
    }

    /// The staff member a system names as author (`Practitioner/{id}`),
    /// if the rule allows them: an active member of its organisation who
    /// may write `part` of this client's dossier.
    async fn named_author(
        &self,
        ctx: &Ctx,
        refs: &[&Reference],
        client: &ClientId,
        part: inzage_core::model::DossierPart,
    ) -> Result<Option<StaffId>> {
        let Some(author) = refs.iter().find_map(|a| {
            val(&a.reference)?
                .strip_prefix("Practitioner/")
                .map(str::to_owned)
        }) else {
            return Ok(None);
        };
        let mut conn = self.db().acquire().await?;
        let actor = actor_facts(&mut conn, &ctx.principal).await?;
        let staff = match actor_facts(
            &mut conn,
            &inzage_core::model::Principal::Staff {
                staff_id: StaffId::from_raw(author),
            },
        )
        .await?
        {
            inzage_core::policy::ActorFacts::Staff(f) => Some(f),
            _ => None::<StaffFacts>,
        };
        let Some(subject) = crate::access::subject_facts(&mut conn, client.as_str()).await? else {
            return Ok(None);
        };
        Ok(decide_integration_author(
            &actor,
            staff.as_ref(),
            &subject.facts,
            part,
            &subject.rules,
            self.now(),
        )
        .ok())
    }

    /// A client plan from the organisation's ECD: a new version of the plan
    /// (never a change of one: a final version never changes), its
    /// activities the sections (domain = `detail.code`, agreements =
    /// `detail.description`, goals = the contained Goal the activity names),
    /// `status` active (final) or draft, `created` its date, `author` a
    /// Practitioner of the organisation. Sent again by identifier with the
    /// same content, nothing happens; with other content, a new version.
    async fn fhir_care_plan_write(
        &self,
        ctx: &Ctx,
        json: &str,
        by: Option<(String, String)>,
    ) -> Outcome {
        use fhirkit::r4::{CarePlan, Resource};
        let first = if by.is_some() {
            Interaction::Update
        } else {
            Interaction::Create
        };
        let org = self.fhir_gate(ctx, "CarePlan", first).await?;
        let cp = match read_resource::<CarePlan>(json, "CarePlan") {
            Ok(e) => e,
            Err(p) => return Ok(Err(Refused::Invalid(p))),
        };
        let Some(client) = patient_ref(&cp.subject) else {
            return Ok(refused(
                "CarePlan.subject",
                "must be Patient/{id} on this server",
            ));
        };
        // Only final plans: a draft from the API would block the staff's
        // own next version until its named author finished it (review).
        let final_ = match val(&cp.status) {
            Some("active") => true,
            _ => {
                return Ok(refused(
                    "CarePlan.status",
                    "active: a final plan (drafts are written by staff)",
                ))
            }
        };
        // The plan's date is part of what it is: required, so that the
        // same plan sent again is the same plan.
        let plan_date = match fhir_date("CarePlan.created", val(&cp.created)) {
            Ok(Some(d)) => d,
            Ok(None) => return Ok(refused("CarePlan.created", "the plan's date is required")),
            Err(p) => return Ok(Err(Refused::Invalid(vec![p]))),
        };
        let mut sections = Vec::new();
        let mut problems = Vec::new();
        for (n, act) in cp.activity.iter().enumerate() {
            let path = format!("CarePlan.activity[{n}].detail");
            let Some(d) = &act.detail else {
                problems.push(Problem {
                    path,
                    message: "an activity needs its detail".into(),
                });
                continue;
            };
            let domain = d
                .code
                .as_ref()
                .and_then(|c| {
                    val(&c.text).or_else(|| c.coding.first().and_then(|x| val(&x.display)))
                })
                .unwrap_or("");
            let goal_ref = d.goal.first().and_then(|g| val(&g.reference)).unwrap_or("");
            let goal_text = goal_ref.strip_prefix('#').and_then(|gid| {
                cp.contained.iter().find_map(|r| match r {
                    Resource::Goal(g) if g.id.as_deref() == Some(gid) => {
                        g.description.as_ref().and_then(|c| val(&c.text))
                    }
                    _ => None,
                })
            });
            match (
                Label::parse("domain", domain),
                Text::parse(
                    "goals",
                    goal_text.unwrap_or(""),
                    crate::plans::PLAN_TEXT_MAX,
                ),
                Text::parse(
                    "agreements",
                    val(&d.description).unwrap_or(""),
                    crate::plans::PLAN_TEXT_MAX,
                ),
            ) {
                (Ok(domain), Ok(goals), Ok(agreements)) => {
                    sections.push(crate::plans::SectionEdit {
                        domain,
                        goals,
                        agreements,
                    })
                }
                (Err(e), _, _) => problems.push(Problem {
                    path: format!("{path}.code"),
                    message: e.message,
                }),
                (_, Err(e), _) => problems.push(Problem {
                    path: format!("{path}.goal"),
                    message: e.message,
                }),
                (_, _, Err(e)) => problems.push(Problem {
                    path: format!("{path}.description"),
                    message: e.message,
                }),
            }
        }
        if !problems.is_empty() {
            return Ok(Err(Refused::Invalid(problems)));
        }
        let ident = match which_identifier("CarePlan.identifier", &by, &cp.identifier) {
            Ok(i) => i,
            Err(r) => return Ok(r),
        };
        let existing = match &ident {
            Some((sys, v)) => self.identified(ctx, "CarePlan", sys, v).await?,
            None => None,
        };
        if let Some((local, owner)) = &existing {
            if by.is_none() {
                return Err(ServiceError::Taken("identifier"));
            }
            if owner != client.as_str() {
                return Ok(refused(
                    "CarePlan.subject",
                    "this plan belongs to another patient",
                ));
            }
            // The same plan again: nothing new.
            let rows = crate::sql::query(
                "SELECT p.status, p.plan_date, x.domain, x.goals, x.agreements FROM plan_version p \
                 JOIN plan_section x ON x.plan_version_id = p.id WHERE p.id = $1 ORDER BY x.position",
            )
            .bind(local.as_str())
            .fetch_all(self.db())
            .await?;
            let mut same = rows.len() == sections.len();
            for (r, x) in rows.iter().zip(&sections) {
                same &= s(r, "domain")? == x.domain.as_str()
                    && s(r, "goals")? == x.goals.as_str()
                    && s(r, "agreements")? == x.agreements.as_str()
                    && (s(r, "status")? == "final") == final_
                    && d(r, "plan_date")? == plan_date;
            }
            if same {
                return Ok(Ok(Written::Unchanged(
                    self.written_answer(ctx, "CarePlan", local).await?,
                )));
            }
        } else if by.is_some() {
            self.fhir_gate(ctx, "CarePlan", Interaction::Create).await?;
        }
        let refs: Vec<&Reference> = cp.author.iter().chain(cp.contributor.iter()).collect();
        let Some(author) = self
            .named_author(
                ctx,
                &refs,
                &client,
                inzage_core::model::DossierPart::ClientPlan,
            )
            .await?
        else {
            return Ok(refused(
                "CarePlan.author",
                "name the author as Practitioner/{id}: an active staff member of this organisation",
            ));
        };
        let made: String = match (&ident, &existing) {
            // A new version of a plan the system sent before: the
            // identifier then names the newest.
            (Some((sys, v)), Some((old, _))) => {
                let made = self
                    .plan_from_system(ctx, &client, &author, plan_date, &sections, final_)
                    .await?
                    .to_string();
                crate::sql::query(
                    "UPDATE fhir_identifier SET local_id = $5 WHERE fhir_client_id = $1 AND resource_type = $2 \
                     AND system = $3 AND value = $4 AND local_id = $6",
                )
                .bind(system_of(ctx))
                .bind("CarePlan")
                .bind(sys.as_str())
                .bind(v.as_str())
                .bind(made.as_str())
                .bind(old.as_str())
                .execute(self.db())
                .await?;
                made
            }
            _ => {
                self.with_claim(
                    ctx,
                    &org.id,
                    "CarePlan",
                    ident.as_ref(),
                    &client,
                    async || {
                        self.plan_from_system(ctx, &client, &author, plan_date, &sections, final_)
                            .await
                            .map(|p| p.to_string())
                    },
                )
                .await?
            }
        };
        let answer = self.written_answer(ctx, "CarePlan", made.as_str()).await?;
        Ok(Ok(if existing.is_some() {
            Written::Updated(answer)
        } else {
            Written::Created(answer)
        }))
    }

    /// The registered name of the calling system.
    async fn integration_name(&self, ctx: &Ctx) -> Result<String> {
        let inzage_core::model::Principal::Integration { fhir_client_id, .. } = &ctx.principal
        else {
            return Ok("een gekoppeld systeem".into());
        };
        let r = crate::sql::query("SELECT name FROM fhir_client WHERE id = $1")
            .bind(fhir_client_id.as_str())
            .fetch_optional(self.db())
            .await?;
        Ok(r.and_then(|r| os(&r, "name").ok().flatten())
            .unwrap_or_else(|| "een gekoppeld systeem".into()))
    }
}
