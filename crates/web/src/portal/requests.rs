//! "Klopt er iets niet?" in the portal (issue 15): the client asks for a
//! correction or writes their own addition from "Mijn gegevens", a report
//! or a plan section, and follows every request on "Mijn verzoeken". The
//! rules and the audit are the service's (`inzage_service::requests`).
use super::{invalid, private, Frame, Opened};
use crate::auth::{page, redirect};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::AppState;
use askama::Template;
use axum::extract::{Form, Query, State};
use axum::response::Response;
use inzage_core::ids::{PlanSectionId, ReportId};
use inzage_core::types::{constant_eq, display_date, display_datetime};
use inzage_service::requests::{
    DossierRequest, RequestAbout, RequestKind, Statement, REQUEST_MAX_CHARS,
};
use inzage_service::ServiceError;
use serde::Deserialize;

/// The client's statements beside an item, and the way to ask about it:
/// the block under a report, a plan section and "Mijn gegevens".
pub struct Voice {
    /// `over` and `id` for the links to the form.
    pub over: &'static str,
    pub id: String,
    pub additions: Vec<StatementLine>,
}

pub struct StatementLine {
    pub when: String,
    pub paragraphs: Vec<String>,
}

pub fn statement_lines(s: &[Statement]) -> Vec<StatementLine> {
    s.iter()
        .map(|s| StatementLine {
            when: display_datetime(s.asked_at),
            paragraphs: paragraphs(&s.body),
        })
        .collect()
}

fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

impl Voice {
    pub fn profile(additions: &[Statement]) -> Self {
        Voice {
            over: "gegevens",
            id: String::new(),
            additions: statement_lines(additions),
        }
    }
    pub fn report(id: &str, additions: &[Statement]) -> Self {
        Voice {
            over: "rapportage",
            id: id.to_owned(),
            additions: statement_lines(additions),
        }
    }
    pub fn plan_section(id: &str, additions: &[Statement]) -> Self {
        Voice {
            over: "plan",
            id: id.to_owned(),
            additions: statement_lines(additions),
        }
    }
}

/// What the form's fields name: the kind and the item.
fn parse_target(soort: &str, over: &str, id: &str) -> Option<(RequestKind, RequestAbout)> {
    let kind = match soort {
        "verbetering" => RequestKind::Correction,
        "aanvulling" => RequestKind::Addition,
        _ => return None,
    };
    let about = match over {
        "gegevens" => RequestAbout::Profile,
        "rapportage" => RequestAbout::Report(ReportId::parse(id)?),
        "plan" => RequestAbout::PlanSection(PlanSectionId::parse(id)?),
        _ => return None,
    };
    Some((kind, about))
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    soort: String,
    #[serde(default)]
    over: String,
    #[serde(default)]
    id: String,
}

#[derive(Template)]
#[template(path = "portal/request_new.html")]
struct NewPage {
    t: Tr,
    f: Frame,
    correction: bool,
    profile: bool,
    soort: String,
    over: String,
    id: String,
    text: String,
    error: Option<String>,
    max: usize,
    days: i64,
    back: String,
}

fn back_of(about: &RequestAbout, over: &str, id: &str) -> String {
    match (about, over) {
        (RequestAbout::Profile, _) => "/dossier/gegevens".into(),
        (RequestAbout::Report(_), _) => format!("/dossier/rapportages/{id}"),
        (RequestAbout::PlanSection(_), _) => "/dossier/clientplan".into(),
    }
}

fn new_page(
    v: &super::Viewer,
    q: &NewQuery,
    kind: RequestKind,
    about: &RequestAbout,
    text: String,
    error: Option<String>,
) -> NewPage {
    NewPage {
        t: v.tr,
        f: v.frame.clone(),
        correction: kind == RequestKind::Correction,
        profile: *about == RequestAbout::Profile,
        soort: q.soort.clone(),
        over: q.over.clone(),
        id: q.id.clone(),
        text,
        error,
        max: REQUEST_MAX_CHARS,
        days: crate::face::request_days(),
        back: back_of(about, &q.over, &q.id),
    }
}

