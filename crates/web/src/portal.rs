//! The client portal: start page with tiles, and one page per tile
//! (Mijn gegevens, Cliëntplan, Rapportages, Afspraken, Documenten,
//! Mijn netwerk, Wie keek mee), the contact person's dossier chooser and
//! the introduction tour. Every tile is a plain link with its own URL;
//! nothing needs JavaScript. Handlers parse input, call one service method
//! with the acting principal and render; the services decide and audit.
use crate::auth::{page, redirect, signed_in, signed_in_form, Source};
use crate::error::WebError;
use crate::i18n::{Lang, Msg, Tr};
use crate::AppState;
use askama::Template;
use axum::extract::{Form, FromRequestParts, Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Uri};
use axum::response::{IntoResponse, Response};
use chrono::{Duration, NaiveDate};
use inzage_core::ids::{AppointmentId, DocumentId, PlanSectionId, PlanVersionId, ReportId};
use inzage_core::model::{AppointmentStatus, DossierPart, Principal, Relation, Role};
use inzage_core::types::{display_date, display_datetime, local_date, DISPLAY_TZ};
use inzage_service::accounts::SessionInfo;
use inzage_service::dossier::{ReportFilter, ReportView};
use inzage_service::portal::{DossierHeader, TILES};
use inzage_service::who_looked::Who;
use inzage_service::{Ctx, ServiceError};
use serde::Deserialize;

pub mod afschrift;
pub mod network;
pub mod questions;
pub mod requests;

/// Reports per page on the Rapportages tile.
pub const REPORTS_PER_PAGE: i64 = 20;
/// The longest period "Wie keek mee" shows at once.
const MAX_LOG_DAYS: i64 = 366;

/// One tile of the row at the top of every dossier page.
#[derive(Clone)]
pub struct Tile {
    pub key: &'static str,
    pub href: &'static str,
    pub icon: &'static str,
    pub active: bool,
    /// The tour's current step points at this tile.
    pub tour: bool,
}

pub fn tile_of(part: DossierPart) -> (&'static str, &'static str, &'static str) {
    match part {
        DossierPart::Profile => ("tile-profile", "/dossier/gegevens", ICON_PERSON),
        DossierPart::ClientPlan => ("tile-client-plan", "/dossier/clientplan", ICON_PLAN),
        DossierPart::Reports => ("tile-reports", "/dossier/rapportages", ICON_REPORTS),
        DossierPart::Appointments => ("tile-appointments", "/dossier/afspraken", ICON_CALENDAR),
        DossierPart::Documents => ("tile-documents", "/dossier/documenten", ICON_DOCUMENT),
        DossierPart::Network => ("tile-network", "/dossier/netwerk", ICON_PEOPLE),
        DossierPart::AuditTrail => ("tile-audit-trail", "/dossier/wie-keek-mee", ICON_EYE),
        DossierPart::Episodes => ("tile-episodes", "/", ICON_DOCUMENT),
        DossierPart::Requests => ("tile-requests", "/dossier/verzoeken", ICON_DOCUMENT),
        DossierPart::Questions => ("tile-questions", "/dossier/vragen", ICON_QUESTION),
    }
}

// Tile icons: inline SVG line drawings in the text colour (no icon font, no
// emoji font needed, nothing loaded from elsewhere). Decorative only.
const ICON_PERSON: &str =
    r#"<circle cx="12" cy="8" r="4"/><path d="M4 21c0-4.4 3.6-8 8-8s8 3.6 8 8"/>"#;
const ICON_PLAN: &str = r#"<rect x="5" y="4" width="14" height="18" rx="2"/><path d="M9 4V2h6v2M9 10h6M9 14h6M9 18h4"/>"#;
const ICON_REPORTS: &str = r#"<path d="M4 6h16M4 11h16M4 16h9"/><path d="M16 21l5-5-2-2-5 5v2z"/>"#;
const ICON_CALENDAR: &str =
    r#"<rect x="3" y="5" width="18" height="16" rx="2"/><path d="M3 10h18M8 3v4M16 3v4"/>"#;
const ICON_DOCUMENT: &str = r#"<path d="M6 2h9l5 5v15H6z"/><path d="M14 2v6h6"/>"#;
const ICON_PEOPLE: &str = r#"<circle cx="9" cy="8" r="3.5"/><circle cx="17" cy="9" r="2.5"/><path d="M2 20c0-3.9 3.1-7 7-7s7 3.1 7 7M16 14c3.3 0 6 2.2 6 5"/>"#;
const ICON_QUESTION: &str = r#"<path d="M4 5h16v11H9l-5 4z"/><path d="M10 9a2 2 0 1 1 2.5 1.9c-.4.1-.5.4-.5.8M12 13.5v.1"/>"#;
const ICON_EYE: &str =
    r#"<path d="M1 12s4-7 11-7 11 7 11 7-4 7-11 7S1 12 1 12z"/><circle cx="12" cy="12" r="3"/>"#;

/// What every dossier page shows around its panel.
#[derive(Clone)]
pub struct Frame {
    pub csrf: String,
    pub client_name: String,
    pub viewer_is_client: bool,
    pub tiles: Vec<Tile>,
    /// A contact person who can open more than one dossier.
    pub can_switch: bool,
    pub readable_until: Option<String>,
    pub servicedesk_email: Option<String>,
    pub servicedesk_phone: Option<String>,
    /// The phone number for a `tel:` link: digits and a leading +.
    pub servicedesk_tel: String,
    pub organisation_name: String,
}

