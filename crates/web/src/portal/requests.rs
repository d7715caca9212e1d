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
        "netwerk" => RequestKind::Network,
        _ => return None,
    };
    let about = match over {
        "gegevens" => RequestAbout::Profile,
        "netwerk" => RequestAbout::Network(vec![]),
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
    /// Asking to give someone access: the tiles to propose.
    network: bool,
    tiles: Vec<(&'static str, &'static str, bool)>,
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
        (RequestAbout::Network(_), _) => "/dossier/netwerk".into(),
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
        network: kind == RequestKind::Network,
        tiles: inzage_core::policy::CLIENT_PARTS
            .iter()
            .map(|p| {
                let checked = matches!(about, RequestAbout::Network(parts) if parts.contains(p));
                (p.code(), super::tile_of(*p).0, checked)
            })
            .collect(),
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
pub async fn new_form(
    State(st): State<AppState>,
    Opened(v): Opened,
    Query(q): Query<NewQuery>,
) -> Result<Response, WebError> {
    if !v.frame.viewer_is_client {
        return Err(WebError::Forbidden);
    }
    let (kind, about) = parse_target(&q.soort, &q.over, &q.id).ok_or(WebError::NotFound)?;
    if kind == RequestKind::Network
        && !st
            .services
            .client_manages_network(&v.ctx, &v.header.client_id)
            .await?
    {
        return Err(WebError::Forbidden);
    }
    Ok(private(page(new_page(
        &v,
        &q,
        kind,
        &about,
        String::new(),
        None,
    ))))
}

/// `POST /dossier/verzoeken`: sends a request. A refused text comes back
/// in the form, nothing lost.
pub async fn ask(
    State(st): State<AppState>,
    Opened(v): Opened,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let field = |n: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    if !constant_eq(&v.frame.csrf, &field("csrf")) {
        return Err(WebError::CsrfFailed);
    }
    let q = NewQuery {
        soort: field("soort"),
        over: field("over"),
        id: field("id"),
    };
    let (kind, mut about) = parse_target(&q.soort, &q.over, &q.id).ok_or(WebError::NotFound)?;
    if let RequestAbout::Network(parts) = &mut about {
        *parts = pairs
            .iter()
            .filter(|(k, _)| k == "deel")
            .filter_map(|(_, v)| inzage_core::model::DossierPart::from_code(v))
            .collect();
    }
    let text: String = field("tekst").chars().take(REQUEST_MAX_CHARS * 2).collect();
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
            } else if e.field == "parts" {
                v.tr.t("request-parts-error")
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
    /// `correction`, `addition` or `network`.
    pub kind: &'static str,
    /// Staff accept or decline it (a correction, a network request).
    pub decides: bool,
    /// A network request: the tiles proposed (label keys).
    pub proposed: Vec<&'static str>,
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
        "network" => "request-about-network",
        _ => "request-about-profile",
    }
}

pub fn request_line(r: &DossierRequest) -> RequestLine {
    RequestLine {
        kind: r.kind.code(),
        decides: r.kind != RequestKind::Addition,
        proposed: r
            .proposed_parts
            .iter()
            .map(|p| super::tile_of(*p).0)
            .collect(),
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
