//! The mapping between the light ECD and FHIR R4 (4.0.1), both ways, in
//! one place: the glossary's FHIR column (docs/glossary.md) made code, and
//! ADR 0027. Built on the typed R4 model of `fhirkit` (ADR 0022: the
//! `fhir-sdk` crate has no R4).
//!
//! | Inzage (glossary)        | FHIR R4                                  |
//! |--------------------------|------------------------------------------|
//! | client, personal data    | Patient (nl-core-Patient shape)          |
//! | client number            | Patient.identifier, the organisation's naming system |
//! | name: given, prefix, family | HumanName: given, family with nl-core's own-prefix / own-name extensions |
//! | address: street + number | Address.line with ADXP streetName / houseNumber extensions |
//! | e-mail, mobile           | ContactPoint email / phone (use mobile)  |
//!
//! Reading a resource from a system is strict: every problem `fhirkit`
//! finds, and every rule of ours (a client number in the organisation's
//! system, a name, a birth date), comes back with its FHIRPath, and
//! nothing is written.
use crate::clients::ClientRecord;
use chrono::{DateTime, NaiveDate, Utc};
use fhirkit::r4::*;
use fhirkit::Primitive;
use inzage_core::types::{BirthDate, ClientNumber, Email, FieldError, Label, MobileNumber};

/// nl-core's name parts (HL7 core extensions), on `HumanName.family`.
pub const OWN_PREFIX: &str = "http://hl7.org/fhir/StructureDefinition/humanname-own-prefix";
pub const OWN_NAME: &str = "http://hl7.org/fhir/StructureDefinition/humanname-own-name";
/// nl-core's address parts (HL7 core ADXP extensions), on `Address.line`.
pub const STREET_NAME: &str = "http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-streetName";
pub const HOUSE_NUMBER: &str = "http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-houseNumber";

/// One problem with a resource a system sent: where (FHIRPath) and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub path: String,
    pub message: String,
}

impl Problem {
    fn new(path: &str, message: impl Into<String>) -> Self {
        Self {
            path: path.to_owned(),
            message: message.into(),
        }
    }
    fn field(path: &str, e: FieldError) -> Self {
        Self::new(path, e.message)
    }
}

pub(crate) fn p(s: impl Into<String>) -> Option<Primitive<String>> {
    Some(Primitive::new(s.into()))
}

fn val(x: &Option<Primitive<String>>) -> Option<&str> {
    x.as_ref().and_then(|v| v.value.as_deref())
}

fn string_ext(url: &str, v: &str) -> Extension {
    Extension {
        url: Some(url.to_owned()),
        value: Some(ExtensionValue::String(Primitive::new(v.to_owned()))),
        ..Default::default()
    }
}

fn ext_of<'a>(exts: &'a [Extension], url: &str) -> Option<&'a str> {
    exts.iter()
        .find(|e| e.url.as_deref() == Some(url))
        .and_then(|e| match &e.value {
            Some(ExtensionValue::String(s)) => s.value.as_deref(),
            _ => None,
        })
}

/// `meta` of a stored version.
pub fn meta(version: i64, last_updated: DateTime<Utc>) -> Meta {
    Meta {
        version_id: p(version.to_string()),
        last_updated: p(instant(last_updated)),
        ..Default::default()
    }
}