impl Frame {
    fn new(csrf: String, h: &DossierHeader, active: Option<DossierPart>, can_switch: bool) -> Self {
        Frame {
            csrf,
            client_name: h.client_name.clone(),
            viewer_is_client: h.viewer_is_client,
            tiles: h
                .parts
                .iter()
                .map(|p| {
                    let (key, href, icon) = tile_of(*p);
                    Tile {
                        key,
                        href,
                        icon,
                        active: Some(*p) == active,
                        tour: false,
                    }
                })
                .collect(),
            can_switch,
            readable_until: h.readable_until.map(display_date),
            servicedesk_email: h.servicedesk_email.clone(),
            servicedesk_phone: h.servicedesk_phone.clone(),
            servicedesk_tel: h
                .servicedesk_phone
                .as_deref()
                .unwrap_or_default()
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '+')
                .collect(),
            organisation_name: h.organisation_name.clone(),
        }
    }
}

/// The signed-in viewer of a dossier page.
pub struct Viewer {
    /// The signed-in account (the afschrift is downloaded only by it).
    pub account_id: String,
    pub tr: Tr,
    pub ctx: Ctx,
    pub header: DossierHeader,
    pub frame: Frame,
}

pub fn tr_of(info: &SessionInfo) -> Tr {
    Tr::new(Lang::parse(&info.language).unwrap_or(Lang::Nl)).with_sector(info.sector)
}

/// A plan's title in the organisation's words ("Cliëntplan - …" or
/// "Behandelplan - …").
pub(crate) fn plan_title(tr: Tr, p: &inzage_service::dossier::PlanSummary) -> String {
    tr.a2(
        "plan-title",
        "name",
        &p.client_sort_name,
        "date",
        display_date(p.plan_date),
    )
}

pub(crate) fn here(uri: &Uri) -> String {
    uri.path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "/".into())
}

/// Opens a dossier page: the session, the principal, the header. A
/// contact person who has not chosen yet goes to the chooser; staff go to
/// their own start page.
async fn open_as(
    st: &AppState,
    info: SessionInfo,
    src: Option<String>,
    active: Option<DossierPart>,
) -> Result<Result<Viewer, Response>, WebError> {
    let principal = match &info.principal {
        Some(p @ (Principal::Client { .. } | Principal::ContactPerson { .. })) => p.clone(),
        Some(_) => return Ok(Err(redirect("/", vec![]))),
        None => return Ok(Err(redirect("/kiezen", vec![]))),
    };
    let tr = tr_of(&info);
    let mut ctx = Ctx::new(principal).with_facts(&info.facts);
    ctx.source_addr = src;
    let header = match st.services.dossier_header(&ctx).await {
        Ok(h) => h,
        // This dossier closed to a contact person (grant revoked or ended):
        // back to the choice of the dossiers still open to them.
        Err(ServiceError::Denied(_) | ServiceError::NotFound)
            if matches!(ctx.principal, Principal::ContactPerson { .. }) =>
        {
            return Ok(Err(redirect("/kiezen", vec![])))
        }
        Err(ServiceError::Denied(_) | ServiceError::NotFound) => {
            return Ok(Err(crate::auth::message_page(
                tr,
                Msg::new("no-access-title"),
                Msg::new("no-access-text"),
                "/hulp",
                Msg::new("help-link"),
            )))
        }
        Err(e) => return Err(e.into()),
    };
    if !header.viewer_is_client {
        ctx.on_behalf_of = Some(header.client_id.to_string());
    }
    let can_switch = !header.viewer_is_client && st.services.open_dossier_count(&info).await? > 1;
    let frame = Frame::new(info.csrf_token.clone(), &header, active, can_switch);
    Ok(Ok(Viewer {
        account_id: info.account_id.clone(),
        tr,
        ctx,
        header,
        frame,
    }))
}

async fn open(
    st: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
    src: Option<String>,
    active: Option<DossierPart>,
) -> Result<Result<Viewer, Response>, WebError> {
    let (_, info) = match signed_in(st, headers, &here(uri)).await? {
        Ok(s) => s,
        Err(r) => return Ok(Err(r)),
    };
    open_as(st, info, src, active).await
}

/// The tile a dossier URL belongs to.
fn part_of_path(path: &str) -> Option<DossierPart> {
    TILES.iter().copied().find(|p| {
        let href = tile_of(*p).1;
        path == href || path.starts_with(&format!("{href}/"))
    })
}

/// Extractor for every tile page: the signed-in viewer with the header and
/// frame, the page's own tile marked active. Rejects with the redirect
/// (login, chooser) or the error page.
pub struct Opened(pub Viewer);

impl FromRequestParts<AppState> for Opened {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Response> {
        let Ok(Source(src)) = Source::from_request_parts(parts, st).await;
        let active = part_of_path(parts.uri.path());
        match open(st, &parts.headers, &parts.uri, src, active).await {
            Ok(Ok(v)) => Ok(Opened(v)),
            Ok(Err(r)) => Err(r),
            Err(e) => Err(e.into_response()),
        }
    }
}

