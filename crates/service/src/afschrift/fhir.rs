//! The afschrift's machine-readable half (AVG art. 20): a FHIR R4
//! (4.0.1) Bundle of type `collection`, built with the typed R4 model of
//! `fhirkit` (`fhir-sdk` has no R4; ADR 0022), from the same
//! [`Dossier`] as the PDF, so it holds exactly what the asker may read.
//!
//! Mapping (the glossary's FHIR column): personal data → Patient (the
//! client number under the installation's naming system); the care
//! episode → EpisodeOfCare; the current plan → CarePlan with a Goal per
//! domain and its agreements as activities; a report → DocumentReference
//! (category "clinical-note", the text as a plain-text attachment, the
//! author as Practitioner + PractitionerRole); a document →
//! DocumentReference pointing at a Binary; appointments → Appointment;
//! contact persons → RelatedPerson, their tiles → Consent; requests →
//! Task; questions → Communication; "Wie keek mee" → AuditEvent.
use super::content::Dossier;
use crate::fhir::mapping::{b64, coded, p, text_concept};
use fhirkit::r4::*;
use fhirkit::Primitive;
use inzage_core::model::AppointmentStatus;
use inzage_core::types::{local_date, DISPLAY_TZ};

fn instant(t: chrono::DateTime<chrono::Utc>) -> Option<Primitive<String>> {
    p(t.with_timezone(&DISPLAY_TZ)
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string())
}

fn date(d: chrono::NaiveDate) -> Option<Primitive<String>> {
    p(d.format("%Y-%m-%d").to_string())
}

fn text(s: impl Into<String>) -> CodeableConcept {
    text_concept(&s.into())
}

fn to(id: &str, display: Option<&str>) -> Reference {
    Reference {
        reference: p(format!("urn:uuid:{id}")),
        display: display.and_then(p),
        ..Default::default()
    }
}

fn shown(display: &str) -> Reference {
    Reference {
        display: p(display),
        ..Default::default()
    }
}

fn uuid() -> String {
    crate::new_id()
}

struct Entries(Vec<BundleEntry>);

impl Entries {
    fn add(&mut self, id: &str, resource: Resource) {
        self.add_at(format!("urn:uuid:{id}"), resource);
    }
    fn add_at(&mut self, full_url: String, resource: Resource) {
        self.0.push(BundleEntry {
            full_url: p(full_url),
            resource: Some(resource),
            ..Default::default()
        });
    }
}

