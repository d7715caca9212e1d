//! What goes into an afschrift, and in which words: the dossier read as
//! its asker reads it in the portal (every part through the same audited
//! service method and the same policy), put into headings, paragraphs and
//! facts in the asker's language and sector.
use crate::error::{Result, ServiceError};
use crate::{Ctx, Services};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use inzage_core::ids::ClientId;
use inzage_core::model::AppointmentStatus;
use inzage_core::types::{display_date, display_datetime, local_date};
use inzage_i18n::Tr;

/// The copy, ready to be rendered.
pub(crate) struct Copy {
    pub title: String,
    /// BCP 47 language of the text (`nl` or `en`).
    pub lang: &'static str,
    pub made_at: DateTime<Utc>,
    /// On every page, beside its number.
    pub footer: String,
    pub intro: Vec<String>,
    pub sections: Vec<Section>,
    pub attachments: Vec<Attachment>,
}

pub(crate) struct Section {
    pub heading: String,
    pub blocks: Vec<Block>,
}

pub(crate) enum Block {
    Subheading(String),
    Para(String),
    Fact(String, String),
    /// Smaller, indented: an addition, a remark.
    Note(String),
}

/// A document of the dossier, attached to the PDF as a file.
pub(crate) struct Attachment {
    pub name: String,
    pub mime: String,
    pub description: String,
    pub bytes: Vec<u8>,
}

/// The most the attached documents of one afschrift may add up to.
pub(crate) const ATTACH_MAX: i64 = 50 * 1024 * 1024;

fn key(prefix: &str, code: &str) -> String {
    format!("{prefix}-{}", code.replace('_', "-"))
}