/// A page that must not be stored by the browser or a proxy.
pub(crate) fn private(r: Response) -> Response {
    let mut r = r;
    r.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// A page that shows the viewer's own input back with a message: 400.
pub(crate) fn invalid(r: Response) -> Response {
    let mut r = private(r);
    *r.status_mut() = axum::http::StatusCode::BAD_REQUEST;
    r
}

// ---------- start page and tour ----------

pub struct TourStep {
    pub number: usize,
    pub total: usize,
    pub title: String,
    pub text: String,
    pub prev: Option<usize>,
    pub next: Option<usize>,
}

#[derive(Template)]
#[template(path = "portal/start.html")]
struct StartPage {
    t: Tr,
    f: Frame,
    tour: Option<TourStep>,
    first_name: String,
    /// The organisation lists other apps: the "Andere apps" tile.
    has_other_apps: bool,
}

#[derive(Deserialize)]
pub struct StartQuery {
    rondleiding: Option<String>,
    /// Staff: the search in "Mijn cliënten".
    pub zoek: Option<String>,
}

/// The tour's steps: a welcome, one per tile the viewer has, the menu.
fn tour_step(tr: Tr, f: &mut Frame, n: usize) -> Option<TourStep> {
    let tiles = f.tiles.len();
    let total = tiles + 2;
    if n == 0 || n > total {
        return None;
    }
    // A contact person's tour speaks about the client's dossier.
    let contact = if f.viewer_is_client { "" } else { "contact-" };
    let (title, text) = if n == 1 {
        (
            tr.t("tour-welcome-title"),
            tr.t(&format!("tour-{contact}welcome-text")),
        )
    } else if n <= tiles + 1 {
        let tile = &mut f.tiles[n - 2];
        tile.tour = true;
        (tr.t(tile.key), tr.t(&format!("tour-{contact}{}", tile.key)))
    } else {
        (tr.t("tour-menu-title"), tr.t("tour-menu-text"))
    };
    Some(TourStep {
        number: n,
        total,
        title,
        text,
        prev: (n > 1).then(|| n - 1),
        next: (n < total).then(|| n + 1),
    })
}

pub async fn start_page(
    st: &AppState,
    info: SessionInfo,
    src: Option<String>,
    q: StartQuery,
) -> Result<Response, WebError> {
    let tour_done = info.tour_done;
    let mut v = match open_as(st, info, src, None).await? {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    let step = match q.rondleiding.as_deref() {
        None if !tour_done => Some(1),
        None => None,
        Some(s) => match s.parse::<usize>() {
            Ok(n) => Some(n),
            Err(_) => return Err(bad(v.tr, "bad-tour-step")),
        },
    };
    let tour = match step {
        Some(n) => match tour_step(v.tr, &mut v.frame, n) {
            Some(t) => Some(t),
            None => return Err(bad(v.tr, "bad-tour-step")),
        },
        None => None,
    };
    let first_name = v
        .header
        .client_name
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned();
    let has_other_apps = match crate::face::current().and_then(|f| f.organisation_id.clone()) {
        Some(org) => !st.services.org_apps(&org).await?.is_empty(),
        None => false,
    };
    Ok(private(page(StartPage {
        t: v.tr,
        f: v.frame,
        tour,
        first_name,
        has_other_apps,
    })))
}

#[derive(Template)]
#[template(path = "portal/other_apps.html")]
struct OtherAppsPage {
    t: Tr,
    csrf: String,
    apps: Vec<inzage_service::admin::OrgApp>,
}

/// `/andere-apps`: the organisation's other e-health apps (a setting, not
/// dossier data), each opening in a new tab with a note that it is outside
/// Inzage.
pub async fn other_apps(
    State(st): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let (_, info) = match crate::auth::signed_in(&st, &headers, "/andere-apps").await? {
        Ok(s) => s,
        Err(r) => return Ok(r),
    };
    let apps = match crate::face::current().and_then(|f| f.organisation_id.clone()) {
        Some(org) => st.services.org_apps(&org).await?,
        None => vec![],
    };
    Ok(private(page(OtherAppsPage {
        t: tr_of(&info),
        csrf: info.csrf_token.clone(),
        apps,
    })))
}

#[derive(Deserialize)]
pub struct TourForm {
    #[serde(default)]
    csrf: String,
}

/// Closing the tour (at any step, or after the last) is remembered.
pub async fn tour_close(
    State(st): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<TourForm>,
) -> Result<Response, WebError> {
    let (tok, _) = match signed_in_form(&st, &headers, "/", &f.csrf).await? {
        Ok(s) => s,
        Err(r) => return Ok(r),
    };
    st.services.set_tour_done(&tok, true).await?;
    Ok(redirect("/", vec![]))
}

fn bad(tr: Tr, key: &'static str) -> WebError {
    WebError::BadInput(tr.t(key))
}

// ---------- contact person: choose a dossier ----------

pub struct ChoiceLine {
    pub id: String,
    pub name: String,
    pub relation_key: &'static str,
    pub active: bool,
}

/// A new link waiting for the holder's yes or no (ADR 0013).
pub struct PendingLine {
    pub id: String,
    pub client_name: String,
    pub organisation: String,
    pub relation_key: &'static str,
    pub part_keys: Vec<&'static str>,
}

pub fn relation_key(r: Relation) -> &'static str {
    match r {
        Relation::Mentor => "relation-mentor",
        Relation::LegalRepresentative => "relation-legal-representative",
        Relation::Curator => "relation-curator",
        Relation::Administrator => "relation-administrator",
        Relation::Family => "relation-family",
        Relation::Partner => "relation-partner",
        Relation::Other => "relation-other",
    }
}

pub fn role_key(code: &str) -> &'static str {
    match Role::from_code(code) {
        Some(Role::Caregiver) => "role-caregiver",
        Some(Role::PrimaryCaregiver) => "role-primary-caregiver",
        Some(Role::Practitioner) => "role-practitioner",
        Some(Role::Secretariat) => "role-secretariat",
        Some(Role::FunctionalAdmin) => "role-functional-admin",
        Some(Role::PrivacyOfficer) => "role-privacy-officer",
        None => "role-unknown",
    }
}

#[derive(Template)]
#[template(path = "portal/choose.html")]
struct ChoosePage {
    t: Tr,
    csrf: String,
    choices: Vec<ChoiceLine>,
    pending: Vec<PendingLine>,
    notice: Option<&'static str>,
}

#[derive(Deserialize, Default)]
pub struct ChooseQuery {
    melding: Option<String>,
}