/// The Bundle as FHIR JSON. `naming_system`: the URI under which client
/// numbers are issued (the organisation's own, else the installation's).
/// `base`: the installation's FHIR base (`…/fhir`): a Binary's `url`
/// type needs an absolute URL, so documents' content is addressed there.
pub(crate) fn bundle(d: &Dossier, base: &str, naming_system: &str, organisation: &str) -> String {
    let mut e = Entries(Vec::new());
    let patient_id = d.client.to_string();
    let patient_name = d
        .profile
        .as_ref()
        .map(|x| x.full_name.clone())
        .unwrap_or_default();
    let patient = to(&patient_id, Some(&patient_name));
    let org_id = uuid();
    e.add(
        &org_id,
        Resource::Organization(Box::new(Organization {
            id: Some(org_id.clone()),
            name: p(organisation),
            ..Default::default()
        })),
    );

    let mut person = Patient {
        id: Some(patient_id.clone()),
        managing_organization: Some(to(&org_id, Some(organisation))),
        ..Default::default()
    };
    if let Some(x) = &d.profile {
        person.identifier = vec![Identifier {
            use_: p("official"),
            system: p(naming_system),
            value: p(x.client_number.clone()),
            ..Default::default()
        }];
        person.name = vec![HumanName {
            use_: p("official"),
            text: p(x.full_name.clone()),
            family: p(match &x.name_prefix {
                Some(pre) => format!("{pre} {}", x.family_name),
                None => x.family_name.clone(),
            }),
            given: vec![Primitive::new(x.given_name.clone())],
            ..Default::default()
        }];
        person.birth_date = date(x.birth_date);
        if let Some(m) = &x.email {
            person.telecom.push(ContactPoint {
                system: p("email"),
                value: p(m.clone()),
                ..Default::default()
            });
        }
        if let Some(m) = &x.mobile {
            person.telecom.push(ContactPoint {
                system: p("phone"),
                value: p(m.clone()),
                use_: p("mobile"),
                ..Default::default()
            });
        }
        if x.street.is_some() || x.city.is_some() || x.postal_code.is_some() {
            let line = format!(
                "{} {}",
                x.street.clone().unwrap_or_default(),
                x.house_number.clone().unwrap_or_default()
            );
            person.address.push(Address {
                use_: p("home"),
                line: if line.trim().is_empty() {
                    Vec::new()
                } else {
                    vec![Primitive::new(line.trim().to_owned())]
                },
                postal_code: x.postal_code.clone().and_then(p),
                city: x.city.clone().and_then(p),
                country: p("NL"),
                ..Default::default()
            });
        }
        if let Some(start) = x.care_start {
            let episode = uuid();
            e.add(
                &episode,
                Resource::EpisodeOfCare(Box::new(EpisodeOfCare {
                    id: Some(episode.clone()),
                    status: p(if x.care_end.is_some() {
                        "finished"
                    } else {
                        "active"
                    }),
                    patient: Some(patient.clone()),
                    managing_organization: Some(to(&org_id, Some(organisation))),
                    period: Some(Period {
                        start: date(start),
                        end: x.care_end.and_then(date),
                        ..Default::default()
                    }),
                    ..Default::default()
                })),
            );
        }
    }
    e.0.insert(
        0,
        BundleEntry {
            full_url: p(format!("urn:uuid:{patient_id}")),
            resource: Some(Resource::Patient(Box::new(person))),
            ..Default::default()
        },
    );

    if let Some(Some(plan)) = &d.plan {
        let mut care_plan = CarePlan {
            id: Some(plan.plan.id.to_string()),
            status: p("active"),
            intent: p("plan"),
            title: p(plan.plan.title.clone()),
            subject: Some(patient.clone()),
            created: date(plan.plan.plan_date),
            ..Default::default()
        };
        for s in &plan.sections {
            let goal = uuid();
            e.add(
                &goal,
                Resource::Goal(Box::new(Goal {
                    id: Some(goal.clone()),
                    lifecycle_status: p("active"),
                    category: vec![text(s.domain.clone())],
                    description: Some(text(s.goals.clone())),
                    subject: Some(patient.clone()),
                    note: s
                        .additions
                        .iter()
                        .map(|a| Annotation {
                            time: instant(a.asked_at),
                            text: p(a.body.clone()),
                            ..Default::default()
                        })
                        .collect(),
                    ..Default::default()
                })),
            );
            care_plan.goal.push(to(&goal, Some(&s.domain)));
            care_plan.activity.push(CarePlanActivity {
                detail: Some(CarePlanActivityDetail {
                    code: Some(text(s.domain.clone())),
                    goal: vec![to(&goal, None)],
                    status: p("in-progress"),
                    description: p(s.agreements.clone()),
                    ..Default::default()
                }),
                ..Default::default()
            });
        }
        let id = plan.plan.id.to_string();
        e.add(&id, Resource::CarePlan(Box::new(care_plan)));
    }

    // Authors: one Practitioner each, with the role they wrote in.
    let mut practitioners: Vec<String> = Vec::new();
    if let Some(reports) = &d.reports {
        for r in reports {
            let author = r.author_id.to_string();
            if !practitioners.contains(&author) {
                practitioners.push(author.clone());
                e.add(
                    &author,
                    Resource::Practitioner(Box::new(Practitioner {
                        id: Some(author.clone()),
                        name: vec![HumanName {
                            text: p(r.author_name.clone()),
                            ..Default::default()
                        }],
                        ..Default::default()
                    })),
                );
                let role = uuid();
                e.add(
                    &role,
                    Resource::PractitionerRole(Box::new(PractitionerRole {
                        id: Some(role.clone()),
                        practitioner: Some(to(&author, Some(&r.author_name))),
                        organization: Some(to(&org_id, Some(organisation))),
                        code: vec![text(r.author_role.replace('_', " "))],
                        ..Default::default()
                    })),
                );
            }
            let id = r.id.to_string();
            e.add(
                &id,
                Resource::DocumentReference(Box::new(DocumentReference {
                    id: Some(id.clone()),
                    status: p("current"),
                    doc_status: p("final"),
                    type_: Some(text(r.category.clone())),
                    category: vec![coded(
                        "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category",
                        "clinical-note",
                        "Clinical Note",
                    )],
                    subject: Some(patient.clone()),
                    date: instant(r.finalised_at.unwrap_or(r.created_at)),
                    author: vec![to(&author, Some(&r.author_name))],
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
                })),
            );
        }
    }

    if let Some(list) = &d.appointments {
        for a in list {
            let id = a.id.to_string();
            e.add(
                &id,
                Resource::Appointment(Box::new(Appointment {
                    id: Some(id.clone()),
                    status: p(if a.status == AppointmentStatus::Cancelled {
                        "cancelled"
                    } else {
                        "booked"
                    }),
                    description: p(a.description.clone()),
                    start: instant(a.starts_at),
                    end: instant(a.ends_at),
                    comment: p(a.place.clone()),
                    participant: vec![
                        AppointmentParticipant {
                            actor: Some(patient.clone()),
                            status: p("accepted"),
                            ..Default::default()
                        },
                        AppointmentParticipant {
                            actor: Some(shown(&a.practitioner_name)),
                            status: p("accepted"),
                            ..Default::default()
                        },
                    ],
                    ..Default::default()
                })),
            );
        }
    }

    if let Some(docs) = &d.documents {
        for (i, doc) in docs.iter().enumerate() {
            let m = &doc.meta;
            let id = m.id.to_string();
            let attachment = match &doc.bytes {
                Some(bytes) => {
                    let binary = uuid();
                    let url = format!("{base}/Binary/{binary}");
                    e.add_at(
                        url.clone(),
                        Resource::Binary(Box::new(Binary {
                            id: Some(binary.clone()),
                            content_type: p(m.content_type.clone()),
                            data: p(b64(bytes)),
                            ..Default::default()
                        })),
                    );
                    Attachment {
                        content_type: p(m.content_type.clone()),
                        url: p(url),
                        title: p(super::content::doc_file_name(i, m)),
                        ..Default::default()
                    }
                }
                None => Attachment {
                    content_type: p(m.content_type.clone()),
                    title: p(m.title.clone()),
                    ..Default::default()
                },
            };
            e.add(
                &id,
                Resource::DocumentReference(Box::new(DocumentReference {
                    id: Some(id.clone()),
                    status: p("current"),
                    type_: Some(text(m.doc_type.clone())),
                    subject: Some(patient.clone()),
                    date: instant(inzage_core::types::local_midnight_utc(m.doc_date)),
                    description: p(m.title.clone()),
                    content: vec![DocumentReferenceContent {
                        attachment: Some(attachment),
                        ..Default::default()
                    }],
                    ..Default::default()
                })),
            );
        }
    }

    if let Some(people) = &d.network {
        for c in people {
            let id = c.id.to_string();
            e.add(
                &id,
                Resource::RelatedPerson(Box::new(RelatedPerson {
                    id: Some(id.clone()),
                    patient: Some(patient.clone()),
                    relationship: vec![text(c.relation.label_nl())],
                    name: vec![HumanName {
                        text: p(c.full_name.clone()),
                        ..Default::default()
                    }],
                    ..Default::default()
                })),
            );
            for g in &c.grants {
                let consent = g.id.to_string();
                let active = g.revoked_at.is_none() && g.valid_until.is_none_or(|u| u > d.made_at);
                e.add(
                    &consent,
                    Resource::Consent(Box::new(Consent {
                        id: Some(consent.clone()),
                        status: p(if active { "active" } else { "inactive" }),
                        scope: Some(coded(
                            "http://terminology.hl7.org/CodeSystem/consentscope",
                            "patient-privacy",
                            "Privacy Consent",
                        )),
                        category: vec![coded("http://loinc.org", "59284-0", "Patient Consent")],
                        patient: Some(patient.clone()),
                        date_time: instant(g.valid_from),
                        policy_rule: Some(text("Toestemming van de cliënt in Inzage")),
                        provision: Some(ConsentProvision {
                            type_: p("permit"),
                            period: Some(Period {
                                start: instant(g.valid_from),
                                end: g.revoked_at.or(g.valid_until).and_then(instant),
                                ..Default::default()
                            }),
                            actor: vec![ConsentProvisionActor {
                                role: Some(text(c.relation.label_nl())),
                                reference: Some(to(&id, Some(&c.full_name))),
                                ..Default::default()
                            }],
                            action: vec![coded(
                                "http://terminology.hl7.org/CodeSystem/consentaction",
                                "access",
                                "Access",
                            )],
                            code: g.parts.iter().map(|x| text(x.label_nl())).collect(),
                            ..Default::default()
                        }),
                        ..Default::default()
                    })),
                );
            }
        }
    }

    if let Some(list) = &d.requests {
        for r in list {
            let id = r.id.to_string();
            e.add(
                &id,
                Resource::Task(Box::new(Task {
                    id: Some(id.clone()),
                    status: p(match r.status.code() {
                        "accepted" => "completed",
                        "declined" => "rejected",
                        "read" => "completed",
                        _ => "requested",
                    }),
                    intent: p("order"),
                    code: Some(text(r.kind.code())),
                    description: p(r.body.clone()),
                    for_: Some(patient.clone()),
                    authored_on: instant(r.asked_at),
                    last_modified: r.decided_at.and_then(instant),
                    note: r
                        .answer
                        .iter()
                        .map(|a| Annotation {
                            text: p(a.clone()),
                            ..Default::default()
                        })
                        .collect(),
                    ..Default::default()
                })),
            );
        }
    }

    if let Some(list) = &d.questions {
        for q in list {
            let mut first: Option<String> = None;
            for m in &q.messages {
                let id = uuid();
                e.add(
                    &id,
                    Resource::Communication(Box::new(Communication {
                        id: Some(id.clone()),
                        status: p("completed"),
                        subject: Some(patient.clone()),
                        sent: instant(m.at),
                        sender: Some(shown(&m.author_name)),
                        in_response_to: first.iter().map(|f| to(f, None)).collect(),
                        payload: vec![CommunicationPayload {
                            content: Some(CommunicationPayloadContent::String(Primitive::new(
                                m.body.clone(),
                            ))),
                            ..Default::default()
                        }],
                        ..Default::default()
                    })),
                );
                first.get_or_insert(id);
            }
        }
    }

    if let Some(lines) = &d.log {
        for l in lines {
            let id = uuid();
            let who = match &l.who {
                crate::who_looked::Who::Yourself | crate::who_looked::Who::Client => {
                    patient_name.clone()
                }
                crate::who_looked::Who::Staff { name, .. } => name.clone(),
                crate::who_looked::Who::ContactPerson { name } => name.clone(),
                crate::who_looked::Who::UnknownStaff => "medewerker".into(),
                crate::who_looked::Who::UnknownContactPerson => "contactpersoon".into(),
                crate::who_looked::Who::System => "Inzage".into(),
                crate::who_looked::Who::Integration { name } => name.clone(),
            };
            e.add(
                &id,
                Resource::AuditEvent(Box::new(AuditEvent {
                    id: Some(id.clone()),
                    type_: Some(Coding {
                        system: p("http://dicom.nema.org/resources/ontology/DCM"),
                        code: p("110110"),
                        display: p("Patient Record"),
                        ..Default::default()
                    }),
                    action: p(match l.verb.code() {
                        "viewed" => "R",
                        "added" | "invited" | "granted" => "C",
                        "removed" | "revoked" => "D",
                        "changed" | "finalised" | "password_set" => "U",
                        _ => "E",
                    }),
                    recorded: instant(l.last_at),
                    outcome: p("0"),
                    outcome_desc: p(format!(
                        "{} ({}×, {})",
                        l.subject.code(),
                        l.count,
                        local_date(l.last_at).format("%Y-%m-%d")
                    )),
                    agent: vec![AuditEventAgent {
                        who: Some(shown(&who)),
                        requestor: Some(Primitive::new(true)),
                        ..Default::default()
                    }],
                    source: Some(AuditEventSource {
                        observer: Some(shown("Inzage")),
                        ..Default::default()
                    }),
                    entity: vec![AuditEventEntity {
                        what: Some(patient.clone()),
                        ..Default::default()
                    }],
                    ..Default::default()
                })),
            );
        }
    }

    let bundle = Bundle {
        id: Some(uuid()),
        identifier: Some(Identifier {
            system: p("urn:ietf:rfc:3986"),
            value: p(format!("urn:uuid:{}", uuid())),
            ..Default::default()
        }),
        type_: p("collection"),
        timestamp: instant(d.made_at),
        entry: e.0,
        ..Default::default()
    };
    fhirkit::to_json_pretty(&Resource::Bundle(Box::new(bundle)))
}