/// A denial of one part leaves it out (the reader may not read it); any
/// other error stops the copy.
fn allowed<T>(r: Result<crate::Audited<T>>) -> Result<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v.into_inner())),
        Err(ServiceError::Denied(_)) | Err(ServiceError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A document of the dossier: its facts, and its bytes when they fit
/// within [`ATTACH_MAX`] (else it is listed only).
pub(crate) struct Doc {
    pub meta: crate::dossier::DocumentMeta,
    pub bytes: Option<Vec<u8>>,
}

/// The dossier as its asker may read it: each part `None` when they may
/// not read it. The PDF and the FHIR bundle are both made from this.
pub(crate) struct Dossier {
    pub client: ClientId,
    pub made_at: DateTime<Utc>,
    pub profile: Option<crate::dossier::ClientProfile>,
    /// `Some(None)`: readable, no plan yet.
    pub plan: Option<Option<crate::dossier::PlanDetail>>,
    /// Oldest first.
    pub reports: Option<Vec<crate::dossier::ReportView>>,
    pub appointments: Option<Vec<crate::dossier::AppointmentView>>,
    pub documents: Option<Vec<Doc>>,
    pub network: Option<Vec<crate::dossier::ContactView>>,
    pub requests: Option<Vec<crate::requests::DossierRequest>>,
    pub questions: Option<Vec<crate::questions::Question>>,
    /// Newest first.
    pub log: Option<Vec<crate::who_looked::WhoLookedLine>>,
}

/// Reads the dossier as `ctx`: every part through the portal's own
/// audited method, a part they may not read left out.
pub(crate) async fn gather(
    svc: &Services,
    ctx: &Ctx,
    client: &ClientId,
    job: &str,
) -> Result<Dossier> {
    // How far the copy is, for the page (0–100).
    let progress = |n: i64| svc.set_afschrift(job, "building", n);
    let now = svc.now();
    let profile = allowed(svc.client_profile(ctx, client).await)?;
    progress(15).await?;
    let plan = match allowed(svc.list_plans(ctx, client).await)? {
        None => None,
        Some(plans) => match plans.first() {
            Some(current) => Some(allowed(svc.plan(ctx, &current.id).await)?),
            None => Some(None),
        },
    };
    progress(30).await?;
    let mut reports = Some(Vec::new());
    let mut page = 1;
    loop {
        let f = crate::dossier::ReportFilter {
            page,
            per_page: 200,
            ..Default::default()
        };
        match allowed(svc.list_reports(ctx, client, f).await)? {
            None => {
                reports = None;
                break;
            }
            Some(p) => {
                let done = p.items.len() < 200 || page >= 1000;
                if let Some(r) = reports.as_mut() {
                    r.extend(p.items);
                }
                if done {
                    break;
                }
                page += 1;
            }
        }
    }
    if let Some(r) = reports.as_mut() {
        r.reverse();
    }
    progress(50).await?;
    let appointments = allowed(svc.list_appointments(ctx, client).await)?;
    progress(60).await?;
    let documents = match allowed(svc.list_documents(ctx, client).await)? {
        None => None,
        Some(list) => {
            let mut docs = Vec::new();
            let mut attached: i64 = 0;
            for meta in list {
                // The copy stays a size a phone can download: documents
                // past the cap are listed, not attached (they stay in
                // Documenten).
                let bytes = if attached + meta.size_bytes > ATTACH_MAX {
                    None
                } else {
                    attached += meta.size_bytes;
                    allowed(svc.document_content(ctx, &meta.id).await)?.map(|(_, b)| b)
                };
                docs.push(Doc { meta, bytes });
            }
            Some(docs)
        }
    };
    progress(75).await?;
    let network = allowed(svc.network(ctx, client).await)?;
    progress(80).await?;
    let requests = allowed(svc.client_requests(ctx, client).await)?;
    let questions = allowed(svc.team_questions(ctx, client).await)?;
    progress(85).await?;
    // "Wie keek mee" for the whole dossier, a year at a time (the log's
    // own limit), newest first.
    let today = local_date(now);
    let first = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(today);
    let mut until = today;
    let mut log = Some(Vec::new());
    while until >= first {
        let from = (until - Duration::days(365)).max(first);
        match allowed(svc.who_looked(ctx, client, from, until).await)? {
            None => {
                log = None;
                break;
            }
            Some(lines) => {
                if let Some(l) = log.as_mut() {
                    l.extend(lines);
                }
            }
        }
        if from == first {
            break;
        }
        until = from - Duration::days(1);
    }
    progress(90).await?;
    Ok(Dossier {
        client: client.clone(),
        made_at: now,
        profile,
        plan,
        reports,
        appointments,
        documents,
        network,
        requests,
        questions,
        log,
    })
}

/// The file name a document has inside the copy.
pub(crate) fn doc_file_name(i: usize, d: &crate::dossier::DocumentMeta) -> String {
    format!(
        "{:02}-{}.{}",
        i + 1,
        safe_file_name(&d.title),
        extension(&d.content_type)
    )
}

/// Puts the dossier into headings and paragraphs, in the asker's words;
/// the documents it holds become the copy's attachments.
pub(crate) fn copy(d: Dossier, tr: Tr, lang: &'static str) -> Copy {
    let now = d.made_at;
    let mut sections = Vec::new();
    let mut attachments = Vec::new();
    let mut name = String::new();

    if let Some(p) = &d.profile {
        name = p.full_name.clone();
        let unknown = tr.t("profile-unknown");
        let or = |v: &Option<String>| v.clone().unwrap_or_else(|| unknown.clone());
        let address = match (&p.street, &p.house_number, &p.postal_code, &p.city) {
            (None, None, None, None) => unknown.clone(),
            (s, h, pc, c) => format!(
                "{} {}, {} {}",
                s.as_deref().unwrap_or(""),
                h.as_deref().unwrap_or(""),
                pc.as_deref().unwrap_or(""),
                c.as_deref().unwrap_or("")
            )
            .trim()
            .to_owned(),
        };
        let mut blocks = vec![
            Block::Fact(tr.t("profile-name"), p.full_name.clone()),
            Block::Fact(tr.t("profile-client-number"), p.client_number.clone()),
            Block::Fact(tr.t("profile-birth-date"), display_date(p.birth_date)),
            Block::Fact(tr.t("profile-address"), address),
            Block::Fact(tr.t("profile-email"), or(&p.email)),
            Block::Fact(tr.t("profile-mobile"), or(&p.mobile)),
            Block::Fact(tr.t("profile-location"), or(&p.location_name)),
            Block::Fact(
                tr.t("profile-primary-caregiver"),
                or(&p.primary_caregiver_name),
            ),
        ];
        if let Some(start) = p.care_start {
            blocks.push(Block::Para(match p.care_end {
                Some(end) => tr.a2(
                    "profile-care-ended",
                    "start",
                    display_date(start),
                    "end",
                    display_date(end),
                ),
                None => tr.a("profile-care-since", "start", display_date(start)),
            }));
        }
        for s in &p.additions {
            blocks.push(Block::Note(tr.a2(
                "afschrift-addition",
                "date",
                display_date(local_date(s.asked_at)),
                "text",
                &s.body,
            )));
        }
        sections.push(Section {
            heading: tr.t("tile-profile"),
            blocks,
        });
    }

    if let Some(plan) = &d.plan {
        let mut blocks = Vec::new();
        if let Some(detail) = plan {
            blocks.push(Block::Para(detail.plan.title.clone()));
            blocks.push(Block::Fact(
                tr.t("afschrift-date"),
                display_date(detail.plan.plan_date),
            ));
            for s in &detail.sections {
                blocks.push(Block::Subheading(s.domain.clone()));
                blocks.push(Block::Fact(tr.t("plan-goals"), String::new()));
                blocks.push(Block::Para(s.goals.clone()));
                blocks.push(Block::Fact(tr.t("plan-agreements"), String::new()));
                blocks.push(Block::Para(s.agreements.clone()));
                for a in &s.additions {
                    blocks.push(Block::Note(tr.a2(
                        "afschrift-addition",
                        "date",
                        display_date(local_date(a.asked_at)),
                        "text",
                        &a.body,
                    )));
                }
            }
        }
        if blocks.is_empty() {
            blocks.push(Block::Para(tr.t("plan-empty")));
        }
        sections.push(Section {
            heading: tr.t("tile-client-plan"),
            blocks,
        });
    }

    if let Some(reports) = &d.reports {
        let mut blocks = Vec::new();
        for r in reports {
            let role = tr.t(&key("role", &r.author_role));
            let when = display_datetime(r.finalised_at.unwrap_or(r.created_at));
            blocks.push(Block::Subheading(format!("{when} · {}", r.category)));
            blocks.push(Block::Note(tr.a2(
                "afschrift-report-by",
                "name",
                &r.author_name,
                "role",
                role,
            )));
            if r.corrected {
                blocks.push(Block::Note(tr.t("afschrift-corrected")));
            }
            blocks.push(Block::Para(r.body.clone()));
        }
        if blocks.is_empty() {
            blocks.push(Block::Para(tr.t("afschrift-none")));
        }
        sections.push(Section {
            heading: tr.t("tile-reports"),
            blocks,
        });
    }

    if let Some(list) = &d.appointments {
        let mut blocks = Vec::new();
        for a in list {
            let mut line = format!(
                "{} – {} · {} · {}",
                display_datetime(a.starts_at),
                a.ends_at
                    .with_timezone(&inzage_core::types::DISPLAY_TZ)
                    .format("%H:%M"),
                a.practitioner_name,
                a.place
            );
            if a.status == AppointmentStatus::Cancelled {
                line = format!("{line} ({})", tr.t("afschrift-cancelled"));
            }
            blocks.push(Block::Subheading(line));
            if !a.description.trim().is_empty() {
                blocks.push(Block::Para(a.description.clone()));
            }
        }
        if blocks.is_empty() {
            blocks.push(Block::Para(tr.t("afschrift-none")));
        }
        sections.push(Section {
            heading: tr.t("tile-appointments"),
            blocks,
        });
    }

    let network = d.network;
    let requests = d.requests;
    let questions = d.questions;
    let log = d.log;
    if let Some(docs) = d.documents {
        let mut blocks = Vec::new();
        for (i, doc) in docs.into_iter().enumerate() {
            let m = &doc.meta;
            let file = doc_file_name(i, m);
            blocks.push(Block::Subheading(m.title.clone()));
            blocks.push(Block::Fact(
                tr.t("afschrift-date"),
                display_date(m.doc_date),
            ));
            blocks.push(Block::Fact(tr.t("afschrift-kind"), m.doc_type.clone()));
            match doc.bytes {
                Some(bytes) => {
                    blocks.push(Block::Note(tr.a("afschrift-attached", "file", &file)));
                    attachments.push(Attachment {
                        name: file,
                        mime: m.content_type.clone(),
                        description: m.title.clone(),
                        bytes,
                    });
                }
                None => blocks.push(Block::Note(tr.t("afschrift-not-attached"))),
            }
        }
        if blocks.is_empty() {
            blocks.push(Block::Para(tr.t("documents-none")));
        }
        sections.push(Section {
            heading: tr.t("tile-documents"),
            blocks,
        });
    }

    if let Some(people) = &network {
        let mut blocks = Vec::new();
        for c in people {
            blocks.push(Block::Subheading(format!(
                "{} ({})",
                c.full_name,
                tr.t(&key("relation", c.relation.code()))
            )));
            for g in &c.grants {
                let parts: Vec<String> = g
                    .parts
                    .iter()
                    .map(|p| tr.t(&key("tile", p.code())))
                    .collect();
                let until = match (g.revoked_at, g.valid_until) {
                    (Some(r), _) => {
                        tr.a("afschrift-grant-ended", "date", display_date(local_date(r)))
                    }
                    (None, Some(u)) => tr.a("network-until", "date", display_date(local_date(u))),
                    (None, None) => String::new(),
                };
                blocks.push(Block::Para(format!(
                    "{} {} {until}",
                    tr.t("network-may-see"),
                    parts.join(", ")
                )));
            }
        }
        if blocks.is_empty() {
            blocks.push(Block::Para(tr.t("network-none")));
        }
        sections.push(Section {
            heading: tr.t("tile-network"),
            blocks,
        });
    }

    if let Some(list) = &requests {
        let mut blocks = Vec::new();
        for r in list {
            blocks.push(Block::Subheading(format!(
                "{} · {}",
                display_date(local_date(r.asked_at)),
                r.about_label
            )));
            blocks.push(Block::Para(r.body.clone()));
            blocks.push(Block::Note(
                tr.t(&key("afschrift-request", r.status.code())),
            ));
            if let Some(a) = &r.answer {
                blocks.push(Block::Note(a.clone()));
            }
        }
        if !blocks.is_empty() {
            sections.push(Section {
                heading: tr.t("tile-requests"),
                blocks,
            });
        }
    }

    if let Some(list) = &questions {
        let mut blocks = Vec::new();
        for q in list {
            blocks.push(Block::Subheading(format!(
                "{} · {}",
                display_datetime(q.asked_at),
                q.asker_name
            )));
            for m in &q.messages {
                blocks.push(Block::Note(format!(
                    "{} · {}",
                    display_datetime(m.at),
                    m.author_name
                )));
                blocks.push(Block::Para(m.body.clone()));
            }
        }
        if !blocks.is_empty() {
            sections.push(Section {
                heading: tr.t("tile-questions"),
                blocks,
            });
        }
    }

    if let Some(lines) = &log {
        let mut blocks = Vec::new();
        for l in lines {
            let who = crate::who_looked::words(tr, &l.who);
            blocks.push(Block::Para(format!(
                "{} · {who} · {} · {}{}",
                display_datetime(l.last_at),
                tr.t(&key("subject", l.subject.code())),
                tr.t(&key("verb", l.verb.code())),
                if l.count > 1 {
                    format!(" ({}×)", l.count)
                } else {
                    String::new()
                }
            )));
        }
        if blocks.is_empty() {
            blocks.push(Block::Para(tr.t("afschrift-none")));
        }
        sections.push(Section {
            heading: tr.t("tile-audit-trail"),
            blocks,
        });
    }

    let made = display_datetime(now);
    Copy {
        title: tr.a("afschrift-title", "name", &name),
        lang,
        made_at: now,
        footer: tr.a("afschrift-footer", "date", &made),
        intro: vec![
            tr.a("afschrift-made", "date", &made),
            tr.t("afschrift-what"),
        ],
        sections,
        attachments,
    }
}

fn safe_file_name(title: &str) -> String {
    let s: String = title
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(60)
        .collect();
    if s.is_empty() {
        "document".into()
    } else {
        s
    }
}

fn extension(content_type: &str) -> &'static str {
    match content_type {
        "application/pdf" => "pdf",
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "text/plain" => "txt",
        _ => "bin",
    }
}