pub async fn choose_form(
    State(st): State<AppState>,
    headers: HeaderMap,
    Source(src): Source,
    Query(q): Query<ChooseQuery>,
) -> Result<Response, WebError> {
    let (tok, info) = match signed_in(&st, &headers, "/kiezen").await? {
        Ok(s) => s,
        Err(r) => return Ok(r),
    };
    let tr = tr_of(&info);
    if !matches!(
        info.kind,
        inzage_service::accounts::AccountKind::ContactPerson
    ) {
        return Ok(redirect("/", vec![]));
    }
    let choices: Vec<ChoiceLine> = st
        .services
        .my_dossiers(&tok)
        .await?
        .into_iter()
        .map(|c| ChoiceLine {
            id: c.contact_person_id.to_string(),
            name: c.client_name,
            relation_key: relation_key(c.relation),
            active: c.active,
        })
        .collect();
    let pending: Vec<PendingLine> = st
        .services
        .pending_links(&tok, src.as_deref())
        .await?
        .into_inner()
        .into_iter()
        .map(|l| PendingLine {
            id: l.id,
            client_name: l.client_name,
            organisation: l.organisation_name,
            relation_key: relation_key(l.relation),
            part_keys: l.parts.iter().map(|p| tile_of(*p).0).collect(),
        })
        .collect();
    let notice = match q.melding.as_deref() {
        Some("aangenomen") => Some("link-accepted"),
        Some("geweigerd") => Some("link-declined"),
        _ => None,
    };
    if choices.is_empty() && pending.is_empty() {
        return Ok(crate::auth::message_page(
            tr,
            Msg::new("no-access-title"),
            Msg::new("no-access-text"),
            "/hulp",
            Msg::new("help-link"),
        ));
    }
    Ok(private(page(ChoosePage {
        t: tr,
        csrf: info.csrf_token,
        choices,
        pending,
        notice,
    })))
}

#[derive(Deserialize)]
pub struct ChooseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    dossier: String,
}

pub async fn choose_submit(
    State(st): State<AppState>,
    headers: HeaderMap,
    Source(src): Source,
    Form(f): Form<ChooseForm>,
) -> Result<Response, WebError> {
    let (tok, _) = match signed_in_form(&st, &headers, "/kiezen", &f.csrf).await? {
        Ok(s) => s,
        Err(r) => return Ok(r),
    };
    st.services
        .choose_dossier(&tok, &f.dossier, src.as_deref())
        .await?;
    Ok(redirect("/", vec![]))
}

// ---------- Mijn gegevens ----------

#[derive(Template)]
#[template(path = "portal/profile.html")]
struct ProfilePage {
    t: Tr,
    f: Frame,
    p: inzage_service::dossier::ClientProfile,
    birth_date: String,
    address: Option<String>,
    care_start: Option<String>,
    care_end: Option<String>,
    voice: requests::Voice,
}