/// A FHIR `instant` (UTC, seconds).
pub fn instant(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A client's registration as a Patient. `naming_system`: the URI of the
/// organisation's client numbers; `org_ref`: `Organization/{id}`.
pub fn patient(
    r: &ClientRecord,
    last_updated: DateTime<Utc>,
    naming_system: &str,
    org_ref: &str,
    org_name: &str,
) -> Patient {
    let mut family = Primitive::new(match &r.name_prefix {
        Some(pre) => format!("{pre} {}", r.family_name),
        None => r.family_name.clone(),
    });
    if let Some(pre) = &r.name_prefix {
        family.extension.push(string_ext(OWN_PREFIX, pre));
    }
    family.extension.push(string_ext(OWN_NAME, &r.family_name));
    let text = match &r.name_prefix {
        Some(pre) => format!("{} {pre} {}", r.given_name, r.family_name),
        None => format!("{} {}", r.given_name, r.family_name),
    };
    let mut telecom = Vec::new();
    if let Some(m) = &r.mobile {
        telecom.push(ContactPoint {
            system: p("phone"),
            value: p(m.clone()),
            use_: p("mobile"),
            ..Default::default()
        });
    }
    if let Some(e) = &r.email {
        telecom.push(ContactPoint {
            system: p("email"),
            value: p(e.clone()),
            use_: p("home"),
            ..Default::default()
        });
    }
    let mut address = Vec::new();
    if r.street.is_some() || r.city.is_some() || r.postal_code.is_some() {
        let mut line = Vec::new();
        if let Some(street) = &r.street {
            let mut l = Primitive::new(match &r.house_number {
                Some(n) => format!("{street} {n}"),
                None => street.clone(),
            });
            l.extension.push(string_ext(STREET_NAME, street));
            if let Some(n) = &r.house_number {
                l.extension.push(string_ext(HOUSE_NUMBER, n));
            }
            line.push(l);
        }
        address.push(Address {
            use_: p("home"),
            line,
            postal_code: r.postal_code.clone().and_then(p),
            city: r.city.clone().and_then(p),
            country: p("NL"),
            ..Default::default()
        });
    }
    Patient {
        id: Some(r.id.to_string()),
        meta: Some(meta(r.version, last_updated)),
        identifier: vec![Identifier {
            use_: p("official"),
            system: p(naming_system),
            value: p(r.client_number.clone()),
            ..Default::default()
        }],
        active: Some(Primitive::new(true)),
        name: vec![HumanName {
            use_: p("official"),
            text: p(text),
            family: Some(family),
            given: vec![Primitive::new(r.given_name.clone())],
            ..Default::default()
        }],
        telecom,
        birth_date: p(date(r.birth_date)),
        address,
        managing_organization: Some(Reference {
            reference: p(org_ref),
            display: p(org_name),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The registration fields a Patient carries (the team and the primary
/// caregiver are not in it: they stay as they are).
#[derive(Clone, Debug)]
pub struct PatientFields {
    pub client_number: ClientNumber,
    pub given_name: Label,
    pub name_prefix: Option<Label>,
    pub family_name: Label,
    pub birth_date: BirthDate,
    pub street: Option<Label>,
    pub house_number: Option<Label>,
    pub postal_code: Option<Label>,
    pub city: Option<Label>,
    pub email: Option<Email>,
    pub mobile: Option<MobileNumber>,
}

/// The client number a Patient carries in `naming_system`, if any.
pub fn client_number_in(p: &Patient, naming_system: &str) -> Option<String> {
    p.identifier
        .iter()
        .find(|i| val(&i.system) == Some(naming_system))
        .and_then(|i| val(&i.value).map(str::to_owned))
}

/// Reads a Patient a system sent into registration fields, with every
/// problem found (nothing is written when there is one).
pub fn patient_fields(
    pat: &Patient,
    naming_system: &str,
    today: NaiveDate,
) -> Result<PatientFields, Vec<Problem>> {
    let mut problems = Vec::new();
    let client_number = match client_number_in(pat, naming_system) {
        Some(n) => ClientNumber::parse(&n)
            .map_err(|e| problems.push(Problem::field("Patient.identifier.value", e)))
            .ok(),
        None => {
            problems.push(Problem::new(
                "Patient.identifier",
                format!("needs the client number with system {naming_system}"),
            ));
            None
        }
    };
    let name = pat
        .name
        .iter()
        .find(|n| val(&n.use_) == Some("official"))
        .or_else(|| pat.name.first());
    let (mut given_name, mut name_prefix, mut family_name) = (None, None, None);
    match name {
        None => problems.push(Problem::new("Patient.name", "a name is required")),
        Some(n) => {
            let given: Vec<&str> = n.given.iter().filter_map(|g| g.value.as_deref()).collect();
            match Label::parse("given_name", &given.join(" ")) {
                Ok(g) => given_name = Some(g),
                Err(e) => problems.push(Problem::field("Patient.name.given", e)),
            }
            let exts = n
                .family
                .as_ref()
                .map(|f| f.extension.as_slice())
                .unwrap_or(&[]);
            let own = ext_of(exts, OWN_NAME).or(val(&n.family));
            match own.map(|f| Label::parse("family_name", f)) {
                Some(Ok(f)) => family_name = Some(f),
                Some(Err(e)) => problems.push(Problem::field("Patient.name.family", e)),
                None => problems.push(Problem::new(
                    "Patient.name.family",
                    "a family name is required",
                )),
            }
            match Label::parse_opt("name_prefix", ext_of(exts, OWN_PREFIX)) {
                Ok(pre) => name_prefix = pre,
                Err(e) => problems.push(Problem::field("Patient.name.family.extension", e)),
            }
        }
    }
    let birth_date = match val(&pat.birth_date) {
        Some(d) => BirthDate::parse(d, today)
            .map_err(|e| problems.push(Problem::field("Patient.birthDate", e)))
            .ok(),
        None => {
            problems.push(Problem::new(
                "Patient.birthDate",
                "a birth date is required",
            ));
            None
        }
    };
    let (mut street, mut house_number, mut postal_code, mut city) = (None, None, None, None);
    if let Some(a) = pat
        .address
        .iter()
        .find(|a| val(&a.use_) == Some("home"))
        .or_else(|| pat.address.first())
    {
        if let Some(line) = a.line.first() {
            let (st, nr) = match (
                ext_of(&line.extension, STREET_NAME),
                ext_of(&line.extension, HOUSE_NUMBER),
            ) {
                (Some(s), n) => (Some(s.to_owned()), n.map(str::to_owned)),
                (None, _) => split_line(line.value.as_deref().unwrap_or("")),
            };
            match Label::parse_opt("street", st.as_deref()) {
                Ok(v) => street = v,
                Err(e) => problems.push(Problem::field("Patient.address.line", e)),
            }
            match Label::parse_opt("house_number", nr.as_deref()) {
                Ok(v) => house_number = v,
                Err(e) => problems.push(Problem::field("Patient.address.line", e)),
            }
        }
        match Label::parse_opt("postal_code", val(&a.postal_code)) {
            Ok(v) => postal_code = v,
            Err(e) => problems.push(Problem::field("Patient.address.postalCode", e)),
        }
        match Label::parse_opt("city", val(&a.city)) {
            Ok(v) => city = v,
            Err(e) => problems.push(Problem::field("Patient.address.city", e)),
        }
    }
    let (mut email, mut mobile) = (None, None);
    for t in &pat.telecom {
        match (val(&t.system), val(&t.use_), val(&t.value)) {
            (Some("email"), _, Some(v)) if email.is_none() => match Email::parse(v) {
                Ok(e) => email = Some(e),
                Err(e) => problems.push(Problem::field("Patient.telecom.value", e)),
            },
            (Some("phone" | "sms"), Some("mobile"), Some(v)) if mobile.is_none() => {
                match MobileNumber::parse(v) {
                    Ok(m) => mobile = Some(m),
                    Err(e) => problems.push(Problem::field("Patient.telecom.value", e)),
                }
            }
            _ => {}
        }
    }
    match (client_number, given_name, family_name, birth_date) {
        (Some(client_number), Some(given_name), Some(family_name), Some(birth_date))
            if problems.is_empty() =>
        {
            Ok(PatientFields {
                client_number,
                given_name,
                name_prefix,
                family_name,
                birth_date,
                street,
                house_number,
                postal_code,
                city,
                email,
                mobile,
            })
        }
        _ => Err(problems),
    }
}

/// "Dorpsstraat 12a" → ("Dorpsstraat", "12a"): the last word is the house
/// number when it starts with a digit.
fn split_line(line: &str) -> (Option<String>, Option<String>) {
    let line = line.trim();
    if line.is_empty() {
        return (None, None);
    }
    match line.rsplit_once(' ') {
        Some((st, nr)) if nr.starts_with(|c: char| c.is_ascii_digit()) => {
            (Some(st.trim().to_owned()), Some(nr.to_owned()))
        }
        _ => (Some(line.to_owned()), None),
    }
}

/// An OperationOutcome with one issue per problem.
pub fn outcome(severity: &str, code: &str, problems: &[Problem]) -> OperationOutcome {
    OperationOutcome {
        issue: problems
            .iter()
            .map(|pr| OperationOutcomeIssue {
                severity: p(severity),
                code: p(code),
                diagnostics: p(pr.message.clone()),
                expression: if pr.path.is_empty() {
                    vec![]
                } else {
                    vec![Primitive::new(pr.path.clone())]
                },
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

// ---------------------------------------------------------------- the other resources

/// A reference to a resource on this server (`Patient/…`), with its name.
pub fn reference(ty: &str, id: &str, display: Option<&str>) -> Reference {
    Reference {
        reference: p(format!("{ty}/{id}")),
        display: display.and_then(p),
        ..Default::default()
    }
}

pub(crate) fn text_concept(s: &str) -> CodeableConcept {
    CodeableConcept {
        text: p(s),
        ..Default::default()
    }
}

pub(crate) fn coded(system: &str, code: &str, display: &str) -> CodeableConcept {
    CodeableConcept {
        coding: vec![Coding {
            system: p(system),
            code: p(code),
            display: p(display),
            ..Default::default()
        }],
        text: p(display),
        ..Default::default()
    }
}

pub(crate) fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A care episode (zorgperiode) as an EpisodeOfCare.
pub fn episode(
    id: &str,
    client: &str,
    org_id: &str,
    start: NaiveDate,
    end: Option<NaiveDate>,
    last_updated: DateTime<Utc>,
) -> EpisodeOfCare {
    EpisodeOfCare {
        id: Some(id.to_owned()),
        meta: Some(Meta {
            last_updated: p(instant(last_updated)),
            ..Default::default()
        }),
        status: p(if end.is_some() { "finished" } else { "active" }),
        patient: Some(reference("Patient", client, None)),
        managing_organization: Some(reference("Organization", org_id, None)),
        period: Some(Period {
            start: p(date(start)),
            end: end.map(date).and_then(p),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The US-core category code FHIR servers use for clinical notes; Dutch
/// care has no national one for a daily report.
pub const NOTE_CATEGORY: &str =
    "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category";

/// A report (rapportage) as a DocumentReference with its text inline.
pub fn report(r: &crate::dossier::ReportView) -> DocumentReference {
    DocumentReference {
        id: Some(r.id.to_string()),
        meta: Some(meta(r.version, r.updated_at)),
        status: p(if r.is_current {
            "current"
        } else {
            "superseded"
        }),
        doc_status: p(match r.status {
            inzage_core::model::DocStatus::Draft => "preliminary",
            inzage_core::model::DocStatus::Final => {
                if r.corrected {
                    "amended"
                } else {
                    "final"
                }
            }
        }),
        type_: Some(text_concept(&r.category)),
        category: vec![coded(NOTE_CATEGORY, "clinical-note", "Clinical Note")],
        subject: Some(reference("Patient", r.client_id.as_str(), None)),
        date: p(instant(r.finalised_at.unwrap_or(r.created_at))),
        author: vec![reference(
            "Practitioner",
            r.author_id.as_str(),
            Some(&r.author_name),
        )],
        content: vec![DocumentReferenceContent {
            attachment: Some(Attachment {
                content_type: p("text/plain; charset=utf-8"),
                language: p("nl"),
                data: p(b64(r.body.as_bytes())),
                ..Default::default()
            }),
            ..Default::default()
        }],
        ..Default::default()
    }
}

/// A document (a letter, a scan) as a DocumentReference whose content is
/// at `Binary/{id}` on this server (`base`: `{public_url}/fhir`).
pub fn document(
    m: &crate::dossier::DocumentMeta,
    base: &str,
    last_updated: DateTime<Utc>,
) -> DocumentReference {
    DocumentReference {
        id: Some(m.id.to_string()),
        meta: Some(meta(1, last_updated)),
        status: p("current"),
        type_: Some(text_concept(&m.doc_type)),
        subject: Some(reference("Patient", m.client_id.as_str(), None)),
        date: p(instant(inzage_core::types::local_midnight_utc(m.doc_date))),
        description: p(m.title.clone()),
        content: vec![DocumentReferenceContent {
            attachment: Some(Attachment {
                content_type: p(m.content_type.clone()),
                url: p(format!("{base}/Binary/{}", m.id)),
                size: Some(Primitive::new(
                    i32::try_from(m.size_bytes).unwrap_or(i32::MAX),
                )),
                hash: p({
                    use base64::Engine;
                    let raw = hex::decode(&m.sha256).unwrap_or_default();
                    base64::engine::general_purpose::STANDARD.encode(raw)
                }),
                title: p(m.title.clone()),
                ..Default::default()
            }),
            ..Default::default()
        }],
        ..Default::default()
    }
}

/// A document's bytes as a Binary.
pub fn binary(m: &crate::dossier::DocumentMeta, bytes: &[u8]) -> Binary {
    Binary {
        id: Some(m.id.to_string()),
        content_type: p(m.content_type.clone()),
        data: p(b64(bytes)),
        ..Default::default()
    }
}

/// An appointment (afspraak) as an Appointment.
pub fn appointment(
    a: &crate::dossier::AppointmentView,
    client: &str,
    last_updated: DateTime<Utc>,
) -> Appointment {
    Appointment {
        id: Some(a.id.to_string()),
        meta: Some(meta(a.revision, last_updated)),
        status: p(
            if a.status == inzage_core::model::AppointmentStatus::Cancelled {
                "cancelled"
            } else {
                "booked"
            },
        ),
        description: p(a.description.clone()),
        start: p(instant(a.starts_at)),
        end: p(instant(a.ends_at)),
        comment: p(a.place.clone()),
        participant: vec![
            AppointmentParticipant {
                actor: Some(reference("Patient", client, None)),
                status: p("accepted"),
                ..Default::default()
            },
            AppointmentParticipant {
                actor: Some(reference(
                    "Practitioner",
                    a.practitioner_id.as_str(),
                    Some(&a.practitioner_name),
                )),
                status: p("accepted"),
                ..Default::default()
            },
        ],
        ..Default::default()
    }
}

/// The organisation itself.
pub fn organization(id: &str, name: &str) -> Organization {
    Organization {
        id: Some(id.to_owned()),
        active: Some(Primitive::new(true)),
        name: p(name),
        ..Default::default()
    }
}

/// A staff member as a Practitioner (name and whether active; no contact
/// details: those are for the organisation's own administration).
pub fn practitioner(
    id: &str,
    given: &str,
    prefix: Option<&str>,
    family: &str,
    active: bool,
) -> Practitioner {
    let mut fam = Primitive::new(match prefix {
        Some(pre) => format!("{pre} {family}"),
        None => family.to_owned(),
    });
    if let Some(pre) = prefix {
        fam.extension.push(string_ext(OWN_PREFIX, pre));
    }
    fam.extension.push(string_ext(OWN_NAME, family));
    Practitioner {
        id: Some(id.to_owned()),
        active: Some(Primitive::new(active)),
        name: vec![HumanName {
            use_: p("official"),
            family: Some(fam),
            given: vec![Primitive::new(given.to_owned())],
            ..Default::default()
        }],
        ..Default::default()
    }
}

/// A contact person as a RelatedPerson (active while a grant is valid).
pub fn related_person(
    c: &crate::dossier::ContactView,
    client: &str,
    now: DateTime<Utc>,
) -> RelatedPerson {
    let active = c.grants.iter().any(|g| grant_active(g, now));
    RelatedPerson {
        id: Some(c.id.to_string()),
        active: Some(Primitive::new(active)),
        patient: Some(reference("Patient", client, None)),
        relationship: vec![text_concept(c.relation.label_nl())],
        name: vec![HumanName {
            text: p(c.full_name.clone()),
            ..Default::default()
        }],
        ..Default::default()
    }
}

fn grant_active(g: &crate::dossier::GrantView, now: DateTime<Utc>) -> bool {
    g.revoked_at.is_none() && g.valid_from <= now && g.valid_until.is_none_or(|u| u > now)
}

/// The code system of the dossier's parts (the portal's tiles), which a
/// Consent's provision names.
pub fn parts_system(base: &str) -> String {
    format!("{base}/CodeSystem/dossier-part")
}

/// A contact person's access (a grant of tiles) as a Consent.
pub fn consent(
    g: &crate::dossier::GrantView,
    c: &crate::dossier::ContactView,
    client: &str,
    base: &str,
    now: DateTime<Utc>,
) -> Consent {
    let system = parts_system(base);
    Consent {
        id: Some(g.id.to_string()),
        status: p(if grant_active(g, now) {
            "active"
        } else {
            "inactive"
        }),
        scope: Some(coded(
            "http://terminology.hl7.org/CodeSystem/consentscope",
            "patient-privacy",
            "Privacy Consent",
        )),
        category: vec![coded("http://loinc.org", "59284-0", "Patient Consent")],
        patient: Some(reference("Patient", client, None)),
        date_time: p(instant(g.valid_from)),
        policy_rule: Some(text_concept("Toestemming van de cliënt in Inzage")),
        provision: Some(ConsentProvision {
            type_: p("permit"),
            period: Some(Period {
                start: p(instant(g.valid_from)),
                end: g.revoked_at.or(g.valid_until).map(instant).and_then(p),
                ..Default::default()
            }),
            actor: vec![ConsentProvisionActor {
                role: Some(text_concept(c.relation.label_nl())),
                reference: Some(reference(
                    "RelatedPerson",
                    c.id.as_str(),
                    Some(&c.full_name),
                )),
                ..Default::default()
            }],
            action: vec![coded(
                "http://terminology.hl7.org/CodeSystem/consentaction",
                "access",
                "Access",
            )],
            code: g
                .parts
                .iter()
                .map(|x| coded(&system, x.code(), x.label_nl()))
                .collect(),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// A plan version as a CarePlan, its sections as Goals (`Goal/{section}`)
/// with the agreements as activities.
pub fn care_plan(d: &crate::dossier::PlanDetail, client: &str, current: bool) -> CarePlan {
    let plan = &d.plan;
    CarePlan {
        id: Some(plan.id.to_string()),
        status: p(match plan.status {
            inzage_core::model::DocStatus::Draft => "draft",
            inzage_core::model::DocStatus::Final if current => "active",
            inzage_core::model::DocStatus::Final => "completed",
        }),
        intent: p("plan"),
        title: p(plan.title.clone()),
        subject: Some(reference("Patient", client, None)),
        created: p(date(plan.plan_date)),
        goal: d
            .sections
            .iter()
            .map(|s| reference("Goal", s.id.as_str(), Some(&s.domain)))
            .collect(),
        activity: d
            .sections
            .iter()
            .map(|s| CarePlanActivity {
                detail: Some(CarePlanActivityDetail {
                    code: Some(text_concept(&s.domain)),
                    goal: vec![reference("Goal", s.id.as_str(), None)],
                    status: p("in-progress"),
                    description: p(s.agreements.clone()),
                    ..Default::default()
                }),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

/// A plan section as a Goal (the client's own additions as notes).
pub fn goal(s: &crate::dossier::PlanSection, client: &str) -> Goal {
    Goal {
        id: Some(s.id.to_string()),
        lifecycle_status: p("active"),
        category: vec![text_concept(&s.domain)],
        description: Some(text_concept(&s.goals)),
        subject: Some(reference("Patient", client, None)),
        note: s
            .additions
            .iter()
            .map(|a| Annotation {
                time: p(instant(a.asked_at)),
                text: p(a.body.clone()),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

/// A question to the team with its answers as a Communication: one
/// payload per message, oldest first, each with its writer.
pub fn communication(q: &crate::questions::Question) -> Communication {
    Communication {
        id: Some(q.id.to_string()),
        status: p(if q.open { "in-progress" } else { "completed" }),
        subject: Some(reference("Patient", q.client_id.as_str(), None)),
        sent: p(instant(q.asked_at)),
        sender: Some(Reference {
            display: p(q.asker_name.clone()),
            ..Default::default()
        }),
        payload: q
            .messages
            .iter()
            .map(|m| CommunicationPayload {
                content: Some(CommunicationPayloadContent::String(Primitive::new(
                    format!("{}: {}", m.author_name, m.body),
                ))),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

/// One access to the dossier (NEN 7513) as an AuditEvent (IHE BALP shape:
/// who, what, when; no network address).
pub fn audit_event(r: &inzage_core::audit::AuditRecord, who: &str) -> AuditEvent {
    let recorded = inzage_core::types::parse_ts(&r.occurred_at).unwrap_or_default();
    AuditEvent {
        id: Some(r.event_id.clone()),
        type_: Some(Coding {
            system: p("http://dicom.nema.org/resources/ontology/DCM"),
            code: p("110110"),
            display: p("Patient Record"),
            ..Default::default()
        }),
        action: p(match r.action.as_str() {
            "read" | "list" => "R",
            "create" | "grant" | "invite" => "C",
            "delete" | "revoke" => "D",
            "update" | "finalise" | "password_set" => "U",
            _ => "E",
        }),
        recorded: p(instant(recorded)),
        outcome: p("0"),
        outcome_desc: p(format!("{} {}", r.action, r.data_kind)),
        agent: vec![AuditEventAgent {
            who: Some(Reference {
                display: p(who),
                ..Default::default()
            }),
            requestor: Some(Primitive::new(true)),
            ..Default::default()
        }],
        source: Some(AuditEventSource {
            observer: Some(Reference {
                display: p("Inzage"),
                ..Default::default()
            }),
            ..Default::default()
        }),
        entity: vec![AuditEventEntity {
            what: r
                .client_id
                .as_deref()
                .map(|c| reference("Patient", c, None)),
            ..Default::default()
        }],
        ..Default::default()
    }
}

/// A staff member's role as a PractitionerRole (`{staff id}.{role}`).
pub fn practitioner_role(
    staff: &str,
    role: inzage_core::model::Role,
    org: &str,
    active: bool,
) -> PractitionerRole {
    PractitionerRole {
        id: Some(role_id(staff, role)),
        active: Some(Primitive::new(active)),
        practitioner: Some(reference("Practitioner", staff, None)),
        organization: Some(reference("Organization", org, None)),
        code: vec![text_concept(role.label_nl())],
        ..Default::default()
    }
}

/// The id of a staff member's role: FHIR ids take letters, digits, `-`
/// and `.`.
pub fn role_id(staff: &str, role: inzage_core::model::Role) -> String {
    format!("{staff}.{}", role.code().replace('_', "-"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use inzage_core::ids::ClientId;

    fn record() -> ClientRecord {
        ClientRecord {
            id: ClientId::from_raw("c1"),
            version: 3,
            client_number: "C-100".into(),
            given_name: "Anna".into(),
            name_prefix: Some("van der".into()),
            family_name: "Berg".into(),
            birth_date: NaiveDate::from_ymd_opt(1990, 5, 1).unwrap(),
            street: Some("Dorpsstraat".into()),
            house_number: Some("12a".into()),
            postal_code: Some("1234 AB".into()),
            city: Some("Utrecht".into()),
            email: Some("anna@example.nl".into()),
            mobile: Some("+31612345678".into()),
            team_id: None,
            primary_caregiver_id: None,
            episode_start: None,
        }
    }

    #[test]
    fn a_patient_goes_out_and_comes_back_the_same() {
        let r = record();
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let pat = patient(&r, now, "urn:oid:2.16.528.1.1", "Organization/o1", "Zorg");
        let json = fhirkit::to_json(&pat);
        assert!(json.contains("\"versionId\":\"3\""), "{json}");
        assert!(json.contains(OWN_PREFIX), "{json}");
        let back: Patient = fhirkit::from_json_strict(&json).unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let f = patient_fields(&back, "urn:oid:2.16.528.1.1", today).unwrap();
        assert_eq!(f.client_number.as_str(), "C-100");
        assert_eq!(f.name_prefix.unwrap().as_str(), "van der");
        assert_eq!(f.family_name.as_str(), "Berg");
        assert_eq!(f.street.unwrap().as_str(), "Dorpsstraat");
        assert_eq!(f.house_number.unwrap().as_str(), "12a");
        assert_eq!(f.mobile.unwrap().as_str(), "+31612345678");
        assert_eq!(f.email.unwrap().as_str(), "anna@example.nl");
    }

    #[test]
    fn a_patient_without_our_identifier_name_or_birth_date_is_refused_with_every_path() {
        let pat: Patient = fhirkit::from_json_strict(
            r#"{"resourceType":"Patient","identifier":[{"system":"urn:other","value":"1"}],
                "birthDate":"2999-01-01"}"#,
        )
        .unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let problems = patient_fields(&pat, "urn:oid:1", today).unwrap_err();
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            ["Patient.identifier", "Patient.name", "Patient.birthDate"]
        );
    }

    #[test]
    fn an_address_line_without_parts_is_split_at_the_house_number() {
        assert_eq!(
            split_line("Lange Nieuwstraat 4 bis"),
            (Some("Lange Nieuwstraat 4 bis".into()), None)
        );
        assert_eq!(
            split_line("Lange Nieuwstraat 4"),
            (Some("Lange Nieuwstraat".into()), Some("4".into()))
        );
    }
}