/// `GET /dossier/verzoeken/nieuw`: the form (only the client asks).
pub async fn new_form(Opened(v): Opened, Query(q): Query<NewQuery>) -> Result<Response, WebError> {
    if !v.frame.viewer_is_client {
        return Err(WebError::Forbidden);
    }
    let (kind, about) = parse_target(&q.soort, &q.over, &q.id).ok_or(WebError::NotFound)?;
    Ok(private(page(new_page(
        &v,
        &q,
        kind,
        &about,
        String::new(),
        None,
    ))))
}

#[derive(Deserialize)]
pub struct AskForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    soort: String,
    #[serde(default)]
    over: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    tekst: String,
}

/// `POST /dossier/verzoeken`: sends a request. A refused text comes back
/// in the form, nothing lost.
pub async fn ask(
    State(st): State<AppState>,
    Opened(v): Opened,
    Form(f): Form<AskForm>,
) -> Result<Response, WebError> {
    if !constant_eq(&v.frame.csrf, &f.csrf) {
        return Err(WebError::CsrfFailed);
    }
    let q = NewQuery {
        soort: f.soort.clone(),
        over: f.over.clone(),
        id: f.id.clone(),
    };
    let (kind, about) = parse_target(&f.soort, &f.over, &f.id).ok_or(WebError::NotFound)?;
    let text: String = f.tekst.chars().take(REQUEST_MAX_CHARS * 2).collect();
    match st
        .services
        .ask(&v.ctx, &v.header.client_id, kind, about.clone(), &text)
        .await
    {
        Ok(_) => Ok(redirect("/dossier/verzoeken?melding=verstuurd", vec![])),
        Err(ServiceError::Invalid(e)) => {
            let msg = if e.message.contains("too many") {
                v.tr.t("request-too-many")
            } else if e.message.contains("direction") {
                v.tr.t("request-bad-characters")
            } else {
                v.tr.a("request-text-error", "max", REQUEST_MAX_CHARS)
            };
            Ok(invalid(page(new_page(
                &v,
                &q,
                kind,
                &about,
                text,
                Some(msg),
            ))))
        }
        Err(e) => Err(e.into()),
    }
}

pub struct RequestLine {
    pub correction: bool,
    pub about_key: &'static str,
    pub about_label: String,
    pub about_link: Option<String>,
    pub asked: String,
    pub paragraphs: Vec<String>,
    /// `open`, `accepted`, `declined`, `read`.
    pub status: &'static str,
    pub due: String,
    pub answer: Vec<String>,
    pub decided_by: String,
    pub decided_on: String,
}

pub fn about_key(kind: &str) -> &'static str {
    match kind {
        "report" => "request-about-report",
        "plan_section" => "request-about-plan-section",
        _ => "request-about-profile",
    }
}

pub fn request_line(r: &DossierRequest) -> RequestLine {
    RequestLine {
        correction: r.kind == RequestKind::Correction,
        about_key: about_key(&r.about_kind),
        about_label: r.about_label.clone(),
        about_link: r.about_link.clone(),
        asked: display_datetime(r.asked_at),
        paragraphs: paragraphs(&r.body),
        status: r.status.code(),
        due: display_date(r.due_on),
        answer: r.answer.as_deref().map(paragraphs).unwrap_or_default(),
        decided_by: r.decided_by_name.clone().unwrap_or_default(),
        decided_on: r
            .decided_at
            .map(|d| display_date(inzage_core::types::local_date(d)))
            .unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "portal/requests.html")]
struct ListPage {
    t: Tr,
    f: Frame,
    items: Vec<RequestLine>,
    sent: bool,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    melding: Option<String>,
}

/// `GET /dossier/verzoeken`: "Mijn verzoeken".
pub async fn list(
    State(st): State<AppState>,
    Opened(v): Opened,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let items = st
        .services
        .client_requests(&v.ctx, &v.header.client_id)
        .await?
        .into_inner();
    Ok(private(page(ListPage {
        t: v.tr,
        f: v.frame,
        items: items.iter().map(request_line).collect(),
        sent: q.melding.as_deref() == Some("verstuurd"),
    })))
}