pub async fn profile(State(st): State<AppState>, Opened(v): Opened) -> Result<Response, WebError> {
    let p = st
        .services
        .client_profile(&v.ctx, &v.header.client_id)
        .await?
        .into_inner();
    let street = [p.street.as_deref(), p.house_number.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let town = [p.postal_code.as_deref(), p.city.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let address = [street, town]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    Ok(private(page(ProfilePage {
        t: v.tr,
        f: v.frame,
        birth_date: display_date(p.birth_date),
        address: (!address.is_empty()).then_some(address),
        care_start: p.care_start.map(display_date),
        care_end: p.care_end.map(display_date),
        voice: requests::Voice::profile(&p.additions),
        p,
    })))
}

// ---------- Cliëntplan ----------

pub struct PlanLine {
    pub id: String,
    pub title: String,
}

#[derive(Template)]
#[template(path = "portal/plans.html")]
struct PlansPage {
    t: Tr,
    f: Frame,
    plans: Vec<PlanLine>,
}

pub async fn plans(State(st): State<AppState>, Opened(v): Opened) -> Result<Response, WebError> {
    let mut list = st
        .services
        .list_plans(&v.ctx, &v.header.client_id)
        .await?
        .into_inner();
    list.sort_by_key(|p| std::cmp::Reverse(p.plan_date));
    Ok(private(page(PlansPage {
        t: v.tr,
        f: v.frame,
        plans: list
            .into_iter()
            .map(|p| PlanLine {
                id: p.id.to_string(),
                title: plan_title(v.tr, &p),
            })
            .collect(),
    })))
}

pub struct SectionLine {
    pub id: String,
    pub domain: String,
}

/// A plan section; goals and agreements as HTML of the safe markdown
/// subset (`crate::markdown`, which escapes everything else).
pub struct SectionText {
    pub domain: String,
    pub goals: String,
    pub agreements: String,
}

#[derive(Template)]
#[template(path = "portal/plan.html")]
struct PlanPage {
    t: Tr,
    f: Frame,
    plan_id: String,
    title: String,
    sections: Vec<SectionLine>,
    open: Option<SectionText>,
    open_id: String,
    /// The open section's statements and the way to ask about it.
    voice: Option<requests::Voice>,
    /// The whole plan on one page: every section with its additions.
    whole: Vec<(SectionText, Vec<requests::StatementLine>)>,
    showing_whole: bool,
}

/// Text as paragraphs: one per non-empty line.
pub fn paragraphs(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[derive(Deserialize, Default)]
pub struct PlanQuery {
    /// `1`: the whole plan on one page (to read or print).
    alles: Option<String>,
}

pub async fn plan(
    State(st): State<AppState>,
    Opened(v): Opened,
    Path(id): Path<String>,
    Query(q): Query<PlanQuery>,
) -> Result<Response, WebError> {
    let whole = q.alles.as_deref() == Some("1");
    plan_page(st, v, id, None, whole).await
}

pub async fn plan_section(
    State(st): State<AppState>,
    Opened(v): Opened,
    Path((id, section)): Path<(String, String)>,
) -> Result<Response, WebError> {
    plan_page(st, v, id, Some(section), false).await
}

async fn plan_page(
    st: AppState,
    v: Viewer,
    id: String,
    section: Option<String>,
    whole: bool,
) -> Result<Response, WebError> {
    let plan_id = PlanVersionId::parse(&id).ok_or(WebError::NotFound)?;
    let section_id = match &section {
        Some(s) => Some(PlanSectionId::parse(s).ok_or(WebError::NotFound)?),
        None => None,
    };
    let detail = st.services.plan(&v.ctx, &plan_id).await?.into_inner();
    let mut voice = None;
    let open = match &section_id {
        Some(sid) => {
            let s = detail
                .sections
                .iter()
                .find(|s| &s.id == sid)
                .ok_or(WebError::NotFound)?;
            voice = Some(requests::Voice::plan_section(s.id.as_str(), &s.additions));
            Some(SectionText {
                domain: s.domain.clone(),
                goals: crate::markdown::render(&s.goals),
                agreements: crate::markdown::render(&s.agreements),
            })
        }
        None => None,
    };
    Ok(private(page(PlanPage {
        t: v.tr,
        f: v.frame,
        plan_id: detail.plan.id.to_string(),
        title: plan_title(v.tr, &detail.plan),
        sections: detail
            .sections
            .iter()
            .map(|s| SectionLine {
                id: s.id.to_string(),
                domain: s.domain.clone(),
            })
            .collect(),
        open,
        open_id: section_id.map(|s| s.to_string()).unwrap_or_default(),
        voice,
        whole: if whole {
            detail
                .sections
                .iter()
                .map(|s| {
                    (
                        SectionText {
                            domain: s.domain.clone(),
                            goals: crate::markdown::render(&s.goals),
                            agreements: crate::markdown::render(&s.agreements),
                        },
                        requests::statement_lines(&s.additions),
                    )
                })
                .collect()
        } else {
            Vec::new()
        },
        showing_whole: whole,
    })))
}

// ---------- Rapportages ----------

pub struct ReportLine {
    pub id: String,
    pub when: String,
    pub author: String,
    pub role_key: &'static str,
    pub category: String,
    pub excerpt: Vec<String>,
    pub more: bool,
    pub corrected: bool,
}

fn report_line(r: &ReportView, excerpt_chars: usize) -> ReportLine {
    // The first `excerpt_chars` characters: cut at that character's byte
    // offset (no copy of the body char by char).
    let cut = r.body.char_indices().nth(excerpt_chars).map(|(at, _)| at);
    ReportLine {
        id: r.id.to_string(),
        when: display_datetime(r.created_at),
        author: r.author_name.clone(),
        role_key: role_key(&r.author_role),
        category: r.category.clone(),
        more: cut.is_some(),
        excerpt: paragraphs(cut.and_then(|c| r.body.get(..c)).unwrap_or(&r.body)),
        corrected: r.corrected,
    }
}

/// The period filter of a list page, as typed.
#[derive(Default)]
pub struct Period {
    pub from: String,
    pub until: String,
    /// Rapportages only (issue 15): the search words and the category,
    /// and the categories to choose from.
    pub search: bool,
    pub words: String,
    pub category: String,
    pub categories: Vec<String>,
}

#[derive(Template)]
#[template(path = "portal/reports.html")]
struct ReportsPage {
    t: Tr,
    f: Frame,
    period: Period,
    error: Option<String>,
    reports: Vec<ReportLine>,
    total: i64,
    page: i64,
    pages: i64,
    prev: Option<String>,
    next: Option<String>,
}

/// A date typed in a filter: `dd-mm-jjjj` or the browser's `jjjj-mm-dd`.
/// Empty is no limit; anything else is an error.
pub fn parse_filter_date(s: &str) -> Result<Option<NaiveDate>, ()> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let d = NaiveDate::parse_from_str(s, "%d-%m-%Y")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y-%m-%d"))
        .map_err(|_| ())?;
    if !(1900..=2100).contains(&chrono::Datelike::year(&d)) {
        return Err(());
    }
    Ok(Some(d))
}

fn query_link(base: &str, period: &Period, page: i64) -> String {
    let mut q = vec![];
    if !period.from.is_empty() {
        q.push(format!("van={}", crate::auth::urlencode(&period.from)));
    }
    if !period.until.is_empty() {
        q.push(format!("tot={}", crate::auth::urlencode(&period.until)));
    }
    if !period.words.is_empty() {
        q.push(format!("woorden={}", crate::auth::urlencode(&period.words)));
    }
    if !period.category.is_empty() {
        q.push(format!(
            "soort={}",
            crate::auth::urlencode(&period.category)
        ));
    }
    if page > 1 {
        q.push(format!("pagina={page}"));
    }
    if q.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", q.join("&"))
    }
}

pub async fn reports(
    State(st): State<AppState>,
    Opened(v): Opened,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let q = crate::params::unique(pairs)?;
    let mut period = Period {
        from: q.get("van").cloned().unwrap_or_default(),
        until: q.get("tot").cloned().unwrap_or_default(),
        search: true,
        words: q
            .get("woorden")
            .map(|w| w.trim().chars().take(100).collect())
            .unwrap_or_default(),
        category: q
            .get("soort")
            .map(|c| c.trim().chars().take(100).collect())
            .unwrap_or_default(),
        categories: Vec::new(),
    };
    let page_no = match q.get("pagina").map(|p| p.trim()) {
        None | Some("") => 1,
        Some(p) => match p.parse::<i64>() {
            Ok(n) if (1..=1_000_000).contains(&n) => n,
            _ => return Err(bad(v.tr, "bad-page-number")),
        },
    };
    let dates = (
        parse_filter_date(&period.from),
        parse_filter_date(&period.until),
    );
    let (from, until) = match dates {
        (Ok(f), Ok(u)) => (f, u),
        _ => {
            return Ok(invalid(page(ReportsPage {
                t: v.tr,
                error: Some(v.tr.t("bad-date")),
                f: v.frame,
                period,
                reports: vec![],
                total: 0,
                page: 1,
                pages: 1,
                prev: None,
                next: None,
            })))
        }
    };
    if let (Some(f), Some(u)) = (from, until) {
        if f > u {
            return Ok(invalid(page(ReportsPage {
                t: v.tr,
                error: Some(v.tr.t("bad-period-order")),
                f: v.frame,
                period,
                reports: vec![],
                total: 0,
                page: 1,
                pages: 1,
                prev: None,
                next: None,
            })));
        }
    }
    let result = st
        .services
        .list_reports(
            &v.ctx,
            &v.header.client_id,
            ReportFilter {
                from,
                until,
                page: page_no,
                per_page: REPORTS_PER_PAGE,
                words: (!period.words.is_empty()).then(|| period.words.clone()),
                category: (!period.category.is_empty()).then(|| period.category.clone()),
            },
        )
        .await?
        .into_inner();
    let pages = ((result.total + REPORTS_PER_PAGE - 1) / REPORTS_PER_PAGE).max(1);
    period.categories = result.categories.clone();
    Ok(private(page(ReportsPage {
        t: v.tr,
        f: v.frame,
        error: None,
        reports: result.items.iter().map(|r| report_line(r, 280)).collect(),
        total: result.total,
        page: page_no,
        pages,
        prev: (page_no > 1).then(|| query_link("/dossier/rapportages", &period, page_no - 1)),
        next: (page_no < pages).then(|| query_link("/dossier/rapportages", &period, page_no + 1)),
        period,
    })))
}

#[derive(Template)]
#[template(path = "portal/report.html")]
struct ReportPage {
    t: Tr,
    f: Frame,
    r: ReportLine,
    voice: requests::Voice,
}

pub async fn report(
    State(st): State<AppState>,
    Opened(v): Opened,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = ReportId::parse(&id).ok_or(WebError::NotFound)?;
    let r = st.services.report(&v.ctx, &id).await?.into_inner();
    Ok(private(page(ReportPage {
        t: v.tr,
        f: v.frame,
        r: report_line(&r, usize::MAX),
        voice: requests::Voice::report(r.id.as_str(), &r.additions),
    })))
}

// ---------- Afspraken ----------

pub struct AppointmentLine {
    pub id: String,
    pub date: String,
    pub time: String,
    pub minutes: i64,
    pub practitioner: String,
    pub place: String,
    pub description: String,
    pub cancelled: bool,
}

#[derive(Template)]
#[template(path = "portal/appointments.html")]
struct AppointmentsPage {
    t: Tr,
    f: Frame,
    upcoming: Vec<AppointmentLine>,
    past: Vec<AppointmentLine>,
}

fn appointment_line(a: &inzage_service::dossier::AppointmentView) -> AppointmentLine {
    let local = a.starts_at.with_timezone(&DISPLAY_TZ);
    AppointmentLine {
        id: a.id.to_string(),
        date: local.format("%d-%m-%Y").to_string(),
        time: local.format("%H:%M").to_string(),
        minutes: (a.ends_at - a.starts_at).num_minutes(),
        practitioner: a.practitioner_name.clone(),
        place: a.place.clone(),
        description: a.description.clone(),
        cancelled: a.status == AppointmentStatus::Cancelled,
    }
}

pub async fn appointments(
    State(st): State<AppState>,
    Opened(v): Opened,
) -> Result<Response, WebError> {
    let now = st.services.now();
    let all = st
        .services
        .list_appointments(&v.ctx, &v.header.client_id)
        .await?
        .into_inner();
    let (mut past, upcoming): (Vec<_>, Vec<_>) = all.iter().partition(|a| a.ends_at < now);
    past.reverse();
    Ok(private(page(AppointmentsPage {
        t: v.tr,
        f: v.frame,
        upcoming: upcoming.into_iter().map(appointment_line).collect(),
        past: past.into_iter().map(appointment_line).collect(),
    })))
}

pub async fn appointment_ics(
    State(st): State<AppState>,
    Opened(v): Opened,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = AppointmentId::parse(&id).ok_or(WebError::NotFound)?;
    let a = st.services.appointment(&v.ctx, &id).await?.into_inner();
    let body = crate::ics::event(
        &a,
        st.services.now(),
        &v.tr.a("ics-with", "name", &a.practitioner_name),
    );
    let file = format!(
        "afspraak-{}.ics",
        local_date(a.starts_at).format("%Y-%m-%d")
    );
    Ok(private(
        (
            [
                (CONTENT_TYPE, "text/calendar; charset=utf-8".to_owned()),
                (
                    CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{file}\""),
                ),
            ],
            body,
        )
            .into_response(),
    ))
}

// ---------- Documenten ----------

pub struct DocumentLine {
    pub id: String,
    pub title: String,
    pub doc_type: String,
    pub date: String,
    pub size: String,
    pub kind_key: &'static str,
}

#[derive(Template)]
#[template(path = "portal/documents.html")]
struct DocumentsPage {
    t: Tr,
    f: Frame,
    documents: Vec<DocumentLine>,
}

pub(crate) fn kind_key(content_type: &str) -> &'static str {
    match content_type {
        "application/pdf" => "doc-kind-pdf",
        "image/png" | "image/jpeg" => "doc-kind-image",
        _ => "doc-kind-file",
    }
}

pub(crate) fn human_size(bytes: i64) -> String {
    if bytes < 1024 * 1024 {
        format!("{} kB", (bytes + 1023) / 1024)
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    }
}

pub async fn documents(
    State(st): State<AppState>,
    Opened(v): Opened,
) -> Result<Response, WebError> {
    let docs = st
        .services
        .list_documents(&v.ctx, &v.header.client_id)
        .await?
        .into_inner();
    Ok(private(page(DocumentsPage {
        t: v.tr,
        f: v.frame,
        documents: docs
            .iter()
            .map(|d| DocumentLine {
                id: d.id.to_string(),
                title: d.title.clone(),
                doc_type: d.doc_type.clone(),
                date: display_date(d.doc_date),
                size: human_size(d.size_bytes),
                kind_key: kind_key(&d.content_type),
            })
            .collect(),
    })))
}

/// A file name for `Content-Disposition`: the title in safe ASCII (the
/// full title goes in `filename*`), with the extension of its type.
pub fn disposition(kind: &str, title: &str, content_type: &str) -> String {
    let ext = match content_type {
        "application/pdf" => "pdf",
        "image/png" => "png",
        "image/jpeg" => "jpg",
        _ => "bin",
    };
    let ascii: String = title
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    let ascii = if ascii.trim_matches('_').is_empty() {
        "document".to_owned()
    } else {
        ascii
    };
    let mut encoded = String::new();
    for b in format!("{title}.{ext}").bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("{kind}; filename=\"{ascii}.{ext}\"; filename*=UTF-8''{encoded}")
}

/// The types a browser may show inline; everything else downloads.
fn inline_ok(content_type: &str) -> bool {
    matches!(content_type, "application/pdf" | "image/png" | "image/jpeg")
}

/// CSP for a document shown in the browser: a sandbox (a unique origin: a
/// file that is not what its first bytes claim cannot reach the portal's
/// cookies, storage or pages), its own viewer may run (PDF), nothing may
/// be loaded from elsewhere, no framing.
const DOCUMENT_CSP: &str =
    "sandbox; default-src 'none'; object-src 'self'; img-src 'self'; style-src 'unsafe-inline'; \
frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

async fn document_file(
    st: AppState,
    v: Viewer,
    id: String,
    download: bool,
) -> Result<Response, WebError> {
    document_response(&st, &v.ctx, &v.header.client_id, &id, download).await
}

/// A document of `client` as a response (portal and staff pages): its own
/// CSP, `nosniff` (set globally), `no-store`, inline only for PDF and
/// images. Another client's document id answers 404.
pub(crate) async fn document_response(
    st: &AppState,
    ctx: &Ctx,
    client: &inzage_core::ids::ClientId,
    id: &str,
    download: bool,
) -> Result<Response, WebError> {
    let id = DocumentId::parse(id).ok_or(WebError::NotFound)?;
    let (meta, bytes) = st.services.document_content(ctx, &id).await?.into_inner();
    if &meta.client_id != client {
        return Err(WebError::NotFound);
    }
    let inline = !download && inline_ok(&meta.content_type);
    let ctype = if inline_ok(&meta.content_type) {
        meta.content_type.clone()
    } else {
        "application/octet-stream".to_owned()
    };
    let mut r = (
        [
            (CONTENT_TYPE, ctype),
            (
                CONTENT_DISPOSITION,
                disposition(
                    if inline { "inline" } else { "attachment" },
                    &meta.title,
                    &meta.content_type,
                ),
            ),
        ],
        bytes,
    )
        .into_response();
    r.headers_mut().insert(
        axum::http::header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(DOCUMENT_CSP),
    );
    Ok(private(r))
}

pub async fn document_view(
    State(st): State<AppState>,
    Opened(v): Opened,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    document_file(st, v, id, false).await
}

pub async fn document_download(
    State(st): State<AppState>,
    Opened(v): Opened,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    document_file(st, v, id, true).await
}

// ---------- Mijn netwerk ----------

pub struct ContactLine {
    pub id: String,
    pub name: String,
    pub relation_key: &'static str,
    pub tiles: Vec<&'static str>,
    pub until: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/network.html")]
struct NetworkPage {
    t: Tr,
    f: Frame,
    contacts: Vec<ContactLine>,
    /// The client manages their own network (issue 15).
    manage: bool,
    /// A contact person's access just ended.
    ended: bool,
}

#[derive(Deserialize, Default)]
pub struct NetworkQuery {
    melding: Option<String>,
}

pub async fn network(
    State(st): State<AppState>,
    Opened(v): Opened,
    Query(q): Query<NetworkQuery>,
) -> Result<Response, WebError> {
    let now = st.services.now();
    let people = st
        .services
        .network(&v.ctx, &v.header.client_id)
        .await?
        .into_inner();
    let contacts = people
        .into_iter()
        .filter_map(|p| {
            let live: Vec<_> = p
                .grants
                .iter()
                .filter(|g| {
                    g.revoked_at.is_none()
                        && g.valid_from <= now
                        && g.valid_until.is_none_or(|u| u > now)
                })
                .collect();
            if live.is_empty() {
                return None;
            }
            let mut tiles = vec![];
            for &part in TILES {
                if live.iter().any(|g| g.parts.contains(&part)) {
                    tiles.push(tile_of(part).0);
                }
            }
            let until = live
                .iter()
                .filter_map(|g| g.valid_until)
                .max()
                .filter(|_| live.iter().all(|g| g.valid_until.is_some()))
                .map(|u| display_date(local_date(u)));
            Some(ContactLine {
                id: p.id.to_string(),
                name: p.full_name,
                relation_key: relation_key(p.relation),
                tiles,
                until,
            })
        })
        .collect();
    let manage = v.frame.viewer_is_client
        && st
            .services
            .client_manages_network(&v.ctx, &v.header.client_id)
            .await?;
    Ok(private(page(NetworkPage {
        t: v.tr,
        f: v.frame,
        contacts,
        manage,
        ended: q.melding.as_deref() == Some("gestopt"),
    })))
}

// ---------- Wie keek mee ----------

pub struct LogLine {
    pub day: String,
    pub time: String,
    pub who: String,
    pub what: String,
    pub count: i64,
}

#[derive(Template)]
#[template(path = "portal/who_looked.html")]
struct WhoLookedPage {
    t: Tr,
    f: Frame,
    period: Period,
    error: Option<String>,
    lines: Vec<LogLine>,
    shown_from: String,
    shown_until: String,
}

fn who_words(tr: Tr, who: &Who) -> String {
    inzage_service::who_looked::words(tr, who)
}

pub async fn who_looked(
    State(st): State<AppState>,
    Opened(v): Opened,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let q = crate::params::unique(pairs)?;
    let today = local_date(st.services.now());
    let period = Period {
        from: q.get("van").cloned().unwrap_or_default(),
        until: q.get("tot").cloned().unwrap_or_default(),
        ..Default::default()
    };
    let parsed = (
        parse_filter_date(&period.from),
        parse_filter_date(&period.until),
    );
    let error = match parsed {
        (Ok(f), Ok(u)) => {
            let until = u.unwrap_or(today);
            let from = f.unwrap_or(until - Duration::days(29));
            if from > until {
                Err("bad-period-order")
            } else if (until - from).num_days() >= MAX_LOG_DAYS {
                Err("bad-period-too-long")
            } else {
                Ok((from, until))
            }
        }
        _ => Err("bad-date"),
    };
    let (from, until) = match error {
        Ok(p) => p,
        Err(key) => {
            return Ok(invalid(page(WhoLookedPage {
                t: v.tr,
                f: v.frame,
                period,
                error: Some(v.tr.t(key)),
                lines: vec![],
                shown_from: String::new(),
                shown_until: String::new(),
            })))
        }
    };
    let lines = st
        .services
        .who_looked(&v.ctx, &v.header.client_id, from, until)
        .await?
        .into_inner();
    let tr = v.tr;
    Ok(private(page(WhoLookedPage {
        t: tr,
        f: v.frame,
        period,
        error: None,
        lines: lines
            .iter()
            .map(|l| LogLine {
                day: display_date(l.day),
                time: l
                    .last_at
                    .with_timezone(&DISPLAY_TZ)
                    .format("%H:%M")
                    .to_string(),
                who: who_words(tr, &l.who),
                what: tr.a2(
                    "what-line",
                    "subject",
                    tr.t(&format!("subject-{}", l.subject.code().replace('_', "-"))),
                    "verb",
                    tr.t(&format!("verb-{}", l.verb.code().replace('_', "-"))),
                ),
                count: l.count,
            })
            .collect(),
        shown_from: display_date(from),
        shown_until: display_date(until),
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_dates_accept_two_forms_and_refuse_the_rest() {
        let d = NaiveDate::from_ymd_opt(2017, 9, 6);
        assert_eq!(parse_filter_date("06-09-2017"), Ok(d));
        assert_eq!(parse_filter_date(" 2017-09-06 "), Ok(d));
        assert_eq!(parse_filter_date(""), Ok(None));
        for bad in [
            "31-02-2026",
            "6/9/2017",
            "gisteren",
            "01-01-0001",
            "2017-13-01",
            "<b>",
        ] {
            assert_eq!(parse_filter_date(bad), Err(()), "{bad}");
        }
    }

    #[test]
    fn a_report_line_cuts_its_excerpt_at_a_character_not_a_byte() {
        let now = chrono::Utc::now();
        let report = |body: &str| ReportView {
            id: ReportId::from_raw("r"),
            series_id: inzage_core::ids::ReportSeriesId::from_raw("s"),
            version: 1,
            client_id: inzage_core::ids::ClientId::from_raw("c"),
            episode_id: inzage_core::ids::EpisodeId::from_raw("e"),
            author_id: inzage_core::ids::StaffId::from_raw("a"),
            author_name: "A".into(),
            author_role: "caregiver".into(),
            category: "Dagrapportage".into(),
            body: body.into(),
            status: inzage_core::model::DocStatus::Final,
            visible_to_client: true,
            created_at: now,
            updated_at: now,
            finalised_at: None,
            finalised_by: None,
            corrected: false,
            is_current: true,
            revision: 0,
            additions: Vec::new(),
        };
        let short = report_line(&report("één\n\ntwee"), 9);
        assert_eq!(short.excerpt, vec!["één", "twee"]);
        assert!(!short.more, "exactly nine characters is not cut");
        let long = report_line(&report("één\n\ntwee!"), 9);
        assert_eq!(long.excerpt, vec!["één", "twee"]);
        assert!(long.more);
        let whole = report_line(&report("ééé"), usize::MAX);
        assert_eq!(whole.excerpt, vec!["ééé"]);
        assert!(!whole.more);
    }

    #[test]
    fn content_disposition_is_ascii_with_an_encoded_full_name() {
        assert_eq!(
            disposition("inline", "Verslag één", "application/pdf"),
            "inline; filename=\"Verslag___n.pdf\"; filename*=UTF-8''Verslag%20%C3%A9%C3%A9n.pdf"
        );
        let evil = disposition("attachment", "\"; x=\r\n", "image/png");
        assert!(
            evil.starts_with("attachment; filename=\"___x___.png\""),
            "{evil}"
        );
        assert_eq!(
            evil.matches('"').count(),
            2,
            "no quote from the title: {evil}"
        );
        assert!(disposition("inline", "ëë", "image/png").contains("filename=\"document.png\""));
        assert!(!evil.contains('\r') && !evil.contains('\n'));
        assert!(disposition("attachment", "x", "text/html").contains(".bin"));
    }
}
